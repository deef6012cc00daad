/**
 * nn.TransformerEncoderLayer and nn.TransformerEncoder (PyTorch 1.13): self-attention and a
 * two-layer feed-forward block, each in a residual branch, with LayerNorm after each branch
 * (post-LN, BERT/RoBERTa) or before it (`normFirst`, pre-LN). Same keys (`self_attn.*`,
 * `linear1`, `linear2`, `norm1`, `norm2`), same printed form, same order of dropouts.
 */
import type { Tensor } from '../../tensor.js';
import { add, relu } from '../../ops/elementwise.js';
import { gelu } from '../../ops/activation.js';
import { Module } from '../module.js';
import { ModuleList } from '../module_list.js';
import { parseArgs } from '../args.js';
import { MultiheadAttention } from './attention.js';
import { Linear } from './linear.js';
import { Dropout } from './activation.js';
import { LayerNorm } from './layer_norm.js';

/** Options of `new nn.TransformerEncoderLayer(dModel, nhead, options)` (PyTorch's keyword arguments in camelCase). */
export interface TransformerEncoderLayerArgs {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, in the feed-forward block and on the attention weights (default 0.1). */
  dropout?: number;
  /** The feed-forward activation: 'relu' (default), 'gelu', or a module (registered as `activation`). */
  activation?: 'relu' | 'gelu' | Module;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs [B, S, E] (true) or [S, B, E] (false, the default, as PyTorch). */
  batchFirst?: boolean;
  /** LayerNorm before each branch (pre-LN) instead of after the residual sum (default false). */
  normFirst?: boolean;
}

/** Options of `TransformerEncoderLayer.forward` / `TransformerEncoder.forward`. */
export interface TransformerForwardOptions {
  /** [S, S] or [B * nhead, S, S]: int32 nonzero = not allowed to attend, or float32 added to the scores (`src_mask`). */
  srcMask?: Tensor | null;
  /** [B, S]: int32 nonzero = a padding key to ignore, or float32 added (`src_key_padding_mask`). */
  srcKeyPaddingMask?: Tensor | null;
}

type Resolved = Required<Omit<TransformerEncoderLayerArgs, 'activation'>> & { activation: 'relu' | 'gelu' | Module };

/**
 * One encoder layer, as `torch.nn.TransformerEncoderLayer(d_model, nhead, ...)`:
 *   post-LN: x = norm1(x + drop1(SA(x)));  x = norm2(x + drop2(FF(x)))
 *   pre-LN:  x = x + drop1(SA(norm1(x)));  x = x + drop2(FF(norm2(x)))
 * with FF(x) = linear2(dropout(act(linear1(x)))).
 */
export class TransformerEncoderLayer extends Module {
  declare private readonly args: Resolved;
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation?: Module;

  /** `new TransformerEncoderLayer(dModel, nhead, dimFeedforward?, dropout?, activation?)` or with options. */
  constructor(dModel: number, nhead: number, ...rest: Array<number | string | Module | TransformerEncoderLayerArgs>) {
    super();
    const defaults: Resolved = {
      dimFeedforward: 2048,
      dropout: 0.1,
      activation: 'relu',
      layerNormEps: 1e-5,
      batchFirst: false,
      normFirst: false,
    };
    const o = parseArgs('TransformerEncoderLayer', ['dimFeedforward', 'dropout', 'activation'], rest, defaults, {
      activation: 'string|object',
    });
    if (!(o.activation instanceof Module) && o.activation !== 'relu' && o.activation !== 'gelu')
      throw new Error(`TransformerEncoderLayer: activation should be relu/gelu, not ${String(o.activation)}`);
    Object.defineProperty(this, 'args', { value: { ...o, dModel, nhead }, enumerable: false });
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst });
    this.linear1 = new Linear(dModel, o.dimFeedforward);
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel);
    this.normFirst = o.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps });
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    if (o.activation instanceof Module) this.activation = o.activation;
  }

  /** A new layer with the same options and a copy of this one's parameters (PyTorch's `copy.deepcopy`). */
  clone(): TransformerEncoderLayer {
    const { dModel, nhead, ...options } = this.args as Resolved & { dModel: number; nhead: number };
    const copy = new TransformerEncoderLayer(dModel, nhead, options);
    copy.loadStateDict(this.stateDict());
    copy.train(this.training);
    return copy;
  }

  /** src [S, B, E] ([B, S, E] with `batchFirst`, [S, E] unbatched) -> the same shape. */
  forward(src: Tensor, options: TransformerForwardOptions = {}): Tensor {
    let x = src;
    if (this.normFirst) {
      x = add(x, this.selfAttentionBlock(this.norm1.forward(x), options));
      return add(x, this.feedForwardBlock(this.norm2.forward(x)));
    }
    x = this.norm1.forward(add(x, this.selfAttentionBlock(x, options)));
    return this.norm2.forward(add(x, this.feedForwardBlock(x)));
  }

  private selfAttentionBlock(x: Tensor, options: TransformerForwardOptions): Tensor {
    const [out] = this.self_attn.forward(x, x, x, {
      attnMask: options.srcMask,
      keyPaddingMask: options.srcKeyPaddingMask,
      needWeights: false,
    });
    return this.dropout1.forward(out);
  }

  private feedForwardBlock(x: Tensor): Tensor {
    const h = this.linear1.forward(x);
    const act = this.activation ? this.activation.forward(h) : this.args.activation === 'gelu' ? gelu(h) : relu(h);
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(act)));
  }
}

/** Options of `new nn.TransformerEncoder(encoderLayer, numLayers, options)`. */
export interface TransformerEncoderArgs {
  /** A LayerNorm (or any module) applied to the output of the last layer (default none). */
  norm?: Module | null;
  /** Accepted for PyTorch compatibility (its nested-tensor fast path); results are the same. */
  enableNestedTensor?: boolean;
  /** Accepted for PyTorch compatibility. */
  maskCheck?: boolean;
}

/**
 * `numLayers` copies of `encoderLayer` applied in turn (each a copy of its parameters, as
 * PyTorch's deepcopy), then `norm` if given, as `torch.nn.TransformerEncoder`. Keys `layers.0.*`.
 */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  readonly numLayers: number;
  norm?: Module;

  /** `new TransformerEncoder(layer, numLayers, norm?)` or with options (`{norm, enableNestedTensor, maskCheck}`). */
  constructor(
    encoderLayer: TransformerEncoderLayer,
    numLayers: number,
    ...rest: Array<Module | null | TransformerEncoderArgs>
  ) {
    super();
    const o = parseArgs('TransformerEncoder', ['norm'], rest, {
      norm: null as Module | null,
      enableNestedTensor: true,
      maskCheck: true,
    });
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.numLayers = numLayers;
    if (o.norm) this.norm = o.norm;
  }

  /** src as the layers take it; `srcMask` and `srcKeyPaddingMask` go to every layer. */
  forward(src: Tensor, options: TransformerForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}
