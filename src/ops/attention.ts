/**
 * Scaled dot-product attention over heads, built from the batched matmul and softmax kernels:
 *   weights = dropout(softmax(q k^T / sqrt(D) + mask)),  out = weights v
 * for q [..., L, D], k [..., S, D], v [..., S, Dv] with any (broadcast) leading dims, e.g.
 * [B, H, L, D]. Launches: one scale of q, one transposed copy of k, one batched product, the
 * mask addition (if any), one softmax, the dropout (training only), one batched product.
 */
import type { Tensor } from '../tensor.js';
import { add, mul } from './elementwise.js';
import { matmul } from './matmul.js';
import { softmax } from './softmax.js';
import { dropout } from './dropout.js';
import { transpose } from './shape.js';
import { cast, where } from './compare.js';
import { formatShape, requireDtype } from './util.js';

export interface AttentionOptions {
  /**
   * Added to the scores before the softmax: float32 (additive, -Infinity masks out), or int32
   * where nonzero means the position takes part (PyTorch 2's boolean convention). Broadcasts
   * against [..., L, S].
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
}

/** q / sqrt(D), q k^T, mask, softmax, dropout, @ v; returns the output and the weights used. */
export function attentionWithWeights(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, dropoutP: number): [Tensor, Tensor] {
  for (const t of [q, k, v]) requireDtype('scaled_dot_product_attention', t, 'float32');
  const d = q.shape[q.ndim - 1];
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2 || k.shape[k.ndim - 1] !== d || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new Error(`scaled_dot_product_attention: query ${formatShape(q.shape)}, key ${formatShape(k.shape)} and value ${formatShape(v.shape)} do not fit ([..., L, D], [..., S, D], [..., S, Dv])`);
  }
  const temps: Tensor[] = [];
  const temp = (t: Tensor) => (temps.push(t), t);
  const kT = temp(transpose(k, -1, -2));
  const raw = temp(matmul(temp(mul(q, 1 / Math.sqrt(d))), kT));
  const probs = softmax(mask ? temp(add(raw, mask)) : raw, -1);
  const weights = dropoutP > 0 ? dropout(temp(probs), dropoutP, true) : probs;
  const out = matmul(weights, v);
  freeTemps(out, temps);
  return [out, weights];
}

/**
 * Frees intermediate results once nothing can need them: at once when `out` is not part of a
 * graph (inference); otherwise the backward reads them and they go with the caller's `tidy`.
 */
export function freeTemps(out: Tensor, temps: Tensor[]): void {
  if (out.requiresGrad) return;
  for (const t of temps) t.dispose();
}

/** A boolean-style int32 mask (nonzero = `masked` value) as an additive float mask: -inf where masked. */
export function additiveMask(mask: Tensor, maskedWhenNonzero: boolean): Tensor {
  if (mask.dtype === 'float32') return mask;
  const flag = cast(mask, 'float32');
  const out = maskedWhenNonzero ? where(flag, -Infinity, 0) : where(flag, 0, -Infinity);
  flag.dispose();
  return out;
}

/**
 * softmax(q k^T / sqrt(D) + attnMask) v, as PyTorch 2's `F.scaled_dot_product_attention(q, k,
 * v, attn_mask, dropout_p)`: q [..., L, D], k [..., S, D], v [..., S, Dv] -> [..., L, Dv].
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const dropoutP = options.dropoutP ?? 0;
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new Error(`scaled_dot_product_attention: dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  const mask = options.attnMask ? additiveMask(options.attnMask, false) : null;
  const [out, weights] = attentionWithWeights(q, k, v, mask, dropoutP);
  freeTemps(out, mask && mask !== options.attnMask ? [weights, mask] : [weights]);
  return out;
}
