/**
 * SqueezeNet 1.0 and 1.1 as torchvision builds them (`torchvision/models/squeezenet.py`;
 * Iandola et al. 2016). A Fire module squeezes with a 1x1 convolution, then concatenates a 1x1
 * and a 3x3 expansion along the channels. The classifier is a 1x1 convolution to the classes
 * and a global average pool. Initialisation as torchvision: kaiming_uniform_ (a = 0) for every
 * convolution but the last, which is N(0, 0.01); biases 0.
 * Weights: `squeezenet1_0-b66bff10.pth`, `squeezenet1_1-b8a52dc0.pth` (see `sg.models.get`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { cat, flatten } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { ReLU, Dropout } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { modelOptions, type ClassifierOptions } from './options.js';
import { constant_, kaimingUniform_, normal_ } from './init.js';

/** SqueezeNet's Fire module: a 1x1 squeeze convolution, then 1x1 and 3x3 expansions concatenated along the channels (each followed by ReLU), as torchvision's `Fire`. */
export class Fire extends Module {
  readonly inplanes: number;
  squeeze: Conv2d;
  squeeze_activation: ReLU;
  expand1x1: Conv2d;
  expand1x1_activation: ReLU;
  expand3x3: Conv2d;
  expand3x3_activation: ReLU;

  /** From `inplanes` channels to `expand1x1Planes + expand3x3Planes`, through `squeezePlanes`, as torchvision's `Fire(inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes)`. */
  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = new Conv2d(inplanes, squeezePlanes, 1);
    this.squeeze_activation = new ReLU(true);
    this.expand1x1 = new Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.expand1x1_activation = new ReLU(true);
    this.expand3x3 = new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
    this.expand3x3_activation = new ReLU(true);
  }

  /** [N, C, H, W] -> [N, e1 + e3, H, W]: cat(relu(expand1x1(s)), relu(expand3x3(s))), s = relu(squeeze(x)). */
  forward(x: Tensor): Tensor {
    const s = this.squeeze_activation.forward(this.squeeze.forward(x));
    return cat(
      [
        this.expand1x1_activation.forward(this.expand1x1.forward(s)),
        this.expand3x3_activation.forward(this.expand3x3.forward(s)),
      ],
      1,
    );
  }
}

const pool = () => new MaxPool2d(3, { stride: 2, ceilMode: true });

/** SqueezeNet 1.0 or 1.1 (`torchvision.models.SqueezeNet`); build it with `squeezenet1_0()` or `squeezenet1_1()`. */
export class SqueezeNet extends Module {
  readonly numClasses: number;
  features: Sequential;
  classifier: Sequential;

  /** `new SqueezeNet('1_0' | '1_1', {numClasses, dropout})`, as torchvision's `SqueezeNet(version, num_classes, dropout)`. */
  constructor(version: '1_0' | '1_1' = '1_0', options: ClassifierOptions = {}) {
    super();
    const { numClasses, dropout } = modelOptions('SqueezeNet', options, { numClasses: 1000, dropout: 0.5 });
    this.numClasses = numClasses;
    if (version === '1_0') {
      this.features = new Sequential(
        new Conv2d(3, 96, 7, { stride: 2 }),
        new ReLU(true),
        pool(),
        new Fire(96, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new Fire(128, 32, 128, 128),
        pool(),
        new Fire(256, 32, 128, 128),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === '1_1') {
      this.features = new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }),
        new ReLU(true),
        pool(),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        pool(),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        pool(),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      );
    } else {
      throw new Error(`SqueezeNet: unsupported version ${version as string}: '1_0' or '1_1' expected`);
    }
    const finalConv = new Conv2d(512, numClasses, 1);
    this.classifier = new Sequential(
      new Dropout({ p: dropout }),
      finalConv,
      new ReLU(true),
      new AdaptiveAvgPool2d([1, 1]),
    );
    for (const m of this.modules()) {
      if (!(m instanceof Conv2d)) continue;
      if (m === finalConv) normal_(m.weight, 0, 0.01);
      else kaimingUniform_(m.weight);
      constant_(m.bias, 0);
    }
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet) -> [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return flatten(this.classifier.forward(this.features.forward(x)), 1);
  }
}

/** SqueezeNet 1.0: 1,248,424 parameters. */
export const squeezenet1_0 = (options: ClassifierOptions = {}) => new SqueezeNet('1_0', options);
/** SqueezeNet 1.1 (2.4x less computation than 1.0, same accuracy): 1,235,496 parameters. */
export const squeezenet1_1 = (options: ClassifierOptions = {}) => new SqueezeNet('1_1', options);
