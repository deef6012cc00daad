/**
 * The Vision Transformer as torchvision builds it (`torchvision/models/vision_transformer.py`;
 * Dosovitskiy et al. 2020). The image is cut into patchSize x patchSize patches by one strided
 * convolution (`conv_proj`), each patch becomes a token of hiddenDim values, a learned
 * `class_token` is put in front and learned position embeddings added; numLayers pre-norm
 * encoder blocks follow:
 *   x = x + dropout(attention(ln_1(x)))      (numHeads heads, self-attention)
 *   x = x + mlp(ln_2(x))                     (Linear -> GELU -> Linear, mlpDim wide)
 * and the class token's final value, layer-normed, goes through `heads` to the logits.
 * LayerNorm eps 1e-6. Initialisation as torchvision: conv_proj trunc_normal_(std sqrt(1 /
 * fan_in)), position embeddings N(0, 0.02), class token 0, MLP weights xavier_uniform_ with
 * biases N(0, 1e-6), the head 0 (attention: MultiheadAttention's own xavier_uniform_).
 * Weights: `vit_b_16-c867db91.pth`, `vit_b_32-d86f8d99.pth`, ... (see `sg.models.get`).
 * (Fields are declared and assigned in the same order: that order is the module tree's.)
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { zeros, normal } from '../ops/create.js';
import { cat, expand, permute, reshape, slice } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Parameter, parameter } from '../nn/parameter.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { Dropout, ReLU, Tanh } from '../nn/layers/activation.js';
import { BatchNorm2d } from '../nn/layers/batchnorm.js';
import {
  GELU,
  LayerNorm,
  MultiheadAttention,
  Conv2dNormActivation,
  makeLayer,
  type LayerFactory,
} from '../nn/index.js';
import { modelOptions } from './options.js';
import { constant_, normal_, truncNormal_, xavierUniform_ } from './init.js';
import type { NormLayer } from './efficientnet.js';

/** The transformer's feed-forward part: Linear -> GELU -> Dropout -> Linear -> Dropout (torchvision's `MLPBlock`). */
export class MLPBlock extends Sequential {
  constructor(inDim: number, mlpDim: number, dropout: number) {
    super(new Linear(inDim, mlpDim), new GELU(), new Dropout(dropout), new Linear(mlpDim, inDim), new Dropout(dropout));
    for (const m of this.modules()) {
      if (m instanceof Linear) {
        xavierUniform_(m.weight);
        if (m.bias) normal_(m.bias, 0, 1e-6);
      }
    }
  }
}

/** One pre-norm transformer layer: self-attention then MLP, each in a residual branch. */
export class EncoderBlock extends Module {
  readonly numHeads: number;
  ln_1: Module;
  self_attention: MultiheadAttention;
  dropout: Dropout;
  ln_2: Module;
  mlp: MLPBlock;

  constructor(
    numHeads: number,
    hiddenDim: number,
    mlpDim: number,
    dropout: number,
    attentionDropout: number,
    normLayer: NormLayer,
  ) {
    super();
    this.numHeads = numHeads;
    this.ln_1 = makeLayer(normLayer, hiddenDim);
    this.self_attention = new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true });
    this.dropout = new Dropout(dropout);
    this.ln_2 = makeLayer(normLayer, hiddenDim);
    this.mlp = new MLPBlock(hiddenDim, mlpDim, dropout);
  }

  /** [N, S, D] -> [N, S, D]. */
  forward(input: Tensor): Tensor {
    if (input.ndim !== 3)
      throw new Error(`EncoderBlock: expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    const h = this.ln_1.forward(input);
    const [attended] = this.self_attention.forward(h, h, h, { needWeights: false });
    const x = add(this.dropout.forward(attended), input);
    return add(x, this.mlp.forward(this.ln_2.forward(x)));
  }
}

/** Position embeddings, dropout, the encoder layers and a final LayerNorm. */
export class Encoder extends Module {
  pos_embedding: Parameter;
  dropout: Dropout;
  layers: Sequential;
  ln: Module;

  constructor(
    seqLength: number,
    numLayers: number,
    numHeads: number,
    hiddenDim: number,
    mlpDim: number,
    dropout: number,
    attentionDropout: number,
    normLayer: NormLayer,
  ) {
    super();
    this.pos_embedding = parameter(normal([1, seqLength, hiddenDim], 0, 0.02)); // from BERT
    this.dropout = new Dropout(dropout);
    const layers = new Map<string, Module>();
    for (let i = 0; i < numLayers; i++)
      layers.set(
        `encoder_layer_${i}`,
        new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, normLayer),
      );
    this.layers = new Sequential(layers);
    this.ln = makeLayer(normLayer, hiddenDim);
  }

  /** [N, S, D] -> [N, S, D]. */
  forward(input: Tensor): Tensor {
    if (input.ndim !== 3)
      throw new Error(`Encoder: expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    return this.ln.forward(this.layers.forward(this.dropout.forward(add(input, this.pos_embedding))));
  }
}

/** One convolution of an optional convolutional stem (torchvision's `ConvStemConfig`). */
export interface ConvStemConfig {
  outChannels: number;
  kernelSize: number;
  stride: number;
  /** Default BatchNorm2d. */
  normLayer?: NormLayer;
  /** Default ReLU. */
  activationLayer?: LayerFactory<[{ inplace?: boolean }]>;
}

/** torchvision's `VisionTransformer` parameters in camelCase; the first six are required. */
export interface VisionTransformerOptions {
  /** Side of the square input image. */
  imageSize: number;
  /** Side of a square patch; divides imageSize. */
  patchSize: number;
  /** Encoder blocks. */
  numLayers: number;
  /** Attention heads; divides hiddenDim. */
  numHeads: number;
  /** Width of a token. */
  hiddenDim: number;
  /** Hidden width of the MLP. */
  mlpDim: number;
  /** Dropout after attention, in the MLP and on the embedded tokens (0). */
  dropout?: number;
  /** Dropout on the attention weights (0). */
  attentionDropout?: number;
  /** Size of the last layer (1000). */
  numClasses?: number;
  /** A Linear + Tanh `pre_logits` layer of this width before the head (none). */
  representationSize?: number | null;
  /** The normalisation layer (LayerNorm, eps 1e-6). */
  normLayer?: NormLayer;
  /** Replace the patchify convolution by these convolutions and a 1x1 to hiddenDim (Xiao et al. 2021). */
  convStemConfigs?: ConvStemConfig[] | null;
}

/** `torchvision.models.VisionTransformer`: [N, 3, imageSize, imageSize] -> logits [N, numClasses]. */
export class VisionTransformer extends Module {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly mlpDim: number;
  readonly attentionDropout: number;
  readonly dropout: number;
  readonly numClasses: number;
  readonly representationSize: number | null;
  conv_proj: Module;
  class_token: Parameter;
  encoder: Encoder;
  readonly seqLength: number;
  heads: Sequential;

  /** torchvision's `VisionTransformer(image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, ...)`, camelCased. */
  constructor(options: VisionTransformerOptions) {
    super();
    const o = modelOptions('VisionTransformer', options, {
      imageSize: 0,
      patchSize: 0,
      numLayers: 0,
      numHeads: 0,
      hiddenDim: 0,
      mlpDim: 0,
      dropout: 0.0,
      attentionDropout: 0.0,
      numClasses: 1000,
      representationSize: null as number | null,
      normLayer: ((d: number) => new LayerNorm(d, { eps: 1e-6 })) as NormLayer,
      convStemConfigs: null as ConvStemConfig[] | null,
    });
    for (const k of ['imageSize', 'patchSize', 'numLayers', 'numHeads', 'hiddenDim', 'mlpDim'] as const) {
      if (!(Number.isInteger(o[k]) && o[k] > 0))
        throw new Error(`VisionTransformer: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (o.imageSize % o.patchSize !== 0)
      throw new Error(
        `VisionTransformer: input shape indivisible by patch size (imageSize ${o.imageSize}, patchSize ${o.patchSize})`,
      );
    this.imageSize = o.imageSize;
    this.patchSize = o.patchSize;
    this.hiddenDim = o.hiddenDim;
    this.mlpDim = o.mlpDim;
    this.attentionDropout = o.attentionDropout;
    this.dropout = o.dropout;
    this.numClasses = o.numClasses;
    this.representationSize = o.representationSize;
    this.conv_proj = o.convStemConfigs
      ? convStem(o.convStemConfigs, o.hiddenDim)
      : new Conv2d(3, o.hiddenDim, o.patchSize, { stride: o.patchSize });
    this.class_token = parameter(zeros([1, 1, o.hiddenDim]));
    this.seqLength = (o.imageSize / o.patchSize) ** 2 + 1;
    this.encoder = new Encoder(
      this.seqLength,
      o.numLayers,
      o.numHeads,
      o.hiddenDim,
      o.mlpDim,
      o.dropout,
      o.attentionDropout,
      o.normLayer,
    );
    const heads = new Map<string, Module>();
    if (o.representationSize === null) heads.set('head', new Linear(o.hiddenDim, o.numClasses));
    else
      heads
        .set('pre_logits', new Linear(o.hiddenDim, o.representationSize))
        .set('act', new Tanh())
        .set('head', new Linear(o.representationSize, o.numClasses));
    this.heads = new Sequential(heads);
    this.initWeights();
  }

  private initWeights(): void {
    if (this.conv_proj instanceof Conv2d) {
      const [, inC, kh, kw] = this.conv_proj.weight.shape;
      truncNormal_(this.conv_proj.weight, 0, Math.sqrt(1 / (inC * kh * kw)));
      constant_(this.conv_proj.bias, 0);
    } else {
      const last = (this.conv_proj as unknown as { conv_last: Conv2d }).conv_last;
      normal_(last.weight, 0, Math.sqrt(2 / last.outChannels));
      constant_(last.bias, 0);
    }
    const preLogits = (this.heads as unknown as { pre_logits?: Linear }).pre_logits;
    if (preLogits) {
      truncNormal_(preLogits.weight, 0, Math.sqrt(1 / preLogits.inFeatures));
      constant_(preLogits.bias, 0);
    }
    const head = (this.heads as unknown as { head: Linear }).head;
    constant_(head.weight, 0);
    constant_(head.bias, 0);
  }

  /** [N, 3, imageSize, imageSize] -> patch tokens [N, (imageSize / patchSize)^2, hiddenDim]. */
  private processInput(x: Tensor): Tensor {
    const [n, , h, w] = x.shape;
    if (x.ndim !== 4 || h !== this.imageSize || w !== this.imageSize) {
      throw new Error(
        `VisionTransformer: expected input [N, 3, ${this.imageSize}, ${this.imageSize}], got [${x.shape.join(', ')}]`,
      );
    }
    const p = this.patchSize;
    const y = this.conv_proj.forward(x);
    return permute(reshape(y, [n, this.hiddenDim, (h / p) * (w / p)]), [0, 2, 1]);
  }

  /** [N, 3, imageSize, imageSize] -> logits [N, numClasses]: the class token's output through the heads. */
  forward(x: Tensor): Tensor {
    const tokens = this.processInput(x);
    const n = tokens.shape[0];
    const withClass = cat([expand(this.class_token, [n, 1, this.hiddenDim]), tokens], 1);
    const encoded = this.encoder.forward(withClass);
    return this.heads.forward(reshape(slice(encoded, 1, 0, 1), [n, this.hiddenDim]));
  }
}

/** `conv_bn_relu_i` blocks and a 1x1 `conv_last` to hiddenDim, as torchvision's conv stem. */
function convStem(configs: ConvStemConfig[], hiddenDim: number): Sequential {
  const layers = new Map<string, Module>();
  let prev = 3;
  configs.forEach((c, i) => {
    layers.set(
      `conv_bn_relu_${i}`,
      new Conv2dNormActivation(prev, c.outChannels, {
        kernelSize: c.kernelSize,
        stride: c.stride,
        normLayer: c.normLayer ?? ((ch: number) => new BatchNorm2d(ch)),
        activationLayer: c.activationLayer ?? ReLU,
      }),
    );
    prev = c.outChannels;
  });
  layers.set('conv_last', new Conv2d(prev, hiddenDim, 1));
  return new Sequential(layers);
}

/** Options of the named ViTs: everything but the architecture. */
export type ViTOptions = Partial<
  Omit<VisionTransformerOptions, 'patchSize' | 'numLayers' | 'numHeads' | 'hiddenDim' | 'mlpDim'>
>;

function vit(patchSize: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number) {
  return (options: ViTOptions = {}) =>
    new VisionTransformer({ imageSize: 224, ...options, patchSize, numLayers, numHeads, hiddenDim, mlpDim });
}

/** ViT-B/16: 86,567,656 parameters, 224 px. */
export const vit_b_16 = vit(16, 12, 12, 768, 3072);
/** ViT-B/32: 88,224,232 parameters, 224 px. */
export const vit_b_32 = vit(32, 12, 12, 768, 3072);
/** ViT-L/16: 304,326,632 parameters, 224 px. */
export const vit_l_16 = vit(16, 24, 16, 1024, 4096);
/** ViT-L/32: 306,535,400 parameters, 224 px. */
export const vit_l_32 = vit(32, 24, 16, 1024, 4096);
/** ViT-H/14: 632,045,800 parameters, 224 px (torchvision's weights are for 518 px: pass `imageSize: 518`). */
export const vit_h_14 = vit(14, 32, 16, 1280, 5120);
