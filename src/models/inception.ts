/**
 * Inception v3 as torchvision builds it (`torchvision/models/inception.py`; Szegedy et al.
 * 2015): a convolutional stem, then blocks A (35 x 35), B (reduction), C (17 x 17, 7x7 factored
 * into 1x7 and 7x1), D (reduction) and E (8 x 8, 3x3 split into parallel 1x3 and 3x1), each
 * concatenating parallel branches along the channels. An auxiliary classifier after Mixed_6e
 * adds to the loss in training: torchvision returns `InceptionOutputs(logits, aux_logits)` in
 * training mode, here `{logits, auxLogits}`, and the logits alone in eval mode or without
 * `auxLogits`. Inputs are 299 x 299 (at least 75 x 75; at least 299 x 299 in training mode with
 * the auxiliary classifier, whose 5x5 convolution needs Mixed_6e's output to be 17 x 17).
 * Initialisation as torchvision: convolution and linear weights trunc_normal_(0, 0.1, -2, 2),
 * the auxiliary linear layer's with std 0.001, batch norm 1 and 0. Weights:
 * `inception_v3_google-0cc3c7bd.pth` (see `sg.models.get`, which sets `transformInput` for it).
 * Memory: each block concatenates its branches once (`cat`), so every value is copied once, O(1)
 * per block, unlike a DenseNet layer's growing input; writing the branches' last ReLU straight
 * into the block's output would save one read and write of it (about a tenth of a block's traffic).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import type { Pair } from '../ops/conv.js';
import { cat, flatten } from '../ops/shape.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../ops/pool.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Dropout } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';
import { constant_, truncNormal_ } from './init.js';
import { BasicConv2d } from './basic_conv2d.js';
import { transformInput } from './transform_input.js';

const conv = (i: number, o: number, kernelSize: Pair, padding: Pair = 0, stride = 1) =>
  new BasicConv2d(i, o, { kernelSize, stride, padding });
/** The 3x3 average pool (stride 1, padding 1, padding counted) that blocks A, C and E pool with. */
const avgPool3 = (x: Tensor) => avgPool2d(x, 3, { stride: 1, padding: 1 });
const maxPool3s2 = (x: Tensor) => maxPool2d(x, 3, { stride: 2 });

// Each forward runs its branches in torchvision's order (summary rows follow it).

/** 35 x 35: 1x1 | 1x1, 5x5 | 1x1, 3x3, 3x3 | avg pool, 1x1 -> 224 + poolFeatures channels. */
export class InceptionA extends Module {
  branch1x1: BasicConv2d;
  branch5x5_1: BasicConv2d;
  branch5x5_2: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3: BasicConv2d;
  branch_pool: BasicConv2d;

  constructor(inChannels: number, poolFeatures: number) {
    super();
    this.branch1x1 = conv(inChannels, 64, 1);
    this.branch5x5_1 = conv(inChannels, 48, 1);
    this.branch5x5_2 = conv(48, 64, 5, 2);
    this.branch3x3dbl_1 = conv(inChannels, 64, 1);
    this.branch3x3dbl_2 = conv(64, 96, 3, 1);
    this.branch3x3dbl_3 = conv(96, 96, 3, 1);
    this.branch_pool = conv(inChannels, poolFeatures, 1);
  }

  forward(x: Tensor): Tensor {
    const b1 = this.branch1x1.forward(x);
    const b5 = this.branch5x5_2.forward(this.branch5x5_1.forward(x));
    const b3 = this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x)));
    return cat([b1, b5, b3, this.branch_pool.forward(avgPool3(x))], 1);
  }
}

/** 35 -> 17: 3x3 stride 2 | 1x1, 3x3, 3x3 stride 2 | max pool -> 480 + inChannels channels. */
export class InceptionB extends Module {
  branch3x3: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3 = conv(inChannels, 384, 3, 0, 2);
    this.branch3x3dbl_1 = conv(inChannels, 64, 1);
    this.branch3x3dbl_2 = conv(64, 96, 3, 1);
    this.branch3x3dbl_3 = conv(96, 96, 3, 0, 2);
  }

  forward(x: Tensor): Tensor {
    const b3 = this.branch3x3.forward(x);
    const d = this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x)));
    return cat([b3, d, maxPool3s2(x)], 1);
  }
}

/** 17 x 17: 1x1 | 1x1, 1x7, 7x1 | 1x1, 7x1, 1x7, 7x1, 1x7 | avg pool, 1x1 -> 768 channels. */
export class InceptionC extends Module {
  branch1x1: BasicConv2d;
  branch7x7_1: BasicConv2d;
  branch7x7_2: BasicConv2d;
  branch7x7_3: BasicConv2d;
  branch7x7dbl_1: BasicConv2d;
  branch7x7dbl_2: BasicConv2d;
  branch7x7dbl_3: BasicConv2d;
  branch7x7dbl_4: BasicConv2d;
  branch7x7dbl_5: BasicConv2d;
  branch_pool: BasicConv2d;

  constructor(inChannels: number, channels7x7: number) {
    super();
    const c7 = channels7x7;
    this.branch1x1 = conv(inChannels, 192, 1);
    this.branch7x7_1 = conv(inChannels, c7, 1);
    this.branch7x7_2 = conv(c7, c7, [1, 7], [0, 3]);
    this.branch7x7_3 = conv(c7, 192, [7, 1], [3, 0]);
    this.branch7x7dbl_1 = conv(inChannels, c7, 1);
    this.branch7x7dbl_2 = conv(c7, c7, [7, 1], [3, 0]);
    this.branch7x7dbl_3 = conv(c7, c7, [1, 7], [0, 3]);
    this.branch7x7dbl_4 = conv(c7, c7, [7, 1], [3, 0]);
    this.branch7x7dbl_5 = conv(c7, 192, [1, 7], [0, 3]);
    this.branch_pool = conv(inChannels, 192, 1);
  }

  forward(x: Tensor): Tensor {
    const b1 = this.branch1x1.forward(x);
    const b7 = this.branch7x7_3.forward(this.branch7x7_2.forward(this.branch7x7_1.forward(x)));
    let d = this.branch7x7dbl_2.forward(this.branch7x7dbl_1.forward(x));
    d = this.branch7x7dbl_5.forward(this.branch7x7dbl_4.forward(this.branch7x7dbl_3.forward(d)));
    return cat([b1, b7, d, this.branch_pool.forward(avgPool3(x))], 1);
  }
}

/** 17 -> 8: 1x1, 3x3 stride 2 | 1x1, 1x7, 7x1, 3x3 stride 2 | max pool -> 512 + inChannels channels. */
export class InceptionD extends Module {
  branch3x3_1: BasicConv2d;
  branch3x3_2: BasicConv2d;
  branch7x7x3_1: BasicConv2d;
  branch7x7x3_2: BasicConv2d;
  branch7x7x3_3: BasicConv2d;
  branch7x7x3_4: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3_1 = conv(inChannels, 192, 1);
    this.branch3x3_2 = conv(192, 320, 3, 0, 2);
    this.branch7x7x3_1 = conv(inChannels, 192, 1);
    this.branch7x7x3_2 = conv(192, 192, [1, 7], [0, 3]);
    this.branch7x7x3_3 = conv(192, 192, [7, 1], [3, 0]);
    this.branch7x7x3_4 = conv(192, 192, 3, 0, 2);
  }

  forward(x: Tensor): Tensor {
    const b3 = this.branch3x3_2.forward(this.branch3x3_1.forward(x));
    const b7 = this.branch7x7x3_4.forward(
      this.branch7x7x3_3.forward(this.branch7x7x3_2.forward(this.branch7x7x3_1.forward(x))),
    );
    return cat([b3, b7, maxPool3s2(x)], 1);
  }
}

/** 8 x 8: 1x1 | 1x1, (1x3 | 3x1) | 1x1, 3x3, (1x3 | 3x1) | avg pool, 1x1 -> 2048 channels. */
export class InceptionE extends Module {
  branch1x1: BasicConv2d;
  branch3x3_1: BasicConv2d;
  branch3x3_2a: BasicConv2d;
  branch3x3_2b: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3a: BasicConv2d;
  branch3x3dbl_3b: BasicConv2d;
  branch_pool: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch1x1 = conv(inChannels, 320, 1);
    this.branch3x3_1 = conv(inChannels, 384, 1);
    this.branch3x3_2a = conv(384, 384, [1, 3], [0, 1]);
    this.branch3x3_2b = conv(384, 384, [3, 1], [1, 0]);
    this.branch3x3dbl_1 = conv(inChannels, 448, 1);
    this.branch3x3dbl_2 = conv(448, 384, 3, 1);
    this.branch3x3dbl_3a = conv(384, 384, [1, 3], [0, 1]);
    this.branch3x3dbl_3b = conv(384, 384, [3, 1], [1, 0]);
    this.branch_pool = conv(inChannels, 192, 1);
  }

  forward(x: Tensor): Tensor {
    const b1 = this.branch1x1.forward(x);
    const s = this.branch3x3_1.forward(x);
    const b3 = [this.branch3x3_2a.forward(s), this.branch3x3_2b.forward(s)];
    const d = this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x));
    const bd = [this.branch3x3dbl_3a.forward(d), this.branch3x3dbl_3b.forward(d)];
    // One cat of the six pieces: the channel order of torchvision's cat of cats.
    return cat([b1, ...b3, ...bd, this.branch_pool.forward(avgPool3(x))], 1);
  }
}

/** The auxiliary classifier: 5x5 average pool stride 3, 1x1 conv, 5x5 conv, global pool, linear. */
export class InceptionAux extends Module {
  conv0: BasicConv2d;
  conv1: BasicConv2d;
  fc: Linear;

  constructor(inChannels: number, numClasses: number) {
    super();
    this.conv0 = conv(inChannels, 128, 1);
    this.conv1 = conv(128, 768, 5);
    this.fc = new Linear(768, numClasses);
  }

  /** [N, 768, 17, 17] -> [N, numClasses]. */
  forward(x: Tensor): Tensor {
    const y = this.conv1.forward(this.conv0.forward(avgPool2d(x, 5, { stride: 3 })));
    return this.fc.forward(flatten(adaptiveAvgPool2d(y, [1, 1]), 1));
  }
}

/** torchvision's `InceptionOutputs(logits, aux_logits)`. */
export interface InceptionOutputs {
  logits: Tensor;
  auxLogits: Tensor;
}

/** Options of `inception_v3`, as torchvision's `Inception3` keyword arguments (`num_classes`, `aux_logits`, `transform_input`, `init_weights`, `dropout`). */
export interface Inception3Options {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Build the auxiliary classifier and return its logits in training mode (true). */
  auxLogits?: boolean;
  /** Re-normalise inputs from ImageNet's mean and std to [-1, 1], as the ported weights expect (false). */
  transformInput?: boolean;
  /** Apply torchvision's truncated-normal initialisation (true; false keeps PyTorch's layer defaults). */
  initWeights?: boolean;
  /** Dropout before the last layer (0.5). */
  dropout?: number;
}

/** Inception v3 (`torchvision.models.Inception3`) for 299 x 299 inputs: a stem, Inception blocks A to E, an optional auxiliary classifier, global average pooling and a linear layer; build it with `inception_v3()`. */
export class Inception3 extends Module {
  auxLogits: boolean;
  readonly transformInput: boolean;
  Conv2d_1a_3x3: BasicConv2d;
  Conv2d_2a_3x3: BasicConv2d;
  Conv2d_2b_3x3: BasicConv2d;
  maxpool1: MaxPool2d;
  Conv2d_3b_1x1: BasicConv2d;
  Conv2d_4a_3x3: BasicConv2d;
  maxpool2: MaxPool2d;
  Mixed_5b: InceptionA;
  Mixed_5c: InceptionA;
  Mixed_5d: InceptionA;
  Mixed_6a: InceptionB;
  Mixed_6b: InceptionC;
  Mixed_6c: InceptionC;
  Mixed_6d: InceptionC;
  Mixed_6e: InceptionC;
  AuxLogits: InceptionAux | null;
  Mixed_7a: InceptionD;
  Mixed_7b: InceptionE;
  Mixed_7c: InceptionE;
  avgpool: AdaptiveAvgPool2d;
  dropout: Dropout;
  fc: Linear;

  constructor(options: Inception3Options = {}) {
    super();
    const o = modelOptions('Inception3', options, {
      numClasses: 1000,
      auxLogits: true,
      transformInput: false,
      initWeights: true,
      dropout: 0.5,
    });
    this.auxLogits = o.auxLogits;
    this.transformInput = o.transformInput;
    this.Conv2d_1a_3x3 = conv(3, 32, 3, 0, 2);
    this.Conv2d_2a_3x3 = conv(32, 32, 3);
    this.Conv2d_2b_3x3 = conv(32, 64, 3, 1);
    this.maxpool1 = new MaxPool2d(3, { stride: 2 });
    this.Conv2d_3b_1x1 = conv(64, 80, 1);
    this.Conv2d_4a_3x3 = conv(80, 192, 3);
    this.maxpool2 = new MaxPool2d(3, { stride: 2 });
    this.Mixed_5b = new InceptionA(192, 32);
    this.Mixed_5c = new InceptionA(256, 64);
    this.Mixed_5d = new InceptionA(288, 64);
    this.Mixed_6a = new InceptionB(288);
    this.Mixed_6b = new InceptionC(768, 128);
    this.Mixed_6c = new InceptionC(768, 160);
    this.Mixed_6d = new InceptionC(768, 160);
    this.Mixed_6e = new InceptionC(768, 192);
    this.AuxLogits = o.auxLogits ? new InceptionAux(768, o.numClasses) : null;
    this.Mixed_7a = new InceptionD(768);
    this.Mixed_7b = new InceptionE(1280);
    this.Mixed_7c = new InceptionE(2048);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout({ p: o.dropout });
    this.fc = new Linear(2048, o.numClasses);
    if (o.initWeights) this.initialise();
  }

  /**
   * torchvision sets `stddev` 0.01 on AuxLogits.conv1 (a BasicConv2d, which its loop never
   * reads: that convolution gets 0.1 like the others) and 0.001 on AuxLogits.fc.
   */
  private initialise(): void {
    for (const m of this.modules()) {
      if (m instanceof Conv2d || m instanceof Linear)
        truncNormal_(m.weight, 0, m === this.AuxLogits?.fc ? 0.001 : 0.1, -2, 2);
      else if (m instanceof BatchNorm2d) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      }
    }
  }

  /** [N, 3, 299, 299] -> logits [N, numClasses]; in training mode with `auxLogits`, `{logits, auxLogits}`. */
  forward(x: Tensor): Tensor | InceptionOutputs {
    if (this.transformInput) x = transformInput(x);
    x = this.maxpool1.forward(this.Conv2d_2b_3x3.forward(this.Conv2d_2a_3x3.forward(this.Conv2d_1a_3x3.forward(x))));
    x = this.maxpool2.forward(this.Conv2d_4a_3x3.forward(this.Conv2d_3b_1x1.forward(x)));
    x = this.Mixed_5d.forward(this.Mixed_5c.forward(this.Mixed_5b.forward(x)));
    x = this.Mixed_6e.forward(
      this.Mixed_6d.forward(this.Mixed_6c.forward(this.Mixed_6b.forward(this.Mixed_6a.forward(x)))),
    );
    const aux = this.training && this.auxLogits && this.AuxLogits ? this.AuxLogits.forward(x) : null;
    x = this.Mixed_7c.forward(this.Mixed_7b.forward(this.Mixed_7a.forward(x)));
    const logits = this.fc.forward(flatten(this.dropout.forward(this.avgpool.forward(x)), 1));
    return aux ? { logits, auxLogits: aux } : logits;
  }
}

/** Inception v3: 27,161,264 parameters with the auxiliary classifier (25,112,264 without). */
export const inception_v3 = (options: Inception3Options = {}) => new Inception3(options);
