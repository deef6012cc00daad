/**
 * The CIFAR-10 ResNets of He et al. 2015 (section 4.2) as akamaster/pytorch_resnet_cifar10
 * defines them (`resnet.py`; its published checkpoints load here): a 3x3 stem with 16
 * channels, three stages of n BasicBlocks (16, 32, 64 channels, 6n + 2 layers), global average
 * pooling and a linear layer. When a block halves the resolution and doubles the width its
 * shortcut is "option A", which has no parameters: x[:, :, ::2, ::2] zero-padded with planes/4
 * channels on each side. Initialisation as that file: kaiming_normal_ (fan_in) for convolution
 * and linear weights. They print as `ResNet`, `BasicBlock` and `LambdaLayer`, as in PyTorch.
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add, relu } from '../ops/elementwise.js';
import { zeros } from '../ops/create.js';
import { cat, flatten, slice } from '../ops/shape.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';
import { kaimingNormal_ } from './init.js';

/** A module that applies a function (no parameters); prints as `LambdaLayer()`. */
export class LambdaLayer extends Module {
  constructor(private readonly fn: (x: Tensor) => Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** Option A shortcut: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, pad, pad)) with pad zero channels each side. */
export function optionAShortcut(x: Tensor, pad: number): Tensor {
  const sub = slice(slice(x, 2, 0, undefined, 2), 3, 0, undefined, 2);
  const [n, , h, w] = sub.shape;
  const zero = zeros([n, pad, h, w]);
  return cat([zero, sub, zero], 1);
}

/** The residual block of the CIFAR ResNets: out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut the identity or option A; prints as `BasicBlock`. */
export class CifarBasicBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  shortcut: Module;

  /** A block from `inPlanes` to `planes` channels; when `stride` is not 1 or the width changes, the shortcut is option A. */
  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = new Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(planes);
    this.shortcut =
      stride !== 1 || inPlanes !== planes ? new LambdaLayer((x) => optionAShortcut(x, planes >> 2)) : new Sequential();
  }

  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return relu(add(out, this.shortcut.forward(x)));
  }

  protected override typeName(): string {
    return 'BasicBlock';
  }
}

/** Options of the CIFAR ResNets (`cifarResnet20` ... `cifarResnet110`). */
export interface CifarResNetOptions {
  /** Size of the linear layer (10 for CIFAR-10). */
  numClasses?: number;
}

/** A CIFAR-10 ResNet of 6n + 2 layers (n = `blocks` per stage) for [N, 3, 32, 32] inputs, as akamaster's `ResNet`; build it with `cifarResnet20()` ... `cifarResnet110()`. */
export class CifarResNet extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  linear: Linear;

  /** `blocks` BasicBlocks per stage: 3 (ResNet-20), 5, 7, 9, 18 (ResNet-110). */
  constructor(blocks: number, options: CifarResNetOptions = {}) {
    super();
    const { numClasses } = modelOptions('ResNet', options, { numClasses: 10 });
    this.conv1 = new Conv2d(3, 16, 3, { padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(16);
    const stage = (inPlanes: number, planes: number, stride: number) =>
      new Sequential(
        ...Array.from(
          { length: blocks },
          (_, i) => new CifarBasicBlock(i === 0 ? inPlanes : planes, planes, i === 0 ? stride : 1),
        ),
      );
    this.layer1 = stage(16, 16, 1);
    this.layer2 = stage(16, 32, 2);
    this.layer3 = stage(32, 64, 2);
    this.linear = new Linear(64, numClasses);
    for (const m of this.modules()) if (m instanceof Conv2d || m instanceof Linear) kaimingNormal_(m.weight);
  }

  /** [N, 3, 32, 32] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    let out = relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.layer3.forward(this.layer2.forward(this.layer1.forward(out)));
    // F.avg_pool2d(out, out.size(3)): one window over the whole (square) map.
    return this.linear.forward(flatten(adaptiveAvgPool2d(out, 1), 1));
  }

  protected override typeName(): string {
    return 'ResNet';
  }
}

/** ResNet-20 for CIFAR-10: 269,722 parameters (checkpoint `resnet20-12fca82f.th`). */
export const cifar_resnet20 = (options: CifarResNetOptions = {}) => new CifarResNet(3, options);
/** ResNet-32: 464,154 parameters (`resnet32-d509ac18.th`). */
export const cifar_resnet32 = (options: CifarResNetOptions = {}) => new CifarResNet(5, options);
/** ResNet-44: 658,586 parameters (`resnet44-014dd654.th`). */
export const cifar_resnet44 = (options: CifarResNetOptions = {}) => new CifarResNet(7, options);
/** ResNet-56: 853,018 parameters (`resnet56-4bfd9763.th`). */
export const cifar_resnet56 = (options: CifarResNetOptions = {}) => new CifarResNet(9, options);
/** ResNet-110: 1,727,962 parameters (`resnet110-1d1ed7c2.th`). */
export const cifar_resnet110 = (options: CifarResNetOptions = {}) => new CifarResNet(18, options);
