/**
 * ConvNeXt Tiny/Small/Base/Large as torchvision builds them (`torchvision/models/convnext.py`;
 * Liu et al. 2022): a 4x4 stride-4 patchify stem with LayerNorm2d, four stages of CNBlocks
 * separated by LayerNorm2d + 2x2 stride-2 downsampling convolutions, then LayerNorm2d, flatten
 * and a linear classifier. A CNBlock is a 7x7 depthwise convolution, a permute to channels-last,
 * LayerNorm, Linear (4x), GELU, Linear, a permute back, scaled per channel by the learned
 * `layer_scale` [C, 1, 1] (starting at 1e-6): out = x + stochastic_depth(layer_scale * block(x)).
 * Block i of n drops its branch with probability stochasticDepthProb * i / (n - 1) in training
 * (0.1 Tiny, 0.4 Small, 0.5 Base and Large). LayerNorm eps 1e-6. Initialisation as torchvision:
 * convolution and linear weights trunc_normal_(std 0.02), biases 0.
 * Weights: `convnext_tiny-983f1562.pth` ... (see `sg.models.get`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add, mul } from '../ops/elementwise.js';
import { full } from '../ops/create.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Parameter, parameter } from '../nn/parameter.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear, Flatten } from '../nn/layers/linear.js';
import { AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import {
  GELU,
  LayerNorm,
  LayerNorm2d,
  Permute,
  StochasticDepth,
  Conv2dNormActivation,
  makeLayer,
} from '../nn/index.js';
import { modelOptions } from './options.js';
import { constant_, truncNormal_ } from './init.js';
import type { NormLayer } from './efficientnet.js';

/** ConvNeXt's block (`torchvision.models.convnext.CNBlock`): x + stochastic_depth(layer_scale * block(x)). */
export class CNBlock extends Module {
  block: Sequential;
  layer_scale: Parameter;
  stochastic_depth: StochasticDepth;

  constructor(
    dim: number,
    layerScale: number,
    stochasticDepthProb: number,
    normLayer: NormLayer = (c) => new LayerNorm(c, { eps: 1e-6 }),
  ) {
    super();
    this.block = new Sequential(
      new Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }),
      new Permute([0, 2, 3, 1]),
      makeLayer(normLayer, dim),
      new Linear(dim, 4 * dim, { bias: true }),
      new GELU(),
      new Linear(4 * dim, dim, { bias: true }),
      new Permute([0, 3, 1, 2]),
    );
    // A parameter of the block itself: its key `layer_scale` comes before `block.*` in the state
    // dict, as in PyTorch, whose modules list their own parameters before their children's.
    this.layer_scale = parameter(full([dim, 1, 1], layerScale));
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb, 'row');
  }

  forward(x: Tensor): Tensor {
    return add(this.stochastic_depth.forward(mul(this.layer_scale, this.block.forward(x))), x);
  }
}

/** A stage: channels, channels after its downsampling layer (null for the last stage), blocks. */
export interface CNBlockConfig {
  inputChannels: number;
  outChannels: number | null;
  numLayers: number;
}

/** Options of `ConvNeXt` and the `convnext_*` builders: torchvision's keywords in camelCase. */
export interface ConvNeXtOptions {
  /** Size of the last layer (torchvision's `num_classes`; 1000). */
  numClasses?: number;
  /** Largest residual-branch drop probability, reached by the last block (torchvision's `stochastic_depth_prob`). */
  stochasticDepthProb?: number;
  /** Initial value of every `layer_scale` (torchvision's `layer_scale`; 1e-6). */
  layerScale?: number;
  /** Normalisation of the stem, downsampling layers and classifier (torchvision's `norm_layer`; LayerNorm2d, eps 1e-6). */
  normLayer?: NormLayer;
}

/** `torchvision.models.ConvNeXt`: [N, 3, H, W] -> logits [N, numClasses]; keys `features.*`, `classifier.*`. */
export class ConvNeXt extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  /** torchvision's `ConvNeXt(block_setting, stochastic_depth_prob, layer_scale, num_classes, norm_layer)`. */
  constructor(setting: readonly CNBlockConfig[], options: ConvNeXtOptions = {}) {
    super();
    const o = modelOptions('ConvNeXt', options, {
      numClasses: 1000,
      stochasticDepthProb: 0.0,
      layerScale: 1e-6,
      normLayer: ((c: number) => new LayerNorm2d(c, { eps: 1e-6 })) as NormLayer,
    });
    if (!setting.length) throw new Error('ConvNeXt: the block_setting should not be empty');
    const layers: Module[] = [
      new Conv2dNormActivation(3, setting[0].inputChannels, {
        kernelSize: 4,
        stride: 4,
        padding: 0,
        normLayer: o.normLayer,
        activationLayer: null,
        bias: true,
      }),
    ];
    const totalBlocks = setting.reduce((n, cnf) => n + cnf.numLayers, 0);
    let blockId = 0;
    for (const cnf of setting) {
      const stage: Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        stage.push(
          new CNBlock(cnf.inputChannels, o.layerScale, (o.stochasticDepthProb * blockId) / (totalBlocks - 1.0)),
        );
        blockId++;
      }
      layers.push(new Sequential(...stage));
      if (cnf.outChannels !== null) {
        layers.push(
          new Sequential(
            makeLayer(o.normLayer, cnf.inputChannels),
            new Conv2d(cnf.inputChannels, cnf.outChannels, 2, { stride: 2 }),
          ),
        );
      }
    }
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d(1);
    const last = setting[setting.length - 1];
    const lastChannels = last.outChannels ?? last.inputChannels;
    this.classifier = new Sequential(
      makeLayer(o.normLayer, lastChannels),
      new Flatten(1),
      new Linear(lastChannels, o.numClasses),
    );
    for (const m of this.modules()) {
      if (m instanceof Conv2d || m instanceof Linear) {
        truncNormal_(m.weight, 0, 0.02);
        constant_(m.bias, 0);
      }
    }
  }

  /** [N, 3, H, W] (H, W multiples of 32) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)));
  }
}

const c = (inputChannels: number, outChannels: number | null, numLayers: number): CNBlockConfig => ({
  inputChannels,
  outChannels,
  numLayers,
});

function convnext(setting: CNBlockConfig[], stochasticDepthProb: number) {
  return (options: ConvNeXtOptions = {}) => new ConvNeXt(setting, { stochasticDepthProb, ...options });
}

/** ConvNeXt Tiny: 28,589,128 parameters. */
export const convnext_tiny = convnext([c(96, 192, 3), c(192, 384, 3), c(384, 768, 9), c(768, null, 3)], 0.1);
/** ConvNeXt Small: 50,223,688 parameters. */
export const convnext_small = convnext([c(96, 192, 3), c(192, 384, 3), c(384, 768, 27), c(768, null, 3)], 0.4);
/** ConvNeXt Base: 88,591,464 parameters. */
export const convnext_base = convnext([c(128, 256, 3), c(256, 512, 3), c(512, 1024, 27), c(1024, null, 3)], 0.5);
/** ConvNeXt Large: 197,767,336 parameters. */
export const convnext_large = convnext([c(192, 384, 3), c(384, 768, 3), c(768, 1536, 27), c(1536, null, 3)], 0.5);
