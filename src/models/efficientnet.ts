/**
 * EfficientNet B0-B7 and V2 as torchvision builds them (`torchvision/models/efficientnet.py`;
 * Tan & Le 2019 and 2021). A stem convolution, stages of inverted-residual blocks, a 1x1 head
 * convolution, global average pooling and a dropout + linear classifier.
 * - MBConv: 1x1 expansion (SiLU), depthwise k x k (SiLU), squeeze-and-excitation, 1x1
 *   projection; out = x + stochastic_depth(block(x)) when the shape is kept.
 * - FusedMBConv (V2's early stages): the expansion and the depthwise convolution fused into
 *   one k x k convolution.
 * Block i of n (over the whole network) drops its residual branch with probability
 * stochasticDepthProb * i / n in training. B0-B7 scale widths and depths of one config (width
 * through `makeDivisible`, depth rounded up). BatchNorm: eps 1e-5 / momentum 0.1 for B0-B4,
 * eps 0.001 / momentum 0.01 for B5-B7, eps 0.001 / momentum 0.1 for V2 (as torchvision; they
 * show in the repr). Initialisation as torchvision: convolutions kaiming_normal_(fan_out),
 * batch norm 1 and 0, linear U(-1/sqrt(out), 1/sqrt(out)) with bias 0.
 * Weights: `efficientnet_b0_rwightman-3dd342df.pth` ... (see `sg.models.get`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { flatten } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Dropout } from '../nn/layers/activation.js';
import { AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { SiLU, StochasticDepth, SqueezeExcitation, Conv2dNormActivation, type LayerFactory } from '../nn/index.js';
import { modelOptions } from './options.js';
import { constant_, kaimingNormal_, uniform_ } from './init.js';
import { makeDivisible } from './make_divisible.js';

/**
 * How a model makes its normalisation layers (torchvision's `norm_layer`): a class called with
 * the channel count (`nn.BatchNorm2d`) or a function (`(c) => new nn.BatchNorm2d(c, {eps: 1e-3})`
 * for torchvision's `partial(nn.BatchNorm2d, eps=1e-3)`).
 */
export type NormLayer = LayerFactory<[number]>;

/** One stage: expand ratio, kernel, stride of its first block, channels in and out, block count. */
export interface MBConvConfig {
  block: 'MBConv' | 'FusedMBConv';
  expandRatio: number;
  kernel: number;
  stride: number;
  inputChannels: number;
  outChannels: number;
  numLayers: number;
}

const adjustChannels = (channels: number, widthMult: number) => makeDivisible(channels * widthMult, 8);

/** torchvision's `MBConvConfig(expand_ratio, kernel, stride, in, out, layers, width_mult, depth_mult)`. */
export function mbConvConfig(
  expandRatio: number,
  kernel: number,
  stride: number,
  inputChannels: number,
  outChannels: number,
  numLayers: number,
  widthMult = 1,
  depthMult = 1,
): MBConvConfig {
  return {
    block: 'MBConv',
    expandRatio,
    kernel,
    stride,
    inputChannels: adjustChannels(inputChannels, widthMult),
    outChannels: adjustChannels(outChannels, widthMult),
    numLayers: Math.ceil(numLayers * depthMult),
  };
}

/** torchvision's `FusedMBConvConfig(expand_ratio, kernel, stride, in, out, layers)`. */
export function fusedMBConvConfig(
  expandRatio: number,
  kernel: number,
  stride: number,
  inputChannels: number,
  outChannels: number,
  numLayers: number,
): MBConvConfig {
  return { block: 'FusedMBConv', expandRatio, kernel, stride, inputChannels, outChannels, numLayers };
}

const silu = () => new SiLU({ inplace: true });

/** The inverted residual block with squeeze-and-excitation (EfficientNet B0-B7, V2's later stages). */
export class MBConv extends Module {
  readonly useResConnect: boolean;
  readonly outChannels: number;
  block: Sequential;
  stochastic_depth: StochasticDepth;

  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new Error(`MBConv: illegal stride value ${cnf.stride}`);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const expanded = adjustChannels(cnf.inputChannels, cnf.expandRatio);
    const layers: Module[] = [];
    if (expanded !== cnf.inputChannels) {
      layers.push(
        new Conv2dNormActivation(cnf.inputChannels, expanded, { kernelSize: 1, normLayer, activationLayer: SiLU }),
      );
    }
    layers.push(
      new Conv2dNormActivation(expanded, expanded, {
        kernelSize: cnf.kernel,
        stride: cnf.stride,
        groups: expanded,
        normLayer,
        activationLayer: SiLU,
      }),
    );
    layers.push(new SqueezeExcitation(expanded, Math.max(1, Math.floor(cnf.inputChannels / 4)), { activation: silu }));
    layers.push(
      new Conv2dNormActivation(expanded, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
    );
    this.block = new Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, 'row');
    this.outChannels = cnf.outChannels;
  }

  forward(x: Tensor): Tensor {
    const result = this.block.forward(x);
    return this.useResConnect ? add(this.stochastic_depth.forward(result), x) : result;
  }
}

/** EfficientNet V2's early block: one k x k convolution expands (and strides), a 1x1 projects. */
export class FusedMBConv extends Module {
  readonly useResConnect: boolean;
  readonly outChannels: number;
  block: Sequential;
  stochastic_depth: StochasticDepth;

  constructor(cnf: MBConvConfig, stochasticDepthProb: number, normLayer: NormLayer) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new Error(`FusedMBConv: illegal stride value ${cnf.stride}`);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    const expanded = adjustChannels(cnf.inputChannels, cnf.expandRatio);
    const conv = (inC: number, outC: number) =>
      new Conv2dNormActivation(inC, outC, {
        kernelSize: cnf.kernel,
        stride: cnf.stride,
        normLayer,
        activationLayer: SiLU,
      });
    const layers: Module[] =
      expanded !== cnf.inputChannels
        ? [
            conv(cnf.inputChannels, expanded),
            new Conv2dNormActivation(expanded, cnf.outChannels, { kernelSize: 1, normLayer, activationLayer: null }),
          ]
        : [conv(cnf.inputChannels, cnf.outChannels)];
    this.block = new Sequential(...layers);
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, 'row');
    this.outChannels = cnf.outChannels;
  }

  forward(x: Tensor): Tensor {
    const result = this.block.forward(x);
    return this.useResConnect ? add(this.stochastic_depth.forward(result), x) : result;
  }
}

/**
 * Options of `EfficientNet` and the `efficientnet_*` builders: torchvision's keywords in camelCase.
 * (torchvision's builders fix `dropout` per variant and reject it as a keyword; these accept it.)
 */
export interface EfficientNetOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Classifier dropout (0.2 for B0/B1/V2-S, 0.3 B2/B3/V2-M, 0.4 B4-B7/V2-L, 0.5 B6/B7). */
  dropout?: number;
  /** Largest residual-branch drop probability, reached by the last block (torchvision's `stochastic_depth_prob`; 0.2). */
  stochasticDepthProb?: number;
  /** The normalisation layer (torchvision's `norm_layer`; `BatchNorm2d` with the variant's eps and momentum). */
  normLayer?: NormLayer;
  /** Channels of the head convolution (torchvision's `last_channel`; 4 x the last stage's by default). */
  lastChannel?: number | null;
}

/** `torchvision.models.EfficientNet` (V1 and V2): [N, 3, H, W] -> logits [N, numClasses]; keys `features.*`, `classifier.1.*`. */
export class EfficientNet extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  /** torchvision's `EfficientNet(inverted_residual_setting, dropout, stochastic_depth_prob, num_classes, norm_layer, last_channel)`. */
  constructor(setting: readonly MBConvConfig[], options: EfficientNetOptions = {}) {
    super();
    const o = modelOptions('EfficientNet', options, {
      numClasses: 1000,
      dropout: 0.2,
      stochasticDepthProb: 0.2,
      normLayer: ((c: number) => new BatchNorm2d(c)) as NormLayer,
      lastChannel: null as number | null,
    });
    if (!setting.length) throw new Error('EfficientNet: the inverted_residual_setting should not be empty');
    const layers: Module[] = [
      new Conv2dNormActivation(3, setting[0].inputChannels, {
        kernelSize: 3,
        stride: 2,
        normLayer: o.normLayer,
        activationLayer: SiLU,
      }),
    ];
    const totalBlocks = setting.reduce((n, cnf) => n + cnf.numLayers, 0);
    let blockId = 0;
    for (const cnf of setting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        const blockCnf = i === 0 ? cnf : { ...cnf, inputChannels: cnf.outChannels, stride: 1 };
        const sdProb = (o.stochasticDepthProb * blockId) / totalBlocks;
        stage.push(
          cnf.block === 'MBConv'
            ? new MBConv(blockCnf, sdProb, o.normLayer)
            : new FusedMBConv(blockCnf, sdProb, o.normLayer),
        );
        blockId++;
      }
      layers.push(new Sequential(...stage));
    }
    const lastIn = setting[setting.length - 1].outChannels;
    const lastOut = o.lastChannel ?? 4 * lastIn;
    layers.push(
      new Conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, normLayer: o.normLayer, activationLayer: SiLU }),
    );
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.classifier = new Sequential(new Dropout({ p: o.dropout, inplace: true }), new Linear(lastOut, o.numClasses));
    this.initWeights();
  }

  private initWeights(): void {
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, 'fanOut');
        constant_(m.bias, 0);
      } else if (m instanceof BatchNorm2d) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      } else if (m instanceof Linear) {
        const range = 1 / Math.sqrt(m.outFeatures);
        uniform_(m.weight, -range, range);
        constant_(m.bias, 0);
      }
    }
  }

  /** [N, 3, H, W] (224 x 224 for B0) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** The B0 stages, scaled: widths by `widthMult` (through makeDivisible), depths by `depthMult` (rounded up). */
function bSetting(widthMult: number, depthMult: number): MBConvConfig[] {
  const c = (e: number, k: number, s: number, i: number, o: number, n: number) =>
    mbConvConfig(e, k, s, i, o, n, widthMult, depthMult);
  return [
    c(1, 3, 1, 32, 16, 1),
    c(6, 3, 2, 16, 24, 2),
    c(6, 5, 2, 24, 40, 2),
    c(6, 3, 2, 40, 80, 3),
    c(6, 5, 1, 80, 112, 3),
    c(6, 5, 2, 112, 192, 4),
    c(6, 3, 1, 192, 320, 1),
  ];
}

const f = fusedMBConvConfig;
const m = mbConvConfig;
const V2_SETTINGS = {
  s: [
    f(1, 3, 1, 24, 24, 2),
    f(4, 3, 2, 24, 48, 4),
    f(4, 3, 2, 48, 64, 4),
    m(4, 3, 2, 64, 128, 6),
    m(6, 3, 1, 128, 160, 9),
    m(6, 3, 2, 160, 256, 15),
  ],
  m: [
    f(1, 3, 1, 24, 24, 3),
    f(4, 3, 2, 24, 48, 5),
    f(4, 3, 2, 48, 80, 5),
    m(4, 3, 2, 80, 160, 7),
    m(6, 3, 1, 160, 176, 14),
    m(6, 3, 2, 176, 304, 18),
    m(6, 3, 1, 304, 512, 5),
  ],
  l: [
    f(1, 3, 1, 32, 32, 4),
    f(4, 3, 2, 32, 64, 7),
    f(4, 3, 2, 64, 96, 7),
    m(4, 3, 2, 96, 192, 10),
    m(6, 3, 1, 192, 224, 19),
    m(6, 3, 2, 224, 384, 25),
    m(6, 3, 1, 384, 640, 7),
  ],
};

const bn =
  (eps: number, momentum: number): NormLayer =>
  (c) =>
    new BatchNorm2d(c, { eps, momentum });

/** Builds variant B`n` with torchvision's width, depth, dropout and batch-norm settings. */
function efficientnetB(widthMult: number, depthMult: number, dropout: number, norm: NormLayer | null) {
  return (options: EfficientNetOptions = {}) =>
    new EfficientNet(bSetting(widthMult, depthMult), { dropout, ...(norm ? { normLayer: norm } : {}), ...options });
}

/** EfficientNet-B0: 5,288,548 parameters, 224 px. */
export const efficientnet_b0 = efficientnetB(1.0, 1.0, 0.2, null);
/** EfficientNet-B1: 7,794,184 parameters, 240 px. */
export const efficientnet_b1 = efficientnetB(1.0, 1.1, 0.2, null);
/** EfficientNet-B2: 9,109,994 parameters, 288 px. */
export const efficientnet_b2 = efficientnetB(1.1, 1.2, 0.3, null);
/** EfficientNet-B3: 12,233,232 parameters, 300 px. */
export const efficientnet_b3 = efficientnetB(1.2, 1.4, 0.3, null);
/** EfficientNet-B4: 19,341,616 parameters, 380 px. */
export const efficientnet_b4 = efficientnetB(1.4, 1.8, 0.4, null);
/** EfficientNet-B5: 30,389,784 parameters, 456 px (BatchNorm eps 0.001, momentum 0.01). */
export const efficientnet_b5 = efficientnetB(1.6, 2.2, 0.4, bn(0.001, 0.01));
/** EfficientNet-B6: 43,040,704 parameters, 528 px (BatchNorm eps 0.001, momentum 0.01). */
export const efficientnet_b6 = efficientnetB(1.8, 2.6, 0.5, bn(0.001, 0.01));
/** EfficientNet-B7: 66,347,960 parameters, 600 px (BatchNorm eps 0.001, momentum 0.01). */
export const efficientnet_b7 = efficientnetB(2.0, 3.1, 0.5, bn(0.001, 0.01));

/** Builds V2 variant `size` (head convolution 1280 channels, BatchNorm eps 0.001). */
function efficientnetV2(size: keyof typeof V2_SETTINGS, dropout: number) {
  return (options: EfficientNetOptions = {}) =>
    new EfficientNet(V2_SETTINGS[size], { dropout, lastChannel: 1280, normLayer: bn(1e-3, 0.1), ...options });
}

/** EfficientNetV2-S: 21,458,488 parameters, 384 px. */
export const efficientnet_v2_s = efficientnetV2('s', 0.2);
/** EfficientNetV2-M: 54,139,356 parameters, 480 px. */
export const efficientnet_v2_m = efficientnetV2('m', 0.3);
/** EfficientNetV2-L: 118,515,272 parameters, 480 px. */
export const efficientnet_v2_l = efficientnetV2('l', 0.4);
