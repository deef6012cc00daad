/**
 * VGG as torchvision builds it (`torchvision/models/vgg.py`): the feature extractor comes from
 * a config list (numbers are 3x3 convolutions with that many channels, 'M' a 2x2 max pool),
 * optionally with batch norm after each convolution; then a 7x7 adaptive pool and three linear
 * layers. Initialisation as torchvision: convolutions kaiming_normal_(fan_out, relu), linear
 * weights N(0, 0.01), biases 0, batch norm weight 1. Weights: `vgg16-397923af.pth` and others
 * (see `sg.models.get`).
 */
import type { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU, Dropout } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { flatten } from '../ops/shape.js';
import { modelOptions, type ClassifierOptions } from './options.js';
import { constant_, kaimingNormal_, normal_ } from './init.js';

type Config = Array<number | 'M'>;

/** The four configurations of the VGG paper (Table 1): 11, 13, 16 and 19 weight layers. */
export const cfgs: Record<'A' | 'B' | 'D' | 'E', Config> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** The feature extractor of a config, as torchvision's `make_layers`. */
export function makeLayers(cfg: Config, batchNorm = false): Sequential {
  const layers: Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
      continue;
    }
    layers.push(new Conv2d(inChannels, v, 3, { padding: 1 }));
    if (batchNorm) layers.push(new BatchNorm2d(v));
    layers.push(new ReLU(true));
    inChannels = v;
  }
  return new Sequential(...layers);
}

/** Options of the VGGs (`vgg11` ... `vgg19Bn`): the classifier's, plus whether to apply torchvision's initialisation. */
export interface VGGOptions extends ClassifierOptions {
  /** Apply torchvision's initialisation (default true; false leaves PyTorch's layer defaults). */
  initWeights?: boolean;
}

/** VGG (`torchvision.models.VGG`): a `features` extractor, a 7x7 adaptive average pool and three linear layers with dropout; build it with `vgg11()` ... `vgg19Bn()`. */
export class VGG extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  /** `new VGG(features, {numClasses, dropout, initWeights})`, as torchvision's `VGG(features, num_classes, init_weights, dropout)`. */
  constructor(features: Sequential, options: VGGOptions = {}) {
    super();
    const { numClasses, dropout, initWeights } = modelOptions('VGG', options, {
      numClasses: 1000,
      dropout: 0.5,
      initWeights: true,
    });
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d([7, 7]);
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096),
      new ReLU(true),
      new Dropout({ p: dropout }),
      new Linear(4096, 4096),
      new ReLU(true),
      new Dropout({ p: dropout }),
      new Linear(4096, numClasses),
    );
    if (initWeights) {
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
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet; at least 32 x 32) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

const build =
  (cfg: keyof typeof cfgs, bn: boolean) =>
  (options: VGGOptions = {}) =>
    new VGG(makeLayers(cfgs[cfg], bn), options);

/** VGG-11 (config A): 132,863,336 parameters. */
export const vgg11 = build('A', false);
/** VGG-13 (config B): 133,047,848 parameters. */
export const vgg13 = build('B', false);
/** VGG-16 (config D): 138,357,544 parameters. */
export const vgg16 = build('D', false);
/** VGG-19 (config E): 143,667,240 parameters. */
export const vgg19 = build('E', false);
/** VGG-11 with batch norm: 132,868,840 parameters. */
export const vgg11_bn = build('A', true);
/** VGG-13 with batch norm: 133,053,736 parameters. */
export const vgg13_bn = build('B', true);
/** VGG-16 with batch norm: 138,365,992 parameters. */
export const vgg16_bn = build('D', true);
/** VGG-19 with batch norm: 143,678,248 parameters. */
export const vgg19_bn = build('E', true);
