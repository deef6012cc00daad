/**
 * Running sums along one dimension (`shaders/cumsum.wgsl`), float32 or int32, as `torch.cumsum`.
 * One invocation walks each line in order, so int32 sums are exact and float32 ones the same
 * bits every run; the backward is the same kernel summing from the end.
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { normalizeDim, wgslType } from './util.js';

const WG = 64;

/** Sums from the start (or, `reverse`, from the end) of `dim` of `x` seen as [outer, len, inner]. */
function scan(x: Tensor, dim: number, reverse: boolean): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  const outer = x.shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const len = x.shape[dim] ?? 1;
  if (out.size > 0)
    dispatch(
      K.cumsum,
      { WG, REVERSE: reverse, T: wgslType(x) },
      { outer, len, inner },
      [x.buffer, out.buffer],
      gridFor(outer * inner, WG),
    );
  return out;
}

/**
 * y_k = sum_{j <= k} x_j along `dim` (inclusive), as `torch.cumsum(x, dim)`; int32 stays int32.
 * Backward: dx_k = sum_{j >= k} g_j (the running sum from the end).
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('cumsum', dim, x.ndim);
  const y = scan(x, d, false);
  return record(y, 'cumsum', [x], (g) => [scan(g, d, true)]);
}
