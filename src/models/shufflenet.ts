/**
 * ShuffleNet V2 as torchvision builds it (`torchvision/models/shufflenetv2.py`; Ma et al.
 * 2018). A unit splits its channels in two halves: one passes through, the other goes through
 * 1x1 conv, 3x3 depthwise conv, 1x1 conv; the halves are concatenated and the channels shuffled
 * (interleaved) so that information crosses between halves in the next unit. A strided unit
 * sends the whole input through both branches, doubling the channels and halving the size.
 * Initialisation: PyTorch's layer defaults (torchvision applies none of its own). Weights: see
 * the table in `sg.models`.
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { cat, reshape, slice, transpose } from '../ops/shape.js';
import { mean } from '../ops/reduce.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU } from '../nn/layers/activation.js';
import { MaxPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';

/**
 * [N, C, H, W] -> the same shape with channel g * (C / groups) + i moved to i * groups + g:
 * view as [N, groups, C / groups, H, W], swap dims 1 and 2, view back (torchvision's
 * `channel_shuffle`). One gather kernel; its gradient is the inverse permutation.
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [n, c, h, w] = x.shape;
  if (x.ndim !== 4 || c % groups !== 0)
    throw new Error(
      `channel_shuffle: expected [N, C, H, W] with C divisible by ${groups}, got [${x.shape.join(', ')}]`,
    );
  const grouped = reshape(x, [n, groups, c / groups, h, w]);
  return reshape(transpose(grouped, 1, 2), [n, c, h, w]);
}

const depthwiseConv = (channels: number, stride: number) =>
  new Conv2d(channels, channels, 3, { stride, padding: 1, groups: channels, bias: false });
const pointwiseConv = (inChannels: number, outChannels: number) =>
  new Conv2d(inChannels, outChannels, 1, { stride: 1, padding: 0, bias: false });

/** The ShuffleNet V2 unit: stride 1 keeps half the channels as they are; stride 2 downsamples both halves. */
export class InvertedResidual extends Module {
  readonly stride: number;
  branch1: Sequential;
  branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new Error('InvertedResidual: illegal stride value');
    this.stride = stride;
    const branchFeatures = Math.floor(oup / 2);
    if (stride === 1 && inp !== branchFeatures * 2) {
      throw new Error(
        `Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`,
      );
    }
    this.branch1 =
      stride > 1
        ? new Sequential(
            depthwiseConv(inp, stride),
            new BatchNorm2d(inp),
            pointwiseConv(inp, branchFeatures),
            new BatchNorm2d(branchFeatures),
            new ReLU(true),
          )
        : new Sequential();
    this.branch2 = new Sequential(
      pointwiseConv(stride > 1 ? inp : branchFeatures, branchFeatures),
      new BatchNorm2d(branchFeatures),
      new ReLU(true),
      depthwiseConv(branchFeatures, stride),
      new BatchNorm2d(branchFeatures),
      pointwiseConv(branchFeatures, branchFeatures),
      new BatchNorm2d(branchFeatures),
      new ReLU(true),
    );
  }

  /** [N, inp, H, W] -> [N, oup, H / stride, W / stride]. */
  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const half = x.shape[1] / 2; // x.chunk(2, dim=1)
      out = cat([slice(x, 1, 0, half), this.branch2.forward(slice(x, 1, half))], 1);
    } else {
      out = cat([this.branch1.forward(x), this.branch2.forward(x)], 1);
    }
    return channelShuffle(out, 2);
  }
}

/** ShuffleNet V2 (`torchvision.models.ShuffleNetV2`): a 3x3 stem and max pool, three stages of units, a 1x1 convolution, global average pooling and a linear layer; build it with `shufflenet_v2_x0_5()` ... `shufflenet_v2_x2_0()`. */
export class ShuffleNetV2 extends Module {
  conv1: Sequential;
  maxpool: MaxPool2d;
  stage2: Sequential;
  stage3: Sequential;
  stage4: Sequential;
  conv5: Sequential;
  fc: Linear;

  /** `stagesRepeats`: units per stage (3); `stagesOutChannels`: conv1, the three stages, conv5 (5). */
  constructor(
    stagesRepeats: readonly number[],
    stagesOutChannels: readonly number[],
    options: { numClasses?: number } = {},
  ) {
    super();
    const { numClasses } = modelOptions('ShuffleNetV2', options, { numClasses: 1000 });
    if (stagesRepeats.length !== 3) throw new Error('ShuffleNetV2: expected stages_repeats as list of 3 positive ints');
    if (stagesOutChannels.length !== 5)
      throw new Error('ShuffleNetV2: expected stages_out_channels as list of 5 positive ints');
    let input = stagesOutChannels[0];
    this.conv1 = new Sequential(
      new Conv2d(3, input, 3, { stride: 2, padding: 1, bias: false }),
      new BatchNorm2d(input),
      new ReLU(true),
    );
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    const stage = (repeats: number, output: number) => {
      const units = [new InvertedResidual(input, output, 2)];
      for (let i = 1; i < repeats; i++) units.push(new InvertedResidual(output, output, 1));
      input = output;
      return new Sequential(...units);
    };
    this.stage2 = stage(stagesRepeats[0], stagesOutChannels[1]);
    this.stage3 = stage(stagesRepeats[1], stagesOutChannels[2]);
    this.stage4 = stage(stagesRepeats[2], stagesOutChannels[3]);
    const output = stagesOutChannels[4];
    this.conv5 = new Sequential(
      new Conv2d(input, output, 1, { stride: 1, padding: 0, bias: false }),
      new BatchNorm2d(output),
      new ReLU(true),
    );
    this.fc = new Linear(output, numClasses);
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet) -> logits [N, numClasses]; global pooling is a mean. */
  forward(x: Tensor): Tensor {
    x = this.maxpool.forward(this.conv1.forward(x));
    x = this.conv5.forward(this.stage4.forward(this.stage3.forward(this.stage2.forward(x))));
    return this.fc.forward(mean(x, [2, 3]));
  }
}

type Options = { numClasses?: number };
const REPEATS = [4, 8, 4];
/** ShuffleNet V2 x0.5: 1,366,792 parameters. */
export const shufflenet_v2_x0_5 = (options: Options = {}) =>
  new ShuffleNetV2(REPEATS, [24, 48, 96, 192, 1024], options);
/** ShuffleNet V2 x1.0: 2,278,604 parameters. */
export const shufflenet_v2_x1_0 = (options: Options = {}) =>
  new ShuffleNetV2(REPEATS, [24, 116, 232, 464, 1024], options);
/** ShuffleNet V2 x1.5: 3,503,624 parameters. */
export const shufflenet_v2_x1_5 = (options: Options = {}) =>
  new ShuffleNetV2(REPEATS, [24, 176, 352, 704, 1024], options);
/** ShuffleNet V2 x2.0: 7,393,996 parameters. */
export const shufflenet_v2_x2_0 = (options: Options = {}) =>
  new ShuffleNetV2(REPEATS, [24, 244, 488, 976, 2048], options);
