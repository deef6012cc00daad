/**
 * AlexNet as torchvision builds it (`torchvision/models/alexnet.py`, the "one weird trick"
 * variant: 64-192-384-256-256 channels), with PyTorch's default layer initialisation.
 * Weights: `alexnet-owt-7be5be79.pth` (see `sg.models.get`).
 */
import type { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU, Dropout } from '../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { flatten } from '../ops/shape.js';
import { modelOptions, type ClassifierOptions } from './options.js';

/** AlexNet (`torchvision.models.AlexNet`): five convolutions with max pooling, a 6x6 adaptive average pool and three linear layers with dropout; build it with `alexnet()`. */
export class AlexNet extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  /** `new AlexNet({numClasses, dropout})` (1000 classes, dropout 0.5 by default), with PyTorch's default initialisation. */
  constructor(options: ClassifierOptions = {}) {
    super();
    const { numClasses, dropout } = modelOptions('alexnet', options, { numClasses: 1000, dropout: 0.5 });
    this.features = new Sequential(
      new Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
      new ReLU(true),
      new MaxPool2d(3, { stride: 2 }),
      new Conv2d(64, 192, 5, { padding: 2 }),
      new ReLU(true),
      new MaxPool2d(3, { stride: 2 }),
      new Conv2d(192, 384, 3, { padding: 1 }),
      new ReLU(true),
      new Conv2d(384, 256, 3, { padding: 1 }),
      new ReLU(true),
      new Conv2d(256, 256, 3, { padding: 1 }),
      new ReLU(true),
      new MaxPool2d(3, { stride: 2 }),
    );
    this.avgpool = new AdaptiveAvgPool2d([6, 6]);
    this.classifier = new Sequential(
      new Dropout({ p: dropout }),
      new Linear(256 * 6 * 6, 4096),
      new ReLU(true),
      new Dropout({ p: dropout }),
      new Linear(4096, 4096),
      new ReLU(true),
      new Linear(4096, numClasses),
    );
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet; at least 63 x 63) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** `torchvision.models.alexnet()`: 61,100,840 parameters with 1000 classes. */
export const alexnet = (options: ClassifierOptions = {}) => new AlexNet(options);
