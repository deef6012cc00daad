/**
 * MobileNet V3 Small and Large as torchvision builds them (`torchvision/models/mobilenetv3.py`;
 * Howard et al. 2019): inverted residual blocks with ReLU or Hardswish, squeeze-and-excitation
 * gated by Hardsigmoid in some, a 1x1 head convolution to 6x the last stage's channels, then
 * Linear -> Hardswish -> Dropout -> Linear. BatchNorm eps 0.001, momentum 0.01 (they show in
 * the repr). `widthMult`, `reducedTail` (halves the last stage) and `dilated` (dilation 2
 * instead of stride in the last stage) as torchvision's keywords. Initialisation as
 * torchvision: convolutions kaiming_normal_(fan_out), batch norm 1 and 0, linear N(0, 0.01)
 * with bias 0. Weights: `mobilenet_v3_small-047dcff4.pth`, `mobilenet_v3_large-8738ca79.pth`.
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { flatten } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Dropout, ReLU } from '../nn/layers/activation.js';
import { AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { Hardswish, Hardsigmoid, SqueezeExcitation, Conv2dNormActivation } from '../nn/index.js';
import { modelOptions } from './options.js';
import { constant_, kaimingNormal_, normal_ } from './init.js';
import { makeDivisible } from './make_divisible.js';
import type { NormLayer } from './efficientnet.js';

/** One block: channels in, kernel, expanded and out channels, squeeze-excitation, activation, stride, dilation. */
export interface InvertedResidualConfig {
  inputChannels: number;
  kernel: number;
  expandedChannels: number;
  outChannels: number;
  useSe: boolean;
  useHs: boolean;
  stride: number;
  dilation: number;
}

const adjust = (channels: number, widthMult: number) => makeDivisible(channels * widthMult, 8);

/** torchvision's `InvertedResidualConfig(in, kernel, expanded, out, use_se, 'RE' | 'HS', stride, dilation, width_mult)`. */
export function invertedResidualConfig(
  inC: number,
  kernel: number,
  expanded: number,
  outC: number,
  useSe: boolean,
  activation: 'RE' | 'HS',
  stride: number,
  dilation: number,
  widthMult: number,
): InvertedResidualConfig {
  return {
    inputChannels: adjust(inC, widthMult),
    kernel,
    expandedChannels: adjust(expanded, widthMult),
    outChannels: adjust(outC, widthMult),
    useSe,
    useHs: activation === 'HS',
    stride,
    dilation,
  };
}

/** Expansion (1x1), depthwise k x k (stride, or dilation in a dilated tail), optional SE, projection. */
export class InvertedResidual extends Module {
  readonly useResConnect: boolean;
  block: Sequential;
  readonly outChannels: number;

  constructor(cnf: InvertedResidualConfig, normLayer: NormLayer) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new Error(`InvertedResidual: illegal stride value ${cnf.stride}`);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const activationLayer = cnf.useHs ? Hardswish : ReLU;
    const layers: Module[] = [];
    if (cnf.expandedChannels !== cnf.inputChannels) {
      layers.push(
        new Conv2dNormActivation(cnf.inputChannels, cnf.expandedChannels, {
          kernelSize: 1,
          normLayer,
          activationLayer,
        }),
      );
    }
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(
      new Conv2dNormActivation(cnf.expandedChannels, cnf.expandedChannels, {
        kernelSize: cnf.kernel,
        stride,
        dilation: cnf.dilation,
        groups: cnf.expandedChannels,
        normLayer,
        activationLayer,
      }),
    );
    if (cnf.useSe) {
      layers.push(
        new SqueezeExcitation(cnf.expandedChannels, makeDivisible(Math.floor(cnf.expandedChannels / 4), 8), {
          scaleActivation: () => new Hardsigmoid(),
        }),
      );
    }
    layers.push(
      new Conv2dNormActivation(cnf.expandedChannels, cnf.outChannels, {
        kernelSize: 1,
        normLayer,
        activationLayer: null,
      }),
    );
    this.block = new Sequential(...layers);
    this.outChannels = cnf.outChannels;
  }

  forward(x: Tensor): Tensor {
    const result = this.block.forward(x);
    return this.useResConnect ? add(result, x) : result;
  }
}

/** Options of `MobileNetV3` and the `mobilenet_v3_*` builders (the last three shape the blocks, as torchvision's `_mobilenet_v3_conf`). */
export interface MobileNetV3Options {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Classifier dropout (torchvision's `dropout`; 0.2). */
  dropout?: number;
  /** The normalisation layer (torchvision's `norm_layer`; BatchNorm2d with eps 0.001, momentum 0.01). */
  normLayer?: NormLayer;
  /** Channel multiplier (torchvision's `width_mult`; 1.0). */
  widthMult?: number;
  /** Halve the channels of the last stage (torchvision's `reduced_tail`). */
  reducedTail?: boolean;
  /** Dilation 2 instead of stride 2 in the last stage (torchvision's `dilated`). */
  dilated?: boolean;
}

/** `torchvision.models.MobileNetV3`: [N, 3, H, W] -> logits [N, numClasses]; keys `features.*`, `classifier.0.*`, `classifier.3.*`. */
export class MobileNetV3 extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  /** torchvision's `MobileNetV3(inverted_residual_setting, last_channel, num_classes, norm_layer, dropout)`. */
  constructor(setting: readonly InvertedResidualConfig[], lastChannel: number, options: MobileNetV3Options = {}) {
    super();
    const o = modelOptions('MobileNetV3', options, {
      numClasses: 1000,
      dropout: 0.2,
      normLayer: ((c: number) => new BatchNorm2d(c, { eps: 0.001, momentum: 0.01 })) as NormLayer,
      widthMult: 1.0,
      reducedTail: false,
      dilated: false,
    });
    if (!setting.length) throw new Error('MobileNetV3: the inverted_residual_setting should not be empty');
    const layers: Module[] = [
      new Conv2dNormActivation(3, setting[0].inputChannels, {
        kernelSize: 3,
        stride: 2,
        normLayer: o.normLayer,
        activationLayer: Hardswish,
      }),
    ];
    for (const cnf of setting) layers.push(new InvertedResidual(cnf, o.normLayer));
    const lastIn = setting[setting.length - 1].outChannels;
    layers.push(
      new Conv2dNormActivation(lastIn, 6 * lastIn, {
        kernelSize: 1,
        normLayer: o.normLayer,
        activationLayer: Hardswish,
      }),
    );
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(
      new Linear(6 * lastIn, lastChannel),
      new Hardswish({ inplace: true }),
      new Dropout({ p: o.dropout, inplace: true }),
      new Linear(lastChannel, o.numClasses),
    );
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

  /** [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** torchvision's `_mobilenet_v3_conf`: the blocks and the classifier's hidden width. */
function conf(
  arch: 'large' | 'small',
  widthMult: number,
  reducedTail: boolean,
  dilated: boolean,
): [InvertedResidualConfig[], number] {
  const r = reducedTail ? 2 : 1;
  const d = dilated ? 2 : 1;
  const b = (i: number, k: number, e: number, o: number, se: boolean, a: 'RE' | 'HS', s: number, dil: number) =>
    invertedResidualConfig(i, k, e, o, se, a, s, dil, widthMult);
  if (arch === 'large') {
    return [
      [
        b(16, 3, 16, 16, false, 'RE', 1, 1),
        b(16, 3, 64, 24, false, 'RE', 2, 1),
        b(24, 3, 72, 24, false, 'RE', 1, 1),
        b(24, 5, 72, 40, true, 'RE', 2, 1),
        b(40, 5, 120, 40, true, 'RE', 1, 1),
        b(40, 5, 120, 40, true, 'RE', 1, 1),
        b(40, 3, 240, 80, false, 'HS', 2, 1),
        b(80, 3, 200, 80, false, 'HS', 1, 1),
        b(80, 3, 184, 80, false, 'HS', 1, 1),
        b(80, 3, 184, 80, false, 'HS', 1, 1),
        b(80, 3, 480, 112, true, 'HS', 1, 1),
        b(112, 3, 672, 112, true, 'HS', 1, 1),
        b(112, 5, 672, 160 / r, true, 'HS', 2, d),
        b(160 / r, 5, 960 / r, 160 / r, true, 'HS', 1, d),
        b(160 / r, 5, 960 / r, 160 / r, true, 'HS', 1, d),
      ],
      adjust(1280 / r, widthMult),
    ];
  }
  return [
    [
      b(16, 3, 16, 16, true, 'RE', 2, 1),
      b(16, 3, 72, 24, false, 'RE', 2, 1),
      b(24, 3, 88, 24, false, 'RE', 1, 1),
      b(24, 5, 96, 40, true, 'HS', 2, 1),
      b(40, 5, 240, 40, true, 'HS', 1, 1),
      b(40, 5, 240, 40, true, 'HS', 1, 1),
      b(40, 5, 120, 48, true, 'HS', 1, 1),
      b(48, 5, 144, 48, true, 'HS', 1, 1),
      b(48, 5, 288, 96 / r, true, 'HS', 2, d),
      b(96 / r, 5, 576 / r, 96 / r, true, 'HS', 1, d),
      b(96 / r, 5, 576 / r, 96 / r, true, 'HS', 1, d),
    ],
    adjust(1024 / r, widthMult),
  ];
}

function build(arch: 'large' | 'small') {
  return (options: MobileNetV3Options = {}) => {
    const [setting, lastChannel] = conf(
      arch,
      options.widthMult ?? 1.0,
      options.reducedTail ?? false,
      options.dilated ?? false,
    );
    return new MobileNetV3(setting, lastChannel, options);
  };
}

/** MobileNet V3 Large: 5,483,032 parameters. */
export const mobilenet_v3_large = build('large');
/** MobileNet V3 Small: 2,542,856 parameters. */
export const mobilenet_v3_small = build('small');
