/**
 * clamp, as `torch.clamp`: composed of `maximum` and `minimum` (binary_forward.wgsl), so NaN
 * propagates as in PyTorch and a `min` above `max` gives `max` everywhere.
 */
import type { Tensor } from '../tensor.js';
import { maximum, minimum } from './elementwise.js';
import { checkArg } from '../args.js';

/**
 * y = min(max(x, min), max), either bound optional; `torch.clamp(x, min, max)`. NaN stays NaN.
 * dx = g where min < x < max (NOTE: at a bound the gradient is split with it, as maximum's).
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkArg('clamp', 'min', min, 'number|null');
  checkArg('clamp', 'max', max, 'number|null');
  if (min == null && max == null) throw new Error("clamp: at least one of 'min' and 'max' must be given");
  if (min == null) return minimum(x, max!);
  if (max == null) return maximum(x, min);
  const low = maximum(x, min);
  const out = minimum(low, max);
  return out;
}
