/**
 * nn.MultiheadAttention (PyTorch 1.13), as torchvision's ViT encoder uses it: packed input
 * projection `in_proj_weight` [3E, E] / `in_proj_bias` [3E], `out_proj` (printed as PyTorch's
 * NonDynamicallyQuantizableLinear), heads split from one projected tensor, masks merged into
 * one additive mask, dropout on the attention weights in training.
 */
import { Tensor } from '../../tensor.js';
import { add } from '../../ops/elementwise.js';
import { reshape, slice, transpose, squeeze, unsqueeze } from '../../ops/shape.js';
import { mean } from '../../ops/reduce.js';
import { uniform } from '../../ops/create.js';
import { attendScaled, additiveMask, inferenceTidy } from '../../ops/attention.js';
import { mergeHeads, splitHeads, type SplitHeadsOptions } from '../../ops/attention_heads.js';
import { formatShape } from '../../ops/util.js';
import { Module } from '../module.js';
import { parameter, type Parameter } from '../parameter.js';
import { zerosParameter } from '../init.js';
import { parseArgs } from '../args.js';
import { Linear, linear } from './linear.js';
import { checkOptions } from '../../args.js';

/** PyTorch's name for MHA's output projection (a Linear that quantisation leaves alone). */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of `new nn.MultiheadAttention(embedDim, numHeads, options)` (PyTorch's keyword arguments). */
export interface MultiheadAttentionArgs {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases of the input and output projections (default true). */
  bias?: boolean;
  /** Inputs [B, L, E] (true) or [L, B, E] (false, the default, as PyTorch). */
  batchFirst?: boolean;
}

/** Options of `MultiheadAttention.forward(query, key, value, options)`. */
export interface MultiheadAttentionForwardOptions {
  /** Shape [B, S]: int32 nonzero (PyTorch's True) = ignore that key, or float32 added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true, as PyTorch). */
  needWeights?: boolean;
  /** [L, S] or [B * numHeads, L, S]: int32 nonzero = not allowed to attend, or float32 added. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads ([B, L, S]) or not ([B, H, L, S]); default true. */
  averageAttnWeights?: boolean;
}

/**
 * softmax(Q K^T / sqrt(E / H) + mask) V per head, with Q, K, V = the input projections of
 * query, key, value, heads concatenated and projected by `out_proj`. `forward(q, k, v, options)`
 * returns `[output, weights | null]` as PyTorch's tuple.
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  in_proj_weight: Parameter;
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;

  /** `new MultiheadAttention(embedDim, numHeads, dropout?, bias?)` or with options (`{dropout, bias, batchFirst}`); `embedDim` must be divisible by `numHeads`. */
  constructor(embedDim: number, numHeads: number, ...rest: Array<number | boolean | MultiheadAttentionArgs>) {
    super();
    const o = parseArgs('MultiheadAttention', ['dropout', 'bias'], rest, { dropout: 0, bias: true, batchFirst: false });
    if (!Number.isInteger(embedDim / numHeads))
      throw new Error(`MultiheadAttention: embed_dim ${embedDim} must be divisible by num_heads ${numHeads}`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = o.dropout;
    this.batchFirst = o.batchFirst;
    // PyTorch's _reset_parameters: xavier_uniform_ on the packed weight, zero biases.
    const bound = Math.sqrt(6 / (embedDim + 3 * embedDim));
    this.in_proj_weight = parameter(uniform([3 * embedDim, embedDim], -bound, bound));
    this.in_proj_bias = o.bias ? zerosParameter([3 * embedDim]) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: o.bias });
    if (this.out_proj.bias) this.out_proj.bias.zero_();
  }

  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MultiheadAttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    checkOptions('MultiheadAttention', options, {
      keyPaddingMask: 'tensor|null',
      needWeights: 'boolean',
      attnMask: 'tensor|null',
      averageAttnWeights: 'boolean',
    });
    const batched = query.ndim === 3;
    this.checkInputs(query, key, value, batched);
    // Sizes in the [B, L, E] layout the computation uses.
    const seqDim = batched && this.batchFirst ? 1 : 0;
    const [b, l, s] = [batched ? query.shape[1 - seqDim] : 1, query.shape[seqDim], key.shape[seqDim]];
    this.checkMasks(options, b, l, s);
    const inputs = [query, key, value, ...this.parameters()];
    return inferenceTidy(inputs, () => this.attend(query, key, value, options, batched));
  }

  private attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MultiheadAttentionForwardOptions,
    batched: boolean,
  ): [Tensor, Tensor | null] {
    const { needWeights = true, averageAttnWeights = true } = options;
    // Work in [B, L, E]: unbatched inputs gain a batch of 1, sequence-first ones are transposed.
    const toBatchFirst = (t: Tensor) => (!batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
    const qb = toBatchFirst(query);
    const kb = key === query ? qb : toBatchFirst(key);
    const vb = value === query ? qb : value === key ? kb : toBatchFirst(value);
    const [q, kT, v] = this.project(qb, kb, vb);
    const [b, l, s] = [q.shape[0], q.shape[2], kT.shape[3]];
    const [heads, weights] = attendScaled(
      q,
      kT,
      v,
      this.mergedMask(options, b, l, s),
      this.training ? this.dropout : 0,
    );
    // out_proj's weights are used directly, not its forward, as PyTorch does (hooks never see it).
    const merged = mergeHeads(heads); // [B, L, E]
    const projected = linear(merged, this.out_proj.weight, this.out_proj.bias);
    const out = !batched ? squeeze(projected, 0) : this.batchFirst ? projected : transpose(projected, 0, 1);
    if (!needWeights) return [out, null];
    const returned = averageAttnWeights ? mean(weights, 1) : weights;
    return [out, batched ? returned : squeeze(returned, 0)];
  }

  /**
   * Q / sqrt(E / H) [B, H, L, Dh], K^T [B, H, Dh, S] and V [B, H, S, Dh]: one product for all three
   * in self-attention (q = k = v), then three head splits of it (ops/attention_heads.ts).
   */
  private project(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor, Tensor] {
    const { numHeads: h, headDim: dh, embedDim: e } = this;
    const scale = 1 / Math.sqrt(dh);
    if (k === q && v === q) {
      const qkv = linear(q, this.in_proj_weight, this.in_proj_bias); // [B, L, 3E]
      return [
        splitHeads(qkv, 3, 0, h, { scale }),
        splitHeads(qkv, 3, 1, h, { transposed: true }),
        splitHeads(qkv, 3, 2, h),
      ];
    }
    // Cross-attention: each input times its third of the packed weight.
    const proj = (x: Tensor, i: number, options: SplitHeadsOptions) => {
      const w = slice(this.in_proj_weight, 0, i * e, (i + 1) * e);
      const bias = this.in_proj_bias ? slice(this.in_proj_bias, 0, i * e, (i + 1) * e) : null;
      return splitHeads(linear(x, w, bias), 1, 0, h, options);
    };
    return [proj(q, 0, { scale }), proj(k, 1, { transposed: true }), proj(v, 2, {})];
  }

  /** attn_mask and key_padding_mask as one additive float mask broadcasting to [B, H, L, S] (PyTorch merges them so). */
  private mergedMask(options: MultiheadAttentionForwardOptions, b: number, l: number, s: number): Tensor | null {
    const { attnMask, keyPaddingMask } = options;
    let mask: Tensor | null = null;
    if (attnMask) {
      const additive = additiveMask(attnMask, true);
      mask = attnMask.ndim === 2 ? additive : reshape(additive, [b, this.numHeads, l, s]);
    }
    if (keyPaddingMask) {
      const padding = reshape(additiveMask(keyPaddingMask, true), [b, 1, 1, s]);
      mask = mask ? add(mask, padding) : padding;
    }
    return mask;
  }

  private checkMasks(options: MultiheadAttentionForwardOptions, b: number, l: number, s: number): void {
    const { attnMask, keyPaddingMask } = options;
    if (attnMask) {
      const ok =
        (attnMask.ndim === 2 && attnMask.shape[0] === l && attnMask.shape[1] === s) ||
        (attnMask.ndim === 3 &&
          attnMask.shape[0] === b * this.numHeads &&
          attnMask.shape[1] === l &&
          attnMask.shape[2] === s);
      if (!ok)
        throw new Error(
          `MultiheadAttention: attn_mask of shape ${formatShape(attnMask.shape)} should be [${l}, ${s}] or [${b * this.numHeads}, ${l}, ${s}]`,
        );
    }
    if (
      keyPaddingMask &&
      !(keyPaddingMask.ndim === 2 && keyPaddingMask.shape[0] === b && keyPaddingMask.shape[1] === s)
    ) {
      throw new Error(
        `MultiheadAttention: key_padding_mask of shape ${formatShape(keyPaddingMask.shape)} should be [${b}, ${s}]`,
      );
    }
  }

  private checkInputs(query: Tensor, key: Tensor, value: Tensor, batched: boolean): void {
    const rank = batched ? 3 : 2;
    const shapes = `query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`;
    if (![2, 3].includes(query.ndim) || key.ndim !== rank || value.ndim !== rank) {
      throw new Error(
        `MultiheadAttention: expected 3-D (batched) or 2-D (unbatched) query, key and value of the same rank, got ${shapes}`,
      );
    }
    const e = this.embedDim;
    if (query.shape[rank - 1] !== e || key.shape[rank - 1] !== e || value.shape[rank - 1] !== e) {
      throw new Error(`MultiheadAttention: expected embedding dimension ${e} in ${shapes}`);
    }
    const seqDim = batched && this.batchFirst ? 1 : 0;
    const batchDim = batched ? 1 - seqDim : -1;
    if (
      key.shape[seqDim] !== value.shape[seqDim] ||
      (batched && (key.shape[batchDim] !== query.shape[batchDim] || value.shape[batchDim] !== query.shape[batchDim]))
    ) {
      throw new Error(
        `MultiheadAttention: key and value must have the same sequence length and batch size as each other and the query, got ${shapes}`,
      );
    }
  }
}
