/**
 * clamp, as `torch.clamp`: composed of `maximum` and `minimum` (binary_forward.wgsl), so NaN
 * propagates as in PyTorch and a `min` above `max` gives `max` everywhere; its own backward
 * (compare.wgsl masks and `where`), as PyTorch's: the gradient passes where min <= x <= max.
 */
import type { Tensor } from '../tensor.js';
import { maximum, minimum } from './elementwise.js';
import { ge, le, where } from './compare.js';
import { noGrad, record } from '../autograd.js';
import { checkArg } from '../args.js';

/**
 * y = min(max(x, min), max), either bound optional; `torch.clamp(x, min, max)`. NaN stays NaN.
 * dx = g where min <= x <= max, else 0 (at a bound too, and 0 at NaN), as PyTorch's clamp_backward.
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkArg('clamp', 'min', min, 'number|null');
  checkArg('clamp', 'max', max, 'number|null');
  if (min == null && max == null) throw new Error("clamp: at least one of 'min' and 'max' must be given");
  const out = noGrad(() => {
    if (min == null) return minimum(x, max!);
    if (max == null) return maximum(x, min);
    const low = maximum(x, min);
    const y = minimum(low, max);
    low.dispose();
    return y;
  });
  return record(out, 'clamp', [x], (g) => {
    // where((x >= min) & (x <= max), g, 0): the comparisons are false at NaN.
    const inside = min == null ? le(x, max!) : max == null ? ge(x, min) : ge(x, min).mul(le(x, max));
    return [where(inside, g, 0)];
  });
}
