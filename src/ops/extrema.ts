/**
 * The extrema: amax and amin (values, over all elements or some dimensions) by `reduce.wgsl`; max
 * and min as torch's (a value, a (values, indices) pair along a dim, or elementwise); and
 * argmax and argmin (the index along one dimension) by `argmax.wgsl`. Backward passes route the
 * gradient to the selected element with `max_backward.wgsl`.
 *
 * NOTE: NaN wins, as in PyTorch: the max or min of values that include NaN is NaN, and argmax
 * and argmin point at the first NaN. An empty reduction has no identity: an error, as PyTorch's.
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor, numel, type Shape } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, normalizeDim, requireDtype } from './util.js';
import { dimsToReduce, reduceInto, reducedShape, type ReduceOptions } from './reduce.js';
import { reduceArgs } from '../args.js';
import { ValuesIndices } from '../values_indices.js';
import { maximum, minimum } from './elementwise.js';

const WG = 256;

/** [outer, K, inner] view of a reduction along one dim, for argmax and max's backward. */
function splitAround(shape: Shape, dim: number): { outer: number; k: number; inner: number } {
  return { outer: numel(shape.slice(0, dim)), k: shape[dim] ?? 1, inner: numel(shape.slice(dim + 1)) }; // a 0-d tensor: K = 1
}

/** PyTorch's error for a max, min, argmax or argmin over no elements. */
function refuseEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  if (dims.some((d) => x.shape[d] === 0) || (x.size === 0 && x.ndim === 0))
    throw new Error(
      `${op}: cannot reduce over a dimension of size 0 (input ${formatShape(x.shape)}): the operation has no identity`,
    );
}

/** argmax (largest) or argmin (smallest) along `dim`, or in the flattened tensor. */
function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dimArg: unknown, keepdimArg: unknown): Tensor {
  const { dim, keepdim } = reduceArgs(op, dimArg, keepdimArg, false);
  requireDtype(op, x, 'float32');
  const d = dim === undefined ? 0 : normalizeDim(op, dim as number, x.ndim);
  const flat = dim === undefined ? [x.size] : x.shape;
  refuseEmpty(op, x, dim === undefined ? x.shape.map((_, i) => i) : [d]);
  const { outer, k, inner } = splitAround(flat, d);
  const outShape = dim === undefined ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [d], keepdim);
  const out = Tensor.empty(outShape, 'int32');
  if (out.size === 0) return out;
  dispatch(
    K.argmax,
    { WG, LARGEST: op === 'argmax' },
    { m: outer * inner, k, inner },
    [x.buffer, out.buffer],
    gridFor(outer * inner, WG),
  );
  return out;
}

/**
 * Index (int32) of the largest element along `dim` (the first one on ties; NaN counts as the
 * largest), or in the flattened tensor; `torch.argmax`. `argmax(x, 1, true)` keeps the dim.
 */
export const argmax = (x: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions) =>
  argExtreme('argmax', x, dim, keepdim);
/**
 * Index (int32) of the smallest element along `dim` (the first one on ties; NaN counts as the
 * smallest), or in the flattened tensor; `torch.argmin`. `argmin(x, 1, true)` keeps the dim.
 */
export const argmin = (x: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions) =>
  argExtreme('argmin', x, dim, keepdim);

function extreme(op: 'max' | 'min', x: Tensor, dimArg: unknown, keepdimArg: unknown): Tensor {
  const { dim, keepdim } = reduceArgs(op, dimArg, keepdimArg, false);
  requireDtype(op, x, 'float32');
  const dims = dimsToReduce(op, x, dim);
  refuseEmpty(op, x, dims);
  const out = reduceInto(op, x, new Set(dims), reducedShape(x.shape, dims, keepdim), 1);
  return record(out, op, [x], (g) => {
    const d = dim === undefined ? 0 : dims[0];
    const flat = dim === undefined ? [x.size] : x.shape;
    const { k, inner } = splitAround(flat, d);
    const index = argExtreme(op === 'max' ? 'argmax' : 'argmin', x, dim, false);
    const dx = Tensor.empty(x.shape);
    dispatch(K.max_backward, { WG }, { n: x.size, k, inner }, [g.buffer, index.buffer, dx.buffer], gridFor(x.size, WG));
    index.dispose();
    return [dx];
  });
}

/**
 * out = max_i x_i along `dim` (values only), or of the whole tensor; `torch.amax`. `amax(x, 1,
 * true)` keeps the dim. The gradient goes to the element that was selected (the first one on
 * ties, as `argmax`). NaN propagates.
 */
export const amax = (x: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions) =>
  extreme('max', x, dim, keepdim);
/**
 * out = min_i x_i along `dim` (values only), or of the whole tensor; `torch.amin`. `amin(x, 1,
 * true)` keeps the dim. The gradient goes to the element that was selected (the first one on
 * ties, as `argmin`). NaN propagates.
 */
export const amin = (x: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions) =>
  extreme('min', x, dim, keepdim);

/** torch.max's three forms: of all elements, (values, indices) along a dim, or elementwise with a tensor. */
function maxOrMin(op: 'max' | 'min', x: Tensor, dim: unknown, keepdim: unknown): Tensor | ValuesIndices {
  if (dim instanceof Tensor) {
    if (keepdim !== undefined) throw new Error(`${op}: keepdim has no meaning with a tensor \`other\``);
    return op === 'max' ? maximum(x, dim) : minimum(x, dim);
  }
  if (dim === undefined || dim === null) return extreme(op, x, dim, keepdim);
  const values = extreme(op, x, dim, keepdim); // checks the arguments first
  const { keepdim: keep } = reduceArgs(op, dim, keepdim, false);
  return new ValuesIndices(values, argExtreme(op === 'max' ? 'argmax' : 'argmin', x, dim, keep));
}

/**
 * `max(x)`: the largest element (a 0-d tensor); `max(x, dim, keepdim?)`: the pair (values,
 * indices) along `dim` (`const [values, indices] = sg.max(x, 1)`), indices int32 (PyTorch: int64),
 * the first one on ties; `max(x, other)`: `maximum(x, other)`. As `torch.max`. NaN propagates
 * (its index is the first NaN's). The gradient flows through the values to the selected element.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean | ReduceOptions): ValuesIndices;
export function max(x: Tensor, dim: null | undefined, keepdim?: boolean | ReduceOptions): Tensor;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(
  x: Tensor,
  dim?: number | Tensor | null,
  keepdim?: boolean | ReduceOptions,
): Tensor | ValuesIndices {
  return maxOrMin('max', x, dim, keepdim);
}

/**
 * `min(x)`: the smallest element (a 0-d tensor); `min(x, dim, keepdim?)`: the pair (values,
 * indices) along `dim` (`const [values, indices] = sg.min(x, 1)`), indices int32 (PyTorch: int64),
 * the first one on ties; `min(x, other)`: `minimum(x, other)`. As `torch.min`. NaN propagates
 * (its index is the first NaN's). The gradient flows through the values to the selected element.
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean | ReduceOptions): ValuesIndices;
export function min(x: Tensor, dim: null | undefined, keepdim?: boolean | ReduceOptions): Tensor;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(
  x: Tensor,
  dim?: number | Tensor | null,
  keepdim?: boolean | ReduceOptions,
): Tensor | ValuesIndices {
  return maxOrMin('min', x, dim, keepdim);
}
