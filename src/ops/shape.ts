/**
 * Shape ops. Reshapes (`reshape`, `view`, `flatten`, `unsqueeze`, `squeeze`) share storage and
 * cost nothing on the GPU. Everything that moves elements (`permute`, `transpose`, `expand`,
 * `slice`, `cat`) is one strided read (`gather_strided.wgsl`) or write (`scatter_strided.wgsl`),
 * and each one's gradient is the other.
 */
import { gridFor, type BufferBinding } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { bindingLimit, deviceBindingLimit, fitsBinding, offsetAlignment, range, rowAlignment } from '../gpu/chunks.js';
import { K } from '../kernels.js';
import { Tensor, numel, type Shape } from '../tensor.js';
import { record } from '../autograd.js';
import { contiguousStrides, formatShape, normalizeDim, sameShape, wgslType } from './util.js';
import { zeros } from './create.js';
import { mergeDims, stridedLaunch } from './strided.js';

const WG = 256;

// ---- views: same storage, new shape ----

/** The same elements in a new shape; one dimension may be -1 (inferred). Shares storage; `torch.reshape`. dx = g reshaped back. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = inferShape(x, shape);
  const out = new Tensor(target, x.dtype, x.storage.retain());
  out.valueRange = x.valueRange;
  return record(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

function inferShape(x: Tensor, shape: Shape): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
  const known = numel(shape.filter((d) => d !== -1));
  if (unknown === 1 && known === 0)
    throw new Error(
      `reshape: cannot reshape a tensor of ${x.size} elements into shape ${formatShape(shape)}: the size of -1 is ambiguous`,
    );
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (numel(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(
      `reshape: shape ${formatShape(shape)} is invalid for a tensor of shape ${formatShape(x.shape)} (${x.size} elements)`,
    );
  }
  return resolved;
}

/** Merges dims `startDim..endDim` into one, as `torch.flatten`. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Inserts a dimension of size 1 at `dim`; `torch.unsqueeze`. A view. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Removes dimension `dim` if it has size 1, or every size-1 dimension; `torch.squeeze`. A view. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined)
    return reshape(
      x,
      x.shape.filter((s) => s !== 1),
    );
  const d = normalizeDim('squeeze', dim, x.ndim);
  return x.shape[d] === 1
    ? reshape(
        x,
        x.shape.filter((_, i) => i !== d),
      )
    : reshape(x, x.shape);
}

// ---- strided reads and writes ----

function gather(x: Tensor, outShape: Shape, strides: readonly number[], offset = 0, scale = 1): Tensor {
  const out = Tensor.empty(outShape, x.dtype);
  const merged = mergeDims(outShape, [strides]);
  const launch = (shape: number[], xBinding: BufferBinding, outBinding: BufferBinding, at: number) => {
    const n = numel(shape);
    const { entryPoint, grid, wg } = stridedLaunch(shape, n, WG);
    const uniforms = { n, rank: shape.length, offset: at, scale, out_shape: shape, strides: merged.strides[0] };
    dispatch(K.gather_strided, { WG: wg, T: wgslType(x), entryPoint }, uniforms, [xBinding, outBinding], grid);
  };
  if (fitsBinding(x.buffer) && fitsBinding(out.buffer)) launch(merged.shape, x.buffer, out.buffer, offset);
  else {
    try {
      stridedChunks(
        'gather_strided',
        x,
        out,
        merged.shape,
        merged.strides[0],
        offset,
        out.buffer,
        x.buffer,
        (shape, o, xb, at) => launch(shape, xb, o, at),
      );
    } catch (e) {
      out.dispose();
      throw e;
    }
  }
  return out;
}

/**
 * A strided copy whose source or target exceeds a storage binding (gather: the output is
 * contiguous and the input strided; scatter: the reverse), in chunks of rows of the outermost
 * dimension of `shape`. Each chunk binds its range of the contiguous side and the range its rows
 * touch on the strided side, from an aligned start (the remainder goes into the kernel's offset);
 * where no range fits, a strided side that the device can bind is bound whole. Copies whose
 * every chunk of rows touches most of a too-large strided side (transposing it) are refused.
 */
function stridedChunks(
  op: string,
  x: Tensor,
  target: Tensor,
  shape: number[],
  strides: number[],
  offset: number,
  contiguous: GPUBuffer,
  strided: GPUBuffer,
  launch: (shape: number[], contiguous: BufferBinding, strided: BufferBinding, at: number) => void,
): void {
  const [rows, ...inner] = shape;
  const [s0] = strides;
  const innerSize = numel(inner);
  const innerExtent = 1 + inner.reduce((e, d, i) => e + (d - 1) * strides[i + 1], 0);
  const limit = bindingLimit() / 4;
  const align = offsetAlignment() / 4;
  const step = rowAlignment([innerSize * 4]);
  const rowsFor = (byStrided: number) => {
    const fitting = Math.min(byStrided, Math.floor(limit / innerSize));
    return fitting >= rows ? rows : Math.floor(fitting / step) * step;
  };
  // Ranges of the strided side where they fit, else the whole buffer if the device can bind it.
  let per = rowsFor(s0 === 0 ? rows : Math.floor((limit - innerExtent - align) / s0) + 1);
  const wholeStrided = per < 1 && strided.size <= deviceBindingLimit();
  if (wholeStrided) per = rowsFor(rows);
  if (per < 1) {
    throw new Error(
      `${op}: copying between ${formatShape(x.shape)} and ${formatShape(target.shape)} needs a binding of more than ${bindingLimit()} bytes (the storage binding limit) per row`,
    );
  }
  for (let start = 0; start < rows; start += per) {
    const count = Math.min(per, rows - start);
    const lo = offset + start * s0;
    const rowsRange = range(contiguous, start * innerSize * 4, count * innerSize * 4);
    if (wholeStrided) {
      launch([count, ...inner], rowsRange, strided, lo);
      continue;
    }
    const base = Math.floor(lo / align) * align;
    const span = (count - 1) * s0 + innerExtent + (lo - base);
    launch([count, ...inner], rowsRange, range(strided, base * 4, span * 4), lo - base);
  }
}

function scatter(x: Tensor, target: Tensor, strides: readonly number[], offset: number): void {
  const launch = (
    shape: readonly number[],
    str: readonly number[],
    xb: BufferBinding,
    tb: BufferBinding,
    at: number,
  ) => {
    const n = numel(shape);
    dispatch(
      K.scatter_strided,
      { WG, T: wgslType(x) },
      { n, rank: shape.length, offset: at, shape, strides: str },
      [xb, tb],
      gridFor(n, WG),
    );
  };
  if (fitsBinding(x.buffer) && fitsBinding(target.buffer))
    return launch(x.shape, strides, x.buffer, target.buffer, offset);
  const merged = mergeDims(x.shape, [strides]);
  stridedChunks(
    'scatter_strided',
    x,
    target,
    merged.shape,
    merged.strides[0],
    offset,
    x.buffer,
    target.buffer,
    (shape, xb, tb, at) => launch(shape, merged.strides[0], xb, tb, at),
  );
}

/** out[..., i_k, ...] = x[..., i_dims[k], ...]: output dim k is input dim `dims[k]`; `torch.permute` (a contiguous copy here). dx = g permuted back. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const norm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (norm.length !== x.ndim || new Set(norm).size !== norm.length) {
    throw new Error(
      `permute: [${dims.join(', ')}] is not a permutation of the ${x.ndim} dimensions of ${formatShape(x.shape)}`,
    );
  }
  const strides = contiguousStrides(x.shape);
  const out = gather(
    x,
    norm.map((d) => x.shape[d]),
    norm.map((d) => strides[d]),
  );
  const inverse = norm.map((_, i) => norm.indexOf(i));
  return record(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dimensions, as `torch.transpose` (a contiguous copy here). dx = g transposed back. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const order = x.shape.map((_, i) => i);
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** `torch.contiguous`: tensors here are always contiguous, so this is a view that shares storage. */
export function contiguous(x: Tensor): Tensor {
  return reshape(x, x.shape);
}

/**
 * Broadcasts `x` to `shape` (size-1 dims repeated, leading dims added), times `scale`, as
 * `x.expand(*shape) * scale`; a size of -1 keeps that dim's size, as PyTorch's (not for a new
 * leading dim). The gradient sums back down to `x`'s shape (by Tensor's `sum`: reduce.ts
 * imports this file).
 */
export function expand(x: Tensor, sizes: Shape, scale = 1): Tensor {
  const offset = sizes.length - x.ndim;
  const shape = sizes.map((s, d) => (s === -1 && d >= offset ? x.shape[d - offset] : s));
  if (!shape.every((s) => Number.isInteger(s) && s >= 0))
    throw new Error(
      `expand: invalid sizes ${formatShape(sizes)} (-1 only for an existing dim) for ${formatShape(x.shape)}`,
    );
  const own = contiguousStrides(x.shape);
  const ok = offset >= 0 && x.shape.every((s, d) => s === shape[d + offset] || s === 1);
  if (!ok) throw new Error(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(sizes)}`);
  const strides = shape.map((_, d) => (d < offset || x.shape[d - offset] === 1 ? 0 : own[d - offset]));
  const out = gather(x, shape, strides, 0, scale);
  return record(out, 'expand', [x], (g) => {
    const broadcastDims = shape.flatMap((size, d) =>
      d < offset || (x.shape[d - offset] === 1 && size !== 1) ? [d] : [],
    );
    // No broadcast dims: g as it is (an empty list would sum every dim, as torch's sum(dim=[])).
    const summed = (broadcastDims.length ? g.sum(broadcastDims, { keepdim: true }) : g).reshape(x.shape);
    return [scale === 1 ? summed : gather(summed, summed.shape, contiguousStrides(summed.shape), 0, scale)];
  });
}

/**
 * Elements `start <= i < end` with step `step` along `dim` (Python slice semantics: negative
 * indices count from the end, out-of-range bounds are clamped), as `x[:, start:end:step]`
 * (`torch.Tensor.__getitem__`). A new contiguous tensor; its gradient scatters g into zeros.
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  if (x.ndim === 0) throw new Error('slice: a 0-d tensor has no dimension to slice');
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step < 1) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const size = x.shape[d];
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clamp(start);
  const e = end === undefined ? size : clamp(end);
  const length = Math.max(0, Math.ceil((e - s) / step));
  const outShape = x.shape.map((v, i) => (i === d ? length : v));
  const strides = contiguousStrides(x.shape);
  const sliceStrides = strides.map((v, i) => (i === d ? v * step : v));
  const out = gather(x, outShape, sliceStrides, s * strides[d]);
  return record(out, 'slice', [x], (g) => {
    const dx = zeros(x.shape);
    scatter(g, dx, sliceStrides, s * strides[d]);
    return [dx];
  });
}

/** Joins tensors along `dim`; all other dimensions must match; `torch.cat`. Each input's gradient is its slice of g. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  const first = tensors[0];
  if (first.ndim === 0) throw new Error('cat: zero-dimensional tensors cannot be concatenated (unsqueeze them first)');
  const d = normalizeDim('cat', dim, first.ndim);
  for (const t of tensors) {
    const same = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!same)
      throw new Error(
        `cat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} do not match except in dimension ${d}`,
      );
    if (t.dtype !== first.dtype) throw new Error(`cat: dtypes differ: ${first.describe()} and ${t.describe()}`);
  }
  const outShape = first.shape.map((s, i) => (i === d ? tensors.reduce((n, t) => n + t.shape[d], 0) : s));
  const out = Tensor.empty(outShape, first.dtype);
  const strides = contiguousStrides(outShape);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    scatter(t, out, strides, at * strides[d]);
    at += t.shape[d];
  }
  return record(out, 'cat', [...tensors], (g, needs) =>
    tensors.map((t, i) => (needs[i] ? slice(g, d, starts[i], starts[i] + t.shape[d]) : null)),
  );
}

/** Splits along `dim` into pieces of `size` (the last may be smaller), as `torch.split`. */
export function split(x: Tensor, size: number, dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.ndim);
  if (!Number.isInteger(size) || size < 1) throw new Error(`split: size must be a positive integer, got ${size}`);
  const count = Math.ceil(x.shape[d] / size);
  return Array.from({ length: count }, (_, i) => slice(x, d, i * size, (i + 1) * size));
}

/** `x` broadcast to `shape` (size-1 dims repeated, leading dims added); `torch.broadcast_to`. dx = g summed back. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  return sameShape(x.shape, shape) ? reshape(x, shape) : expand(x, shape);
}
