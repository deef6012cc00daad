/**
 * MobileNet V2 as torchvision builds it (`torchvision/models/mobilenetv2.py`; Sandler et al.
 * 2018): inverted residual blocks, each a 1x1 expansion (ReLU6), a 3x3 depthwise convolution
 * (ReLU6) and a linear 1x1 projection, with out = x + block(x) when the shape is kept. Widths
 * scale by `widthMult` through `makeDivisible`. Initialisation as torchvision: convolutions
 * kaiming_normal_(fan_out), batch norm 1 and 0, linear N(0, 0.01) with bias 0.
 * Weights: `mobilenet_v2-b0353104.pth` (see `sg.models.get`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { flatten } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Dropout } from '../nn/layers/activation.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { ReLU6, Conv2dNormActivation, makeLayer } from '../nn/index.js';
import { modelOptions } from './options.js';
import { constant_, kaimingNormal_, normal_ } from './init.js';
import { makeDivisible } from './make_divisible.js';
import type { NormLayer } from './efficientnet.js';

/** MobileNet V2's block (`torchvision.models.mobilenetv2.InvertedResidual`): x + conv(x) when stride 1 and inp = oup. */
export class InvertedResidual extends Module {
  readonly stride: number;
  readonly useResConnect: boolean;
  conv: Sequential;
  readonly outChannels: number;

  constructor(
    inp: number,
    oup: number,
    stride: number,
    expandRatio: number,
    normLayer: NormLayer = (c) => new BatchNorm2d(c),
  ) {
    super();
    if (stride !== 1 && stride !== 2) throw new Error(`InvertedResidual: stride should be 1 or 2 instead of ${stride}`);
    this.stride = stride;
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1)
      layers.push(new Conv2dNormActivation(inp, hidden, { kernelSize: 1, normLayer, activationLayer: ReLU6 }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, { stride, groups: hidden, normLayer, activationLayer: ReLU6 }),
      new Conv2d(hidden, oup, 1, 1, 0, { bias: false }),
      makeLayer(normLayer, oup),
    );
    this.conv = new Sequential(...layers);
    this.outChannels = oup;
  }

  forward(x: Tensor): Tensor {
    return this.useResConnect ? add(x, this.conv.forward(x)) : this.conv.forward(x);
  }
}

/** Options of `MobileNetV2` / `mobilenet_v2`: torchvision's keywords in camelCase. */
export interface MobileNetV2Options {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Channel multiplier (torchvision's `width_mult`; 1.0). */
  widthMult?: number;
  /** Stages as [expand ratio t, channels c, blocks n, first stride s] (torchvision's `inverted_residual_setting`). */
  invertedResidualSetting?: number[][];
  /** Channels are rounded to multiples of this (torchvision's `round_nearest`; 8). */
  roundNearest?: number;
  /** The normalisation layer (torchvision's `norm_layer`; BatchNorm2d). */
  normLayer?: NormLayer;
  /** Classifier dropout (torchvision's `dropout`; 0.2). */
  dropout?: number;
}

const SETTING = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** `torchvision.models.MobileNetV2`: [N, 3, H, W] -> logits [N, numClasses]; keys `features.*`, `classifier.1.*`. */
export class MobileNetV2 extends Module {
  readonly lastChannel: number;
  features: Sequential;
  classifier: Sequential;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const o = modelOptions('MobileNetV2', options, {
      numClasses: 1000,
      widthMult: 1.0,
      invertedResidualSetting: SETTING,
      roundNearest: 8,
      normLayer: ((c: number) => new BatchNorm2d(c)) as NormLayer,
      dropout: 0.2,
    });
    if (!o.invertedResidualSetting.length || o.invertedResidualSetting[0].length !== 4) {
      throw new Error(
        `MobileNetV2: inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(o.invertedResidualSetting)}`,
      );
    }
    let inputChannel = makeDivisible(32 * o.widthMult, o.roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1.0, o.widthMult), o.roundNearest);
    const features: Module[] = [
      new Conv2dNormActivation(3, inputChannel, { stride: 2, normLayer: o.normLayer, activationLayer: ReLU6 }),
    ];
    for (const [t, c, n, s] of o.invertedResidualSetting) {
      const outputChannel = makeDivisible(c * o.widthMult, o.roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t, o.normLayer));
        inputChannel = outputChannel;
      }
    }
    features.push(
      new Conv2dNormActivation(inputChannel, this.lastChannel, {
        kernelSize: 1,
        normLayer: o.normLayer,
        activationLayer: ReLU6,
      }),
    );
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout({ p: o.dropout }), new Linear(this.lastChannel, o.numClasses));
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, 'fanOut');
        constant_(m.bias, 0);
      } else if (m instanceof BatchNorm2d) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      } else if (m instanceof Linear) {
        normal_(m.weight, 0, 0.01);
        constant_(m.bias, 0);
      }
    }
  }

  /** [N, 3, H, W] -> logits [N, numClasses] (global average pooling is functional, as torchvision's). */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(adaptiveAvgPool2d(this.features.forward(x), [1, 1]), 1));
  }
}

/** MobileNet V2: 3,504,872 parameters. */
export const mobilenet_v2 = (options: MobileNetV2Options = {}) => new MobileNetV2(options);
