/**
 * ResNet as torchvision builds it (`torchvision/models/resnet.py`; He et al. 2015, with the
 * stride of a bottleneck on its 3x3 convolution, "ResNet v1.5"): a 7x7 stem and four stages of
 * residual blocks, out = relu(F(x) + shortcut(x)), where the shortcut is the identity or, when
 * the shape changes, a strided 1x1 convolution with batch norm (`downsample`). Initialisation as
 * torchvision: convolutions kaiming_normal_(fan_out, relu), batch norm weight 1 and bias 0.
 * Weights: `resnet18-f37072fd.pth`, `resnet34-b627a593.pth`, `resnet50-0676ba61.pth` (see
 * `sg.models.get`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { flatten } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';
import { constant_, kaimingNormal_ } from './init.js';

const conv3x3 = (inPlanes: number, outPlanes: number, stride = 1) => new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
const conv1x1 = (inPlanes: number, outPlanes: number, stride = 1) => new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });

/** Two 3x3 convolutions (ResNet-18/34). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;

  /** Two 3x3 convolutions from `inPlanes` to `planes` channels (the first with `stride`); `downsample` is the shortcut when the shape changes. */
  constructor(inPlanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU(true);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    return this.relu.forward(add(out, this.downsample ? this.downsample.forward(x) : x));
  }
}

/** 1x1 reduce, 3x3 (strided), 1x1 expand by 4 (ResNet-50 and deeper). */
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

  /** 1x1, 3x3 (with `stride`) and 1x1 convolutions, out to `planes` * 4 channels; `downsample` is the shortcut when the shape changes. */
  constructor(inPlanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv1x1(inPlanes, planes);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, stride);
    this.bn2 = new BatchNorm2d(planes);
    this.conv3 = conv1x1(planes, planes * 4);
    this.bn3 = new BatchNorm2d(planes * 4);
    this.relu = new ReLU(true);
    this.downsample = downsample;
  }

  forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    return this.relu.forward(add(out, this.downsample ? this.downsample.forward(x) : x));
  }
}

type Block = typeof BasicBlock | typeof Bottleneck;

/** Options of the ResNets (`resnet18`, `resnet34`, `resnet50`), as torchvision's `num_classes` and `zero_init_residual`. */
export interface ResNetOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Start every block's last batch norm at weight 0, so each block begins as the identity. */
  zeroInitResidual?: boolean;
}

/** ResNet (`torchvision.models.ResNet`): a 7x7 stem, four stages of `block`s (`layers` blocks each), global average pooling and a linear layer; build it with `resnet18()`, `resnet34()`, `resnet50()`. */
export class ResNet extends Module {
  private inPlanes = 64;
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

  /** `new ResNet(block, layers, {numClasses, zeroInitResidual})`: `layers[i]` blocks of type `block` (BasicBlock or Bottleneck) in stage i, as torchvision's `ResNet(block, layers)`. */
  constructor(block: Block, layers: [number, number, number, number], options: ResNetOptions = {}) {
    super();
    const { numClasses, zeroInitResidual } = modelOptions('ResNet', options, { numClasses: 1000, zeroInitResidual: false });
    this.conv1 = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    this.relu = new ReLU(true);
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, 64, layers[0]);
    this.layer2 = this.makeLayer(block, 128, layers[1], 2);
    this.layer3 = this.makeLayer(block, 256, layers[2], 2);
    this.layer4 = this.makeLayer(block, 512, layers[3], 2);
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

  /** A stage: its first block may stride and change width (then with a 1x1 `downsample`). */
  private makeLayer(block: Block, planes: number, blocks: number, stride = 1): Sequential {
    const outPlanes = planes * block.expansion;
    const downsample = stride !== 1 || this.inPlanes !== outPlanes ? new Sequential(conv1x1(this.inPlanes, outPlanes, stride), new BatchNorm2d(outPlanes)) : null;
    const out = [new block(this.inPlanes, planes, stride, downsample)];
    this.inPlanes = outPlanes;
    for (let i = 1; i < blocks; i++) out.push(new block(this.inPlanes, planes));
    return new Sequential(...out);
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    x = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
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
