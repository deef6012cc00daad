/**
 * BasicConv2d of GoogLeNet and Inception v3 (`torchvision/models/googlenet.py`, `inception.py`):
 * relu(batchnorm(conv(x))), the convolution without bias and the batch norm with eps = 0.001 as
 * in the TensorFlow originals the published weights come from.
 */
import type { Tensor } from '../tensor.js';
import type { Pair } from '../ops/conv.js';
import { relu } from '../ops/elementwise.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';

/** The convolution's geometry for `BasicConv2d`: kernel size, stride (default 1) and padding (default 0). */
export interface BasicConv2dArgs {
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair;
}

/** relu(bn(conv(x))), bias-free convolution and batch norm with eps 0.001, as torchvision's `BasicConv2d` (GoogLeNet, Inception v3). */
export class BasicConv2d extends Module {
  conv: Conv2d;
  bn: BatchNorm2d;

  /** `new BasicConv2d(64, 192, {kernelSize: 3, padding: 1})`, as `BasicConv2d(64, 192, kernel_size=3, padding=1)`. */
  constructor(inChannels: number, outChannels: number, args: BasicConv2dArgs) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, args.kernelSize, {
      stride: args.stride ?? 1,
      padding: args.padding ?? 0,
      bias: false,
    });
    this.bn = new BatchNorm2d(outChannels, { eps: 0.001 });
  }

  forward(x: Tensor): Tensor {
    return relu(this.bn.forward(this.conv.forward(x)));
  }
}
