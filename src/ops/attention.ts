/**
 * Scaled dot-product attention over heads, built from the batched matmul and softmax kernels:
 *   weights = dropout(softmax(q k^T / sqrt(D) + mask)),  out = weights v
 * for q [..., L, D], k [..., S, D], v [..., S, Dv] with any (broadcast) leading dims, e.g.
 * [B, H, L, D]. Launches: one scale of q, one transposed copy of k (MultiheadAttention makes
 * both in its head split instead, see attention_heads.ts), one batched product, the mask
 * addition (if any), one softmax, the dropout (training only), one batched product.
 */
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from '../autograd.js';
import { tidy } from '../memory.js';
import { add, mul } from './elementwise.js';
import { matmul } from './matmul.js';
import { softmax } from './softmax.js';
import { dropout } from './dropout.js';
import { transpose } from './shape.js';
import { cast, where } from './compare.js';
import { formatShape, requireDtype } from './util.js';
import { checkOptions } from '../args.js';

/** Options of `scaledDotProductAttention`, as the `attn_mask` and `dropout_p` arguments of `torch.nn.functional.scaled_dot_product_attention`. */
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
export function attentionWithWeights(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor | null,
  dropoutP: number,
): [Tensor, Tensor] {
  for (const t of [q, k, v]) requireDtype('scaled_dot_product_attention', t, 'float32');
  const d = q.shape[q.ndim - 1];
  if (
    q.ndim < 2 ||
    k.ndim < 2 ||
    v.ndim < 2 ||
    k.shape[k.ndim - 1] !== d ||
    k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]
  ) {
    throw new Error(
      `scaled_dot_product_attention: query ${formatShape(q.shape)}, key ${formatShape(k.shape)} and value ${formatShape(v.shape)} do not fit ([..., L, D], [..., S, D], [..., S, Dv])`,
    );
  }
  return inferenceTidy([q, k, v, ...(mask ? [mask] : [])], () =>
    attendScaled(mul(q, 1 / Math.sqrt(d)), transpose(k, -1, -2), v, mask, dropoutP),
  );
}

/**
 * The attention proper, for a query already scaled by 1 / sqrt(D) and the keys already
 * transposed (as the head split of MultiheadAttention makes them): softmax(qs kT + mask), its
 * dropout, times v. Returns the output and the weights.
 */
export function attendScaled(
  qScaled: Tensor,
  kT: Tensor,
  v: Tensor,
  mask: Tensor | null,
  dropoutP: number,
): [Tensor, Tensor] {
  const scores = matmul(qScaled, kT);
  const probs = softmax(mask ? add(scores, mask) : scores, -1);
  const weights = dropoutP > 0 ? dropout(probs, dropoutP, true) : probs;
  return [matmul(weights, v), weights];
}

/**
 * Runs `fn` inside `tidy` when no graph will be recorded (inference: no input requires grad, or
 * grad mode is off), so its intermediate results are freed at once. When a graph is recorded the
 * backward reads them: they stay, and go with the caller's `tidy` as every op's do.
 */
export function inferenceTidy<T>(inputs: Tensor[], fn: () => T): T {
  return isGradEnabled() && inputs.some((t) => t.requiresGrad) ? fn() : tidy(fn);
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
  checkOptions('scaled_dot_product_attention', options, { attnMask: 'tensor|null', dropoutP: 'number' });
  const dropoutP = options.dropoutP ?? 0;
  if (!(dropoutP >= 0 && dropoutP <= 1))
    throw new Error(`scaled_dot_product_attention: dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  return inferenceTidy([q, k, v], () => {
    const mask = options.attnMask ? additiveMask(options.attnMask, false) : null;
    return attentionWithWeights(q, k, v, mask, dropoutP)[0];
  });
}
