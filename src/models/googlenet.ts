/**
 * GoogLeNet (Inception v1) as torchvision builds it (`torchvision/models/googlenet.py`; Szegedy
 * et al. 2014, with batch norm). An Inception block runs four branches on the same input (1x1;
 * 1x1 then 3x3; 1x1 then "5x5", a 3x3 in torchvision as in the weights it ports; 3x3 max pool
 * then 1x1) and concatenates them along the channels. Two auxiliary classifiers after
 * inception4a and inception4d add to the loss in training; torchvision returns
 * `GoogLeNetOutputs(logits, aux_logits2, aux_logits1)` in training mode, here
 * `{logits, auxLogits2, auxLogits1}` holding the same tensors (see the NOTE in `forward`), and
 * the logits alone in eval mode or without `auxLogits`.
 * Initialisation as torchvision: convolution and linear weights trunc_normal_(0, 0.01, -2, 2),
 * batch norm 1 and 0. Weights: `googlenet-1378be20.pth` (see `sg.models.get`, which sets
 * `transformInput` for it as torchvision does).
 * Memory: an Inception block concatenates its four branches once (`cat`): each value is copied
 * once, linear in the network's depth (unlike DenseNet's growing inputs; see `densenet.ts`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { cat, flatten } from '../ops/shape.js';
import { relu } from '../ops/elementwise.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Dropout } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';
import { constant_, truncNormal_ } from './init.js';
import { BasicConv2d } from './basic_conv2d.js';
import { transformInput } from './transform_input.js';

/** Four parallel branches concatenated: ch1x1 + ch3x3 + ch5x5 + poolProj output channels. */
export class Inception extends Module {
  branch1: BasicConv2d;
  branch2: Sequential;
  branch3: Sequential;
  branch4: Sequential;

  constructor(
    inChannels: number,
    ch1x1: number,
    ch3x3red: number,
    ch3x3: number,
    ch5x5red: number,
    ch5x5: number,
    poolProj: number,
  ) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, { kernelSize: 1 });
    this.branch2 = new Sequential(
      new BasicConv2d(inChannels, ch3x3red, { kernelSize: 1 }),
      new BasicConv2d(ch3x3red, ch3x3, { kernelSize: 3, padding: 1 }),
    );
    // NOTE: kernel 3, not 5: a known bug kept for the published weights (pytorch/vision#906).
    this.branch3 = new Sequential(
      new BasicConv2d(inChannels, ch5x5red, { kernelSize: 1 }),
      new BasicConv2d(ch5x5red, ch5x5, { kernelSize: 3, padding: 1 }),
    );
    this.branch4 = new Sequential(
      new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }),
      new BasicConv2d(inChannels, poolProj, { kernelSize: 1 }),
    );
  }

  forward(x: Tensor): Tensor {
    return cat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

/** The auxiliary classifier: 4x4 adaptive average pool, 1x1 conv to 128, two linear layers. */
export class InceptionAux extends Module {
  conv: BasicConv2d;
  fc1: Linear;
  fc2: Linear;
  dropout: Dropout;

  constructor(inChannels: number, numClasses: number, dropout = 0.7) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, { kernelSize: 1 });
    this.fc1 = new Linear(2048, 1024);
    this.fc2 = new Linear(1024, numClasses);
    this.dropout = new Dropout({ p: dropout });
  }

  /** [N, C, 14, 14] -> [N, numClasses]. */
  forward(x: Tensor): Tensor {
    const features = flatten(this.conv.forward(adaptiveAvgPool2d(x, [4, 4])), 1);
    return this.fc2.forward(this.dropout.forward(relu(this.fc1.forward(features))));
  }
}

/** torchvision's `GoogLeNetOutputs(logits, aux_logits2, aux_logits1)`, in that order. */
export interface GoogLeNetOutputs {
  logits: Tensor;
  /** The output of the `aux1` head (after inception4a), as in torchvision 0.14. */
  auxLogits2: Tensor;
  /** The output of the `aux2` head (after inception4d), as in torchvision 0.14. */
  auxLogits1: Tensor;
}

/** Options of `googlenet`, as torchvision's `GoogLeNet` keyword arguments (`num_classes`, `aux_logits`, `transform_input`, `init_weights`, `dropout`, `dropout_aux`). */
export interface GoogLeNetOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Build the two auxiliary classifiers and return their logits in training mode (true). */
  auxLogits?: boolean;
  /** Re-normalise inputs from ImageNet's mean and std to [-1, 1], as the ported weights expect (false). */
  transformInput?: boolean;
  /** Apply torchvision's truncated-normal initialisation (true; false keeps PyTorch's layer defaults). */
  initWeights?: boolean;
  /** Dropout before the last layer (0.2). */
  dropout?: number;
  /** Dropout in the auxiliary classifiers (0.7). */
  dropoutAux?: number;
}

/** GoogLeNet (`torchvision.models.GoogLeNet`): a stem, nine Inception blocks, optional auxiliary classifiers, global average pooling and a linear layer; build it with `googlenet()`. */
export class GoogLeNet extends Module {
  auxLogits: boolean;
  readonly transformInput: boolean;
  conv1: BasicConv2d;
  maxpool1: MaxPool2d;
  conv2: BasicConv2d;
  conv3: BasicConv2d;
  maxpool2: MaxPool2d;
  inception3a: Inception;
  inception3b: Inception;
  maxpool3: MaxPool2d;
  inception4a: Inception;
  inception4b: Inception;
  inception4c: Inception;
  inception4d: Inception;
  inception4e: Inception;
  maxpool4: MaxPool2d;
  inception5a: Inception;
  inception5b: Inception;
  aux1: InceptionAux | null;
  aux2: InceptionAux | null;
  avgpool: AdaptiveAvgPool2d;
  dropout: Dropout;
  fc: Linear;

  constructor(options: GoogLeNetOptions = {}) {
    super();
    const defaults = {
      numClasses: 1000,
      auxLogits: true,
      transformInput: false,
      initWeights: true,
      dropout: 0.2,
      dropoutAux: 0.7,
    };
    const o = modelOptions('GoogLeNet', options, defaults);
    this.auxLogits = o.auxLogits;
    this.transformInput = o.transformInput;
    const pool = (k: number) => new MaxPool2d(k, { stride: 2, ceilMode: true });
    this.conv1 = new BasicConv2d(3, 64, { kernelSize: 7, stride: 2, padding: 3 });
    this.maxpool1 = pool(3);
    this.conv2 = new BasicConv2d(64, 64, { kernelSize: 1 });
    this.conv3 = new BasicConv2d(64, 192, { kernelSize: 3, padding: 1 });
    this.maxpool2 = pool(3);
    this.inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = pool(3);
    this.inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = pool(2);
    this.inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
    this.aux1 = o.auxLogits ? new InceptionAux(512, o.numClasses, o.dropoutAux) : null;
    this.aux2 = o.auxLogits ? new InceptionAux(528, o.numClasses, o.dropoutAux) : null;
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout({ p: o.dropout });
    this.fc = new Linear(1024, o.numClasses);
    if (o.initWeights) {
      for (const m of this.modules()) {
        if (m instanceof Conv2d || m instanceof Linear) truncNormal_(m.weight, 0, 0.01, -2, 2);
        else if (m instanceof BatchNorm2d) {
          constant_(m.weight, 1);
          constant_(m.bias, 0);
        }
      }
    }
  }

  /**
   * [N, 3, H, W] (224 x 224 for ImageNet; at least 15 x 15) -> logits [N, numClasses]; in
   * training mode with `auxLogits`, `{logits, auxLogits2, auxLogits1}`.
   */
  forward(x: Tensor): Tensor | GoogLeNetOutputs {
    if (this.transformInput) x = transformInput(x);
    x = this.maxpool2.forward(this.conv3.forward(this.conv2.forward(this.maxpool1.forward(this.conv1.forward(x)))));
    x = this.maxpool3.forward(this.inception3b.forward(this.inception3a.forward(x)));
    x = this.inception4a.forward(x);
    const aux = this.training && this.auxLogits;
    const aux1 = aux && this.aux1 ? this.aux1.forward(x) : null;
    x = this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(x)));
    const aux2 = aux && this.aux2 ? this.aux2.forward(x) : null;
    x = this.maxpool4.forward(this.inception4e.forward(x));
    x = this.inception5b.forward(this.inception5a.forward(x));
    const logits = this.fc.forward(this.dropout.forward(flatten(this.avgpool.forward(x), 1)));
    // NOTE: torchvision 0.14 swaps the names twice on the way out (`x, aux1, aux2 = self._forward(x)`
    // on a function returning (x, aux2, aux1), then `GoogLeNetOutputs(x, aux2, aux1)`): its
    // `aux_logits2` holds the head after inception4a (`aux1`), `aux_logits1` the one after 4d.
    return aux && aux1 && aux2 ? { logits, auxLogits2: aux1, auxLogits1: aux2 } : logits;
  }
}

/** GoogLeNet: 13,004,888 parameters with the auxiliary classifiers (6,624,904 without). */
export const googlenet = (options: GoogLeNetOptions = {}) => new GoogLeNet(options);
