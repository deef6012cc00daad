/**
 * DenseNet-BC as torchvision builds it (`torchvision/models/densenet.py`; Huang et al. 2016):
 * inside a dense block every layer sees the concatenation of the block's input and all earlier
 * layers' outputs, and adds `growthRate` channels of its own: a 1x1 bottleneck to
 * bnSize x growthRate channels, then a 3x3 convolution (both pre-activated: norm, relu, conv).
 * Transitions between blocks halve the channels (1x1) and the size (2x2 average pool).
 * Initialisation as torchvision: convolutions kaiming_normal_ (fan_in), batch norm 1 and 0,
 * linear bias 0. Weights: see the table in `sg.models`; their old key names (`norm.1`) are
 * renamed by `remapDensenetKeys`, as torchvision's `_load_state_dict` does.
 *
 * Memory: torchvision concatenates every layer's inputs afresh (`cat`), so a block of L layers
 * copies O(L^2) feature maps (densenet121: 10.2 M values, 41 MB, per 224 x 224 image, forward,
 * and as many backward). Here a block writes its input and each layer's output once into one
 * preallocated feature store [N, C_final, H, W] (`ops/feature_store.ts`), each layer's `norm1`
 * reads its channel prefix in place, and the backward adds every layer's prefix gradient into
 * one shared gradient buffer: O(L) copies (a store too large to bind falls back to `cat`).
 * `memoryEfficient` (torchvision's `memory_efficient`) checkpoints norm1-relu1-conv1
 * (`nn.checkpoint`): its activations are recomputed in the backward pass instead of kept, so a
 * block keeps O(L) activations in training instead of O(L^2); the gradients are the same.
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import type { StateDict } from '../nn/module.js';
import { cat, flatten } from '../ops/shape.js';
import { featureStore, storeFits, storeWrite } from '../ops/feature_store.js';
import { isGradEnabled } from '../autograd.js';
import { tidy } from '../memory.js';
import { checkpoint } from '../nn/checkpoint.js';
import { relu } from '../ops/elementwise.js';
import { dropout } from '../ops/dropout.js';
import { adaptiveAvgPool2d } from '../ops/pool.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ReLU } from '../nn/layers/activation.js';
import { MaxPool2d, AvgPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import { modelOptions } from './options.js';
import { constant_, kaimingNormal_ } from './init.js';

/** norm, relu, 1x1 conv to bnSize * growthRate; norm, relu, 3x3 conv to growthRate; dropout. */
export class _DenseLayer extends Module {
  norm1: BatchNorm2d;
  relu1: ReLU;
  conv1: Conv2d;
  norm2: BatchNorm2d;
  relu2: ReLU;
  conv2: Conv2d;
  readonly dropRate: number;
  readonly memoryEfficient: boolean;

  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number, memoryEfficient = false) {
    super();
    this.norm1 = new BatchNorm2d(numInputFeatures);
    this.relu1 = new ReLU(true);
    this.conv1 = new Conv2d(numInputFeatures, bnSize * growthRate, 1, { stride: 1, bias: false });
    this.norm2 = new BatchNorm2d(bnSize * growthRate);
    this.relu2 = new ReLU(true);
    this.conv2 = new Conv2d(bnSize * growthRate, growthRate, 3, { stride: 1, padding: 1, bias: false });
    this.dropRate = dropRate;
    this.memoryEfficient = memoryEfficient;
  }

  /**
   * The earlier features (a tensor or a list, concatenated first, as torchvision's) [N, C_i, H, W]
   * -> [N, growthRate, H, W]; `fromStore`: `input` is a block's feature store [N, C, H, W] whose
   * channels [0, numInputFeatures) are read in place.
   */
  forward(input: Tensor | Tensor[], fromStore = false): Tensor {
    const features = Array.isArray(input) ? (input.length === 1 ? input[0] : cat(input, 1)) : input;
    const norm1 = (x: Tensor) => (fromStore ? this.norm1.forward(x, this.norm1.numFeatures) : this.norm1.forward(x));
    return this.rest(this.bottleneck(features, norm1));
  }

  /** conv1(relu1(norm1(x))), checkpointed with `memoryEfficient` (torchvision's `call_checkpoint_bottleneck`). */
  private bottleneck(x: Tensor, norm1: (x: Tensor) => Tensor): Tensor {
    const run = (input: Tensor) => this.conv1.forward(this.relu1.forward(norm1(input)));
    return this.memoryEfficient ? checkpoint(run, x) : run(x);
  }

  private rest(bottleneck: Tensor): Tensor {
    const out = this.conv2.forward(this.relu2.forward(this.norm2.forward(bottleneck)));
    return this.dropRate > 0 ? dropout(out, this.dropRate, this.training) : out;
  }
}

/** `numLayers` dense layers (`denselayer1` ...); the output concatenates the input and every layer's output. */
export class _DenseBlock extends Module {
  constructor(
    numLayers: number,
    numInputFeatures: number,
    bnSize: number,
    growthRate: number,
    dropRate: number,
    memoryEfficient = false,
  ) {
    super();
    for (let i = 0; i < numLayers; i++) {
      const layer = new _DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate, memoryEfficient);
      (this as unknown as Record<string, Module>)[`denselayer${i + 1}`] = layer;
    }
  }

  /** [N, C, H, W] -> [N, C + numLayers * growthRate, H, W]: the input and every layer's output, each written once into a feature store. */
  forward(x: Tensor): Tensor {
    const layers = [...this.children()] as _DenseLayer[];
    const channels = x.shape[1] + layers.reduce((c, layer) => c + layer.conv2.outChannels, 0);
    if (x.ndim !== 4 || !storeFits([x.shape[0], channels, x.shape[2], x.shape[3]])) {
      const features = [x];
      for (const layer of layers) features.push(layer.forward(features));
      return cat(features, 1);
    }
    // Without a graph to keep them, each layer's temporaries go as soon as it is done.
    const graph = isGradEnabled() && (x.requiresGrad || this.parameters().some((p) => p.requiresGrad));
    let store = featureStore(x, channels);
    let at = x.shape[1];
    for (const layer of layers) {
      const out = graph ? layer.forward(store, true) : tidy(() => layer.forward(store, true));
      const next = storeWrite(store, out, at);
      at += out.shape[1];
      if (!graph) for (const t of [out, store]) t.dispose();
      store = next;
    }
    return store;
  }
}

/** norm, relu, 1x1 conv to `numOutputFeatures`, 2x2 average pool: a Sequential with named layers. */
export class _Transition extends Sequential {
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super(
      new Map<string, Module>([
        ['norm', new BatchNorm2d(numInputFeatures)],
        ['relu', new ReLU(true)],
        ['conv', new Conv2d(numInputFeatures, numOutputFeatures, 1, { stride: 1, bias: false })],
        ['pool', new AvgPool2d(2, { stride: 2 })],
      ]),
    );
  }
}

/** Options of the DenseNets (`densenet121` ... `densenet201`), as torchvision's `num_classes`, `drop_rate` and `memory_efficient`. */
export interface DenseNetOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Dropout after every dense layer (torchvision's `drop_rate`; 0). */
  dropRate?: number;
  /** torchvision's `memory_efficient` (checkpointing; same results). */
  memoryEfficient?: boolean;
}

/** DenseNet-BC (`torchvision.models.DenseNet`): a stem, dense blocks joined by transitions, a final batch norm, global average pooling and a linear layer; build it with `densenet121()` ... `densenet201()`. */
export class DenseNet extends Module {
  features: Sequential;
  classifier: Linear;

  /** torchvision's `DenseNet(growth_rate, block_config, num_init_features, bn_size, ...)`. */
  constructor(
    growthRate: number,
    blockConfig: readonly number[],
    numInitFeatures: number,
    bnSize = 4,
    options: DenseNetOptions = {},
  ) {
    super();
    const { numClasses, dropRate, memoryEfficient } = modelOptions('DenseNet', options, {
      numClasses: 1000,
      dropRate: 0,
      memoryEfficient: false,
    });
    const layers = new Map<string, Module>([
      ['conv0', new Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false })],
      ['norm0', new BatchNorm2d(numInitFeatures)],
      ['relu0', new ReLU(true)],
      ['pool0', new MaxPool2d(3, { stride: 2, padding: 1 })],
    ]);
    let numFeatures = numInitFeatures;
    blockConfig.forEach((numLayers, i) => {
      layers.set(
        `denseblock${i + 1}`,
        new _DenseBlock(numLayers, numFeatures, bnSize, growthRate, dropRate, memoryEfficient),
      );
      numFeatures += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        layers.set(`transition${i + 1}`, new _Transition(numFeatures, Math.floor(numFeatures / 2)));
        numFeatures = Math.floor(numFeatures / 2);
      }
    });
    layers.set('norm5', new BatchNorm2d(numFeatures));
    this.features = new Sequential(layers);
    this.classifier = new Linear(numFeatures, numClasses);
    for (const m of this.modules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.weight);
      else if (m instanceof BatchNorm2d) {
        constant_(m.weight, 1);
        constant_(m.bias, 0);
      } else if (m instanceof Linear) constant_(m.bias, 0);
    }
  }

  /** [N, 3, H, W] (224 x 224 for ImageNet; at least 29 x 29) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    const features = relu(this.features.forward(x));
    return this.classifier.forward(flatten(adaptiveAvgPool2d(features, [1, 1]), 1));
  }
}

/** The old key style of torchvision's published DenseNet files: `...denselayer1.norm.1.weight`. */
const OLD_KEY = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;

/**
 * Renames the keys of a published DenseNet file to the module's (`denselayer1.norm.1.weight`
 * -> `denselayer1.norm1.weight`), as torchvision's `_load_state_dict`; other keys pass
 * unchanged, in order. The tensors are the same objects. `sg.models.get('densenet121',
 * {weights})` applies it; by hand: `model.loadStateDict(remapDensenetKeys(await sg.io.load(f)))`.
 */
export function remapDensenetKeys(state: StateDict | Record<string, Tensor>): StateDict {
  const entries = state instanceof Map ? [...state] : Object.entries(state);
  return new Map(
    entries.map(([key, t]) => {
      const m = OLD_KEY.exec(key);
      return [m ? m[1] + m[2] : key, t];
    }),
  );
}

type Options = DenseNetOptions;
/** DenseNet-121 (k = 32, blocks 6, 12, 24, 16): 7,978,856 parameters. */
export const densenet121 = (options: Options = {}) => new DenseNet(32, [6, 12, 24, 16], 64, 4, options);
/** DenseNet-161 (k = 48, blocks 6, 12, 36, 24, 96 initial features): 28,681,000 parameters. */
export const densenet161 = (options: Options = {}) => new DenseNet(48, [6, 12, 36, 24], 96, 4, options);
/** DenseNet-169 (k = 32, blocks 6, 12, 32, 32): 14,149,480 parameters. */
export const densenet169 = (options: Options = {}) => new DenseNet(32, [6, 12, 32, 32], 64, 4, options);
/** DenseNet-201 (k = 32, blocks 6, 12, 48, 32): 20,013,928 parameters. */
export const densenet201 = (options: Options = {}) => new DenseNet(32, [6, 12, 48, 32], 64, 4, options);
