/**
 * The head split of multi-head attention (`shaders/attention_heads.wgsl`): one strided copy takes
 * one projection out of the packed [B, S, P * E] input projection, per head, scaled, and for the
 * keys transposed, so that the three copies below replace a permute, three slices, a scale and a
 * transpose (six launches and four passes over the data) with three launches and one pass:
 *   q  = splitHeads(qkv, 3, 0, H, {scale: 1 / sqrt(Dh)})      [B, H, S, Dh]
 *   kT = splitHeads(qkv, 3, 1, H, {transposed: true})         [B, H, Dh, S]
 *   v  = splitHeads(qkv, 3, 2, H)                             [B, H, S, Dh]
 * The backward writes the gradient into its part of a [B, S, P * E] tensor (0 elsewhere).
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, requireDtype } from './util.js';
import { checkOptions } from '../args.js';

const WG = 64;

export interface SplitHeadsOptions {
  /** Multiplies the values (q's 1 / sqrt(Dh)); default 1. */
  scale?: number;
  /** [B, H, Dh, S] instead of [B, H, S, Dh]. */
  transposed?: boolean;
}

/** Part `part` of `parts` packed projections of `packed` [B, S, parts * E], split into `heads` heads. */
export function splitHeads(
  packed: Tensor,
  parts: number,
  part: number,
  heads: number,
  options: SplitHeadsOptions = {},
): Tensor {
  checkOptions('split_heads', options, { scale: 'number', transposed: 'boolean' });
  requireDtype('split_heads', packed, 'float32');
  const { scale = 1, transposed = false } = options;
  const [b, s, width] = packed.shape;
  const e = width / parts;
  if (packed.ndim !== 3 || !Number.isInteger(e) || e % heads !== 0 || part < 0 || part >= parts) {
    throw new Error(
      `split_heads: cannot take part ${part} of ${parts} with ${heads} heads from shape ${formatShape(packed.shape)}`,
    );
  }
  const dh = e / heads;
  const out = Tensor.empty(transposed ? [b, heads, dh, s] : [b, heads, s, dh]);
  const uniforms = { b, s, parts, h: heads, dh, part, scale };
  const grid = gridFor(b * s * heads, WG);
  if (out.size > 0)
    dispatch(
      K.attention_heads,
      { entryPoint: 'split', WG, TRANSPOSED: transposed },
      uniforms,
      [packed.buffer, out.buffer],
      grid,
    );
  return record(out, 'split_heads', [packed], (g) => {
    const dPacked = Tensor.empty(packed.shape);
    if (out.size > 0)
      dispatch(
        K.attention_heads,
        { entryPoint: 'merge', WG, TRANSPOSED: transposed },
        uniforms,
        [g.buffer, dPacked.buffer],
        grid,
      );
    return [dPacked];
  });
}

/**
 * The heads of attention's output put back side by side: heads [B, H, S, Dh] -> [B, S, H * Dh],
 * as `heads.permute(0, 2, 1, 3).reshape(B, S, H * Dh)`, with the kernel above (one packed part,
 * `merge` forward, `split` backward): rows of Dh values copied whole, not one gathered element at
 * a time as a general permute does.
 */
export function mergeHeads(heads: Tensor): Tensor {
  requireDtype('merge_heads', heads, 'float32');
  if (heads.ndim !== 4) throw new Error(`merge_heads: expected heads [B, H, S, Dh], got ${formatShape(heads.shape)}`);
  const [b, h, s, dh] = heads.shape;
  const out = Tensor.empty([b, s, h * dh]);
  const uniforms = { b, s, parts: 1, h, dh, part: 0, scale: 1 };
  const grid = gridFor(b * s * h, WG);
  const launch = (entryPoint: 'split' | 'merge', from: Tensor, to: Tensor) =>
    dispatch(K.attention_heads, { entryPoint, WG, TRANSPOSED: false }, uniforms, [from.buffer, to.buffer], grid);
  if (out.size > 0) launch('merge', heads, out);
  return record(out, 'merge_heads', [heads], (g) => {
    const dHeads = Tensor.empty(heads.shape);
    if (out.size > 0) launch('split', g, dHeads);
    return [dHeads];
  });
}
