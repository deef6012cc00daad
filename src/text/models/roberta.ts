/**
 * torchtext 0.14's RoBERTa / XLM-R encoder (`torchtext.models.roberta.model` and `.modules`),
 * module for module: token and learned position embeddings, PyTorch's TransformerEncoder with
 * GELU, batch-first, post-LN (or pre-LN with `normalizeBefore`), and the classification head
 * reading the first token. Same keys, printed form and parameter counts as torchtext.
 */
import type { Tensor } from '../../tensor.js';
import { add, mul } from '../../ops/elementwise.js';
import { cast, eq, ne } from '../../ops/compare.js';
import { cumsum } from '../../ops/cumsum.js';
import { formatShape, requireDtype } from '../../ops/util.js';
import { slice, squeeze } from '../../ops/shape.js';
import { Module } from '../../nn/module.js';
import { Embedding } from '../../nn/layers/embedding.js';
import { LayerNorm } from '../../nn/layers/layer_norm.js';
import { Dropout, ReLU } from '../../nn/layers/activation.js';
import { Linear } from '../../nn/layers/linear.js';
import { TransformerEncoder as TorchTransformerEncoder, TransformerEncoderLayer } from '../../nn/layers/transformer.js';
import { RobertaEncoderConf } from './conf.js';

/**
 * Learned positions counted from the padding, as torchtext's PositionalEmbedding: a token's
 * position is padIdx + (its rank among the non-padding tokens of its row), padding tokens get
 * padIdx (whose row is zero and never trained): positions = cumsum(t != pad) * (t != pad) + pad.
 */
export class PositionalEmbedding extends Module {
  embedding: Embedding;
  readonly padIndex: number;

  constructor(numEmbeddings: number, embeddingDim: number, padIndex: number) {
    super();
    this.embedding = new Embedding(numEmbeddings, embeddingDim, { paddingIdx: padIndex });
    this.padIndex = padIndex;
  }

  /** tokens [B, S] int32 -> [B, S, D]. */
  forward(tokens: Tensor): Tensor {
    return this.embedding.forward(makePositions(tokens, this.padIndex));
  }
}

/** cumsum(t != pad, 1) * (t != pad) + pad, as int32 [B, S] (float32 sums are exact below 2^24). */
export function makePositions(tokens: Tensor, padIndex: number): Tensor {
  const masked = ne(tokens, padIndex);
  const counted = cumsum(masked, 1);
  const positions = add(mul(counted, masked), padIndex);
  const ids = cast(positions, 'int32');
  for (const t of [masked, counted, positions]) t.dispose();
  return ids;
}

/** Options of torchtext's TransformerEncoder (`torchtext.models.roberta.modules`). */
interface EncoderArgs {
  vocabSize: number;
  embeddingDim: number;
  paddingIdx: number;
  maxSeqLen: number;
  numEncoderLayers: number;
  numAttentionHeads: number;
  ffnDimension: number;
  dropout: number;
  normalizeBefore: boolean;
}

/**
 * torchtext's TransformerEncoder (`torchtext.models.roberta.modules`, not PyTorch's, which it holds as `layers`): embeddings, LayerNorm (post-LN) or
 * not, dropout, PyTorch's encoder stack with the padding keys masked, LayerNorm at the end (pre-LN).
 */
export class TransformerEncoder extends Module {
  readonly paddingIdx: number;
  token_embedding: Embedding;
  layers: TorchTransformerEncoder;
  positional_embedding: PositionalEmbedding;
  embedding_layer_norm: LayerNorm;
  dropout: Dropout;
  readonly normalizeBefore: boolean;

  constructor(a: EncoderArgs) {
    super();
    this.paddingIdx = a.paddingIdx;
    this.token_embedding = new Embedding(a.vocabSize, a.embeddingDim, { paddingIdx: a.paddingIdx });
    const layer = new TransformerEncoderLayer(a.embeddingDim, a.numAttentionHeads, {
      dimFeedforward: a.ffnDimension,
      dropout: a.dropout,
      activation: 'gelu',
      batchFirst: true,
      normFirst: a.normalizeBefore,
    });
    this.layers = new TorchTransformerEncoder(layer, a.numEncoderLayers, {
      enableNestedTensor: true,
      maskCheck: false,
    });
    for (const p of layer.parameters()) p.dispose();
    this.positional_embedding = new PositionalEmbedding(a.maxSeqLen, a.embeddingDim, a.paddingIdx);
    this.embedding_layer_norm = new LayerNorm(a.embeddingDim);
    this.dropout = new Dropout(a.dropout);
    this.normalizeBefore = a.normalizeBefore;
  }

  /** tokens [B, S] int32 -> features [B, S, D]. */
  forward(tokens: Tensor): Tensor {
    const padding = eq(tokens, this.paddingIdx);
    const paddingMask = cast(padding, 'int32');
    padding.dispose();
    let x = add(this.token_embedding.forward(tokens), this.positional_embedding.forward(tokens));
    if (!this.normalizeBefore) x = this.embedding_layer_norm.forward(x);
    x = this.dropout.forward(x);
    x = this.layers.forward(x, { srcKeyPaddingMask: paddingMask });
    if (this.normalizeBefore) x = this.embedding_layer_norm.forward(x);
    return x;
  }
}

/** torchtext's RobertaEncoder: the transformer, frozen on request. */
export class RobertaEncoder extends Module {
  transformer: TransformerEncoder;

  constructor(conf: RobertaEncoderConf, freeze = false) {
    super();
    this.transformer = new TransformerEncoder(conf);
    if (freeze) this.requiresGrad_(false);
  }

  /** tokens [B, S] int32 -> features [B, S, D] (torchtext's two transposes cancel out). */
  forward(tokens: Tensor): Tensor {
    requireDtype('RobertaEncoder', tokens, 'int32');
    if (tokens.ndim !== 2)
      throw new Error(`RobertaEncoder: tokens must be [batch, sequence], got ${formatShape(tokens.shape)}`);
    const max = this.transformer.positional_embedding.embedding.numEmbeddings - this.transformer.paddingIdx - 1;
    if (tokens.shape[1] > max)
      throw new Error(
        `RobertaEncoder: sequences of ${tokens.shape[1]} tokens exceed the ${max} positions of the model`,
      );
    return this.transformer.forward(tokens);
  }
}

/** Options of `new RobertaClassificationHead(numClasses, inputDim, options)`. */
export interface RobertaClassificationHeadArgs {
  /** Width of the hidden layer (default inputDim). */
  innerDim?: number | null;
  /** Dropout before each linear layer (default 0.1). */
  dropout?: number;
  /** The hidden activation, a module (default `new nn.ReLU()`, as torchtext's `nn.ReLU`). */
  activation?: Module;
}

/**
 * torchtext's RobertaClassificationHead: features [B, S, D] -> logits [B, numClasses] from the
 * first token: out_proj(dropout(act(dense(dropout(x[:, 0]))))).
 */
export class RobertaClassificationHead extends Module {
  dense: Linear;
  dropout: Dropout;
  out_proj: Linear;
  activation_fn: Module;

  constructor(numClasses: number, inputDim: number, options: RobertaClassificationHeadArgs = {}) {
    super();
    const inner = options.innerDim || inputDim;
    this.dense = new Linear(inputDim, inner);
    this.dropout = new Dropout(options.dropout ?? 0.1);
    this.out_proj = new Linear(inner, numClasses);
    this.activation_fn = options.activation ?? new ReLU();
  }

  forward(features: Tensor): Tensor {
    if (features.ndim !== 3)
      throw new Error(
        `RobertaClassificationHead: features must be [batch, sequence, dim], got ${formatShape(features.shape)}`,
      );
    let x = squeeze(slice(features, 1, 0, 1), 1);
    x = this.dropout.forward(x);
    x = this.activation_fn.forward(this.dense.forward(x));
    return this.out_proj.forward(this.dropout.forward(x));
  }
}

/** Options of `new RobertaModel(conf, head, options)`. */
export interface RobertaModelArgs {
  /** requiresGrad false on every encoder parameter (default false). */
  freezeEncoder?: boolean;
}

/**
 * torchtext's RobertaModel: the encoder, then `head` if given. tokens [B, S] int32 (padded with
 * `conf.paddingIdx`) -> features [B, S, D], or the head's output. As
 * `torchtext.models.RobertaModel(encoder_conf, head, freeze_encoder)`.
 */
export class RobertaModel extends Module {
  encoder: RobertaEncoder;
  head: Module | null;
  declare readonly conf: RobertaEncoderConf;

  constructor(conf: RobertaEncoderConf, head: Module | null = null, options: RobertaModelArgs = {}) {
    super();
    if (!(conf instanceof RobertaEncoderConf)) throw new Error('RobertaModel: conf must be a RobertaEncoderConf');
    this.encoder = new RobertaEncoder(conf, options.freezeEncoder ?? false);
    this.head = head;
    Object.defineProperty(this, 'conf', { value: conf, enumerable: false });
  }

  forward(tokens: Tensor): Tensor {
    const features = this.encoder.forward(tokens);
    return this.head ? this.head.forward(features) : features;
  }
}
