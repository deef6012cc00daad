/**
 * ResNet as torchvision builds it (`torchvision/models/resnet.py`; He et al. 2015, with the
 * stride of a bottleneck on its 3x3 convolution, "ResNet v1.5"): a 7x7 stem and four stages of
 * residual blocks, out = relu(F(x) + shortcut(x)), where the shortcut is the identity or, when
 * the shape changes, a strided 1x1 convolution with batch norm (`downsample`). Initialisation as
 * torchvision: convolutions kaiming_normal_(fan_out, relu), batch norm weight 1 and bias 0.
 * ResNeXt (Xie et al. 2016) is the same network with grouped 3x3 convolutions in its bottlenecks
 * (`groups` groups of `widthPerGroup` channels); Wide ResNet (Zagoruyko & Komodakis 2016) doubles
 * the bottleneck width (`widthPerGroup: 128`). `replaceStrideWithDilation` turns a stage's stride
 * into dilation (for segmentation backbones). Weights: see the table in `sg.models`.
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { flatten } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { convBnAct, residualRelu } from '../nn/fusion.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';
import { constant_, kaimingNormal_ } from './init.js';

/** 3x3 convolution whose padding equals its dilation, so stride 1 keeps the size. */
const conv3x3 = (inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1) =>
  new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, dilation, bias: false });
const conv1x1 = (inPlanes: number, outPlanes: number, stride = 1) =>
  new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });

/** Two 3x3 convolutions (ResNet-18/34). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;

  /** Two 3x3 convolutions from `inPlanes` to `planes` channels (the first with `stride`); `downsample` is the shortcut when the shape changes. `groups`, `baseWidth` and `dilation` must stay 1, 64 and 1, as torchvision's. */
  constructor(
    inPlanes: number,
    planes: number,
    stride = 1,
    downsample: Sequential | null = null,
    groups = 1,
    baseWidth = 64,
    dilation = 1,
  ) {
    super();
    if (groups !== 1 || baseWidth !== 64) throw new Error('BasicBlock only supports groups=1 and base_width=64');
    if (dilation > 1) throw new Error('Dilation > 1 not supported in BasicBlock');
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU(true);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  /** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); conv-bn(-relu) and the final add + relu fuse (nn/fusion.ts). */
  forward(x: Tensor): Tensor {
    const out = convBnAct(this.conv2, this.bn2, null, convBnAct(this.conv1, this.bn1, this.relu, x));
    return residualRelu(this.relu, out, this.downsample ? this.downsample.forward(x) : x);
  }
}

/**
 * 1x1 reduce, 3x3 (strided, grouped, dilated), 1x1 expand by 4 (ResNet-50 and deeper). The
 * inner width is floor(planes * baseWidth / 64) * groups: `planes` for ResNet, 2 x planes for
 * ResNeXt-50 32x4d and Wide ResNet.
 */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  relu: ReLU;
  downsample: Sequential | null;

  /** 1x1, 3x3 (with `stride`, `groups`, `dilation`) and 1x1 convolutions through floor(planes * baseWidth / 64) * groups channels, out to `planes` * 4; `downsample` is the shortcut when the shape changes. */
  constructor(
    inPlanes: number,
    planes: number,
    stride = 1,
    downsample: Sequential | null = null,
    groups = 1,
    baseWidth = 64,
    dilation = 1,
  ) {
    super();
    const width = Math.floor(planes * (baseWidth / 64)) * groups;
    this.conv1 = conv1x1(inPlanes, width);
    this.bn1 = new BatchNorm2d(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = new BatchNorm2d(width);
    this.conv3 = conv1x1(width, planes * 4);
    this.bn3 = new BatchNorm2d(planes * 4);
    this.relu = new ReLU(true);
    this.downsample = downsample;
  }

  /** relu(bn3(conv3(...)) + shortcut(x)), fused as BasicBlock's. */
  forward(x: Tensor): Tensor {
    let out = convBnAct(this.conv1, this.bn1, this.relu, x);
    out = convBnAct(this.conv2, this.bn2, this.relu, out);
    out = convBnAct(this.conv3, this.bn3, null, out);
    return residualRelu(this.relu, out, this.downsample ? this.downsample.forward(x) : x);
  }
}

type Block = typeof BasicBlock | typeof Bottleneck;

/** Options of the ResNets, ResNeXts and Wide ResNets (`resnet18` ... `wide_resnet101_2`), as torchvision's `ResNet` keyword arguments. */
export interface ResNetOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Start every block's last batch norm at weight 0, so each block begins as the identity. */
  zeroInitResidual?: boolean;
  /** Groups of the bottleneck's 3x3 convolution (ResNeXt's cardinality; 1). */
  groups?: number;
  /** Channels per group of the bottleneck's 3x3 convolution at the first stage (64). */
  widthPerGroup?: number;
  /** For stages 2, 3, 4: replace the stride 2 by dilation (default [false, false, false]). */
  replaceStrideWithDilation?: [boolean, boolean, boolean] | null;
}

/** ResNet (`torchvision.models.ResNet`): a 7x7 stem, four stages of `block`s (`layers` blocks each), global average pooling and a linear layer; build it with `resnet18()`, `resnet34()`, `resnet50()`. */
export class ResNet extends Module {
  private inPlanes = 64;
  private dilation = 1;
  private readonly groups: number;
  private readonly baseWidth: number;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  maxpool: MaxPool2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;

  /** `new ResNet(block, layers, {numClasses, groups, widthPerGroup, ...})`: `layers[i]` blocks of type `block` (BasicBlock or Bottleneck) in stage i, as torchvision's `ResNet(block, layers, ...)`. */
  constructor(block: Block, layers: [number, number, number, number], options: ResNetOptions = {}) {
    super();
    const defaults = {
      numClasses: 1000,
      zeroInitResidual: false,
      groups: 1,
      widthPerGroup: 64,
      replaceStrideWithDilation: null as boolean[] | null,
    };
    const { numClasses, zeroInitResidual, groups, widthPerGroup, replaceStrideWithDilation } = modelOptions(
      'ResNet',
      options,
      defaults,
    );
    const dilate = replaceStrideWithDilation ?? [false, false, false];
    if (dilate.length !== 3) {
      throw new Error(
        `ResNet: replaceStrideWithDilation should be null or a 3-element array, got [${dilate.join(', ')}]`,
      );
    }
    this.groups = groups;
    this.baseWidth = widthPerGroup;
    this.conv1 = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    this.relu = new ReLU(true);
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, 64, layers[0]);
    this.layer2 = this.makeLayer(block, 128, layers[1], 2, dilate[0]);
    this.layer3 = this.makeLayer(block, 256, layers[2], 2, dilate[1]);
    this.layer4 = this.makeLayer(block, 512, layers[3], 2, dilate[2]);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(512 * block.expansion, numClasses);
    for (const m of this.modules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.weight, 'fanOut');
      else if (m instanceof BatchNorm2d) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      }
    }
    if (zeroInitResidual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck) constant_(m.bn3.weight, 0);
        else if (m instanceof BasicBlock) constant_(m.bn2.weight, 0);
      }
    }
  }

  /**
   * A stage: its first block may stride and change width (then with a 1x1 `downsample`). With
   * `dilate` the stride becomes dilation, from the stage's second block on (as torchvision).
   */
  private makeLayer(block: Block, planes: number, blocks: number, stride = 1, dilate = false): Sequential {
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    const outPlanes = planes * block.expansion;
    const downsample =
      stride !== 1 || this.inPlanes !== outPlanes
        ? new Sequential(conv1x1(this.inPlanes, outPlanes, stride), new BatchNorm2d(outPlanes))
        : null;
    const out = [new block(this.inPlanes, planes, stride, downsample, this.groups, this.baseWidth, previousDilation)];
    this.inPlanes = outPlanes;
    for (let i = 1; i < blocks; i++)
      out.push(new block(this.inPlanes, planes, 1, null, this.groups, this.baseWidth, this.dilation));
    return new Sequential(...out);
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    x = this.maxpool.forward(convBnAct(this.conv1, this.bn1, this.relu, x));
    x = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(x))));
    return this.fc.forward(flatten(this.avgpool.forward(x), 1));
  }
}

/** ResNet-18: 11,689,512 parameters. */
export const resnet18 = (options: ResNetOptions = {}) => new ResNet(BasicBlock, [2, 2, 2, 2], options);
/** ResNet-34: 21,797,672 parameters. */
export const resnet34 = (options: ResNetOptions = {}) => new ResNet(BasicBlock, [3, 4, 6, 3], options);
/** ResNet-50: 25,557,032 parameters. */
export const resnet50 = (options: ResNetOptions = {}) => new ResNet(Bottleneck, [3, 4, 6, 3], options);
/** ResNet-101: 44,549,160 parameters. */
export const resnet101 = (options: ResNetOptions = {}) => new ResNet(Bottleneck, [3, 4, 23, 3], options);
/** ResNet-152: 60,192,808 parameters. */
export const resnet152 = (options: ResNetOptions = {}) => new ResNet(Bottleneck, [3, 8, 36, 3], options);

/**
 * A ResNet whose `groups` and `widthPerGroup` the variant fixes; passing another value is an
 * error, as torchvision's `_ovewrite_named_param`.
 */
const variant =
  (layers: [number, number, number, number], groups: number, widthPerGroup: number) =>
  (options: ResNetOptions = {}) => {
    const fixed = { groups, widthPerGroup };
    for (const [key, value] of Object.entries(fixed)) {
      const given = (options as Record<string, unknown>)[key];
      if (given !== undefined && given !== value)
        throw new Error(`ResNet: the parameter '${key}' expected value ${value} but got ${String(given)} instead.`);
    }
    return new ResNet(Bottleneck, layers, { ...options, ...fixed });
  };

/** ResNeXt-50 32x4d: 25,028,904 parameters. */
export const resnext50_32x4d = variant([3, 4, 6, 3], 32, 4);
/** ResNeXt-101 32x8d: 88,791,336 parameters. */
export const resnext101_32x8d = variant([3, 4, 23, 3], 32, 8);
/** ResNeXt-101 64x4d: 83,455,272 parameters. */
export const resnext101_64x4d = variant([3, 4, 23, 3], 64, 4);
/** Wide ResNet-50-2 (bottlenecks twice as wide): 68,883,240 parameters. */
export const wide_resnet50_2 = variant([3, 4, 6, 3], 1, 128);
/** Wide ResNet-101-2: 126,886,696 parameters. */
export const wide_resnet101_2 = variant([3, 4, 23, 3], 1, 128);
