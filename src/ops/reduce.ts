/**
 * Reductions: sum and mean over all elements or some dimensions, and `sumToShape` (the
 * gradient of broadcasting); `reduceInto` also serves max and min (extrema.ts). The heavy
 * lifting is `shaders/reduce.wgsl`; backward passes expand the gradient with `gather_strided.wgsl`.
 */
import { gridFor, type BufferBinding } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { fitsBinding, forEachChunk } from '../gpu/chunks.js';
import { K, REDUCE_OPS } from '../kernels.js';
import { Tensor, numel, type DType, type Shape } from '../tensor.js';
import { record } from '../autograd.js';
import { contiguousStrides, formatShape, normalizeDim, requireDtype } from './util.js';
import { expand } from './shape.js';
import { reduceArgs } from '../args.js';

const WG = 256;
/** Below this many elements per output, one invocation per output is faster than a workgroup. */
const PER_THREAD_MAX_K = 64;
/** Aim for about this many workgroups, so that every core (or compute unit) has work. */
const TARGET_WORKGROUPS = 512;

/** Options of the reductions: `keepdim` keeps each reduced dimension with size 1, as PyTorch's `keepdim=True`. */
export interface ReduceOptions {
  /** Keep each reduced dimension with size 1 (default false). */
  keepdim?: boolean;
}

type ReduceOp = keyof typeof REDUCE_OPS;

/** The identity of each reduction, as raw bits of the element type. */
function identityBits(op: ReduceOp, dtype: 'float32' | 'int32'): number {
  if (op === 'sum') return 0;
  if (dtype === 'int32') return op === 'max' ? 0x80000000 : 0x7fffffff;
  return op === 'max' ? 0xff800000 : 0x7f800000; // -inf, +inf
}

interface Layout {
  keptShape: number[];
  keptStrides: number[];
  redShape: number[];
  redStrides: number[];
}

/**
 * Merges adjacent dimensions that are both kept or both reduced (valid for contiguous data) and
 * drops dimensions of size 1, so the kernel's index math has as few dimensions as possible.
 */
function layoutFor(shape: Shape, reduced: ReadonlySet<number>): Layout {
  const strides = contiguousStrides(shape);
  const out: Layout = { keptShape: [], keptStrides: [], redShape: [], redStrides: [] };
  let lastKind: boolean | null = null;
  shape.forEach((size, d) => {
    if (size === 1) return;
    const isReduced = reduced.has(d);
    const [shp, str] = isReduced ? [out.redShape, out.redStrides] : [out.keptShape, out.keptStrides];
    if (lastKind === isReduced) {
      shp[shp.length - 1] *= size; // merge with the previous dimension of the same kind
      str[str.length - 1] = strides[d];
    } else {
      shp.push(size);
      str.push(strides[d]);
    }
    lastKind = isReduced;
  });
  return out;
}

/** Launches reduce.wgsl: `x` reduced over `reduced` dims into a new tensor of `outShape`. */
export function reduceInto(
  op: ReduceOp,
  x: Tensor,
  reduced: ReadonlySet<number>,
  outShape: Shape,
  scale: number,
): Tensor {
  const out = Tensor.empty(outShape, x.dtype);
  if (out.size === 0) return out;
  if (fitsBinding(x.buffer) && fitsBinding(out.buffer)) {
    reduceBuffers(op, x.dtype, x.buffer, x.shape, reduced, out.buffer, scale);
    return out;
  }
  return reduceChunked(op, x, reduced, out, scale);
}

/**
 * A reduction of a tensor larger than a storage binding, in chunks of its outermost run of
 * same-kind dimensions (all kept or all reduced). Kept: each chunk writes its own range of the
 * output. Reduced: each chunk makes a partial result of the output's shape, and the partials
 * are combined (sum, max or min of partials is the sum, max or min of the whole).
 */
function reduceChunked(op: ReduceOp, x: Tensor, reduced: ReadonlySet<number>, out: Tensor, scale: number): Tensor {
  // Runs of adjacent same-kind dimensions (size-1 dimensions dropped): [size, isReduced].
  const runs: Array<[number, boolean]> = [];
  x.shape.forEach((size, d) => {
    if (size === 1) return;
    const last = runs[runs.length - 1];
    if (last && last[1] === reduced.has(d)) last[0] *= size;
    else runs.push([size, reduced.has(d)]);
  });
  const [[rows, outerReduced], ...rest] = runs;
  const restShape = rest.map(([size]) => size);
  const restReduced = new Set(rest.flatMap(([, r], i) => (r ? [i + 1] : [])));
  if (outerReduced) restReduced.add(0);
  const rowElems = numel(restShape);
  const keptPerRow = numel(rest.filter(([, r]) => !r).map(([size]) => size));
  const operands = [
    { buffer: x.buffer, rowBytes: rowElems * 4 },
    { buffer: out.buffer, rowBytes: outerReduced ? 0 : keptPerRow * 4 },
  ];
  const partials: Tensor[] = [];
  const name = `${op} (reduce)`;
  // The output is bound whole only when the outer run is reduced; it then fits (it is small).
  forEachChunk(name, rows, operands, (_, count, [xRange, outRange]) => {
    if (!outerReduced) return reduceBuffers(op, x.dtype, xRange, [count, ...restShape], restReduced, outRange, scale);
    const partial = Tensor.empty(out.shape, x.dtype);
    reduceBuffers(op, x.dtype, xRange, [count, ...restShape], restReduced, partial.buffer, scale);
    partials.push(partial);
  });
  if (partials.length === 0) return out;
  // Tensor's methods, not elementwise.ts: that file imports this one (for sumToShape).
  let total = partials[0];
  for (const p of partials.slice(1)) {
    const next = op === 'sum' ? total.add(p) : op === 'max' ? total.maximum(p) : total.minimum(p);
    total.dispose();
    p.dispose();
    total = next;
  }
  out.copy_(total);
  total.dispose();
  return out;
}

/** reduce.wgsl over the buffers (or byte ranges) of `x` (of `shape`) and of the output. */
function reduceBuffers(
  op: ReduceOp,
  dtype: DType,
  x: BufferBinding,
  shape: Shape,
  reduced: ReadonlySet<number>,
  outBinding: BufferBinding,
  scale: number,
): void {
  const layout = layoutFor(shape, reduced);
  const m = numel(layout.keptShape);
  const k = numel(layout.redShape);
  // After merging, reduced dims that were innermost form a single dimension of stride 1.
  const contiguous = layout.redShape.length === 0 || (layout.redShape.length === 1 && layout.redStrides[0] === 1);
  /** One launch: `chunks` chunks of `chunkLen` elements of each of the m outputs of layout `l`. */
  const launch = (
    perThread: boolean,
    redContiguous: boolean,
    buffers: BufferBinding[],
    l: Layout,
    sizes: { m: number; k: number; chunks: number; chunkLen: number; scale: number },
  ) => {
    const spec = {
      OP: op,
      RED_CONTIGUOUS: redContiguous,
      WG,
      T: dtype === 'int32' ? 'i32' : 'f32',
      entryPoint: perThread ? 'per_thread' : 'main',
    } as const;
    const uniforms = {
      m: sizes.m,
      k: sizes.k,
      chunks: sizes.chunks,
      chunk_len: sizes.chunkLen,
      kept_rank: l.keptShape.length,
      red_rank: l.redShape.length,
      scale: sizes.scale,
      init_bits: identityBits(op, dtype),
      kept_shape: l.keptShape,
      kept_strides: l.keptStrides,
      red_shape: l.redShape,
      red_strides: l.redStrides,
    };
    // Per thread: one invocation per output (chunk); else one workgroup each.
    dispatch(
      K.reduce,
      spec,
      uniforms,
      buffers,
      perThread ? gridFor(sizes.m * sizes.chunks, WG) : gridFor(sizes.m * sizes.chunks, 1),
    );
  };
  if (k <= PER_THREAD_MAX_K || m >= TARGET_WORKGROUPS * WG) {
    launch(true, contiguous, [x, outBinding], layout, { m, k, chunks: 1, chunkLen: k, scale });
    return;
  }
  const chunks = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / m), Math.ceil(k / (WG * 4))));
  const chunkLen = Math.ceil(k / chunks);
  if (chunks === 1) {
    launch(false, contiguous, [x, outBinding], layout, { m, k, chunks: 1, chunkLen, scale });
    return;
  }
  // Two passes: [M, chunks] partial results, then those reduced along their last dimension.
  const partial = Tensor.empty([m, chunks], dtype);
  launch(false, contiguous, [x, partial.buffer], layout, { m, k, chunks, chunkLen, scale: 1 });
  const second: Layout = { keptShape: [m], keptStrides: [chunks], redShape: [chunks], redStrides: [1] };
  launch(chunks <= PER_THREAD_MAX_K, true, [partial.buffer, outBinding], second, {
    m,
    k: chunks,
    chunks: 1,
    chunkLen: chunks,
    scale,
  });
  partial.dispose();
}

/** Normalised, sorted, de-duplicated dims; all dims when `dim` is undefined. */
export function dimsToReduce(op: string, x: Tensor, dim: number | number[] | undefined): number[] {
  // An empty list reduces every dim, as torch 1.13's x.sum(dim=[]).
  if (dim === undefined || (Array.isArray(dim) && dim.length === 0)) return x.shape.map((_, d) => d);
  const dims = (Array.isArray(dim) ? dim : [dim]).map((d) => normalizeDim(op, d, x.ndim));
  return [...new Set(dims)].sort((a, b) => a - b);
}

export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const set = new Set(dims);
  return keepdim ? shape.map((s, d) => (set.has(d) ? 1 : s)) : shape.filter((_, d) => !set.has(d));
}

function sumOrMean(op: 'sum' | 'mean', x: Tensor, dimArg: unknown, keepdimArg: unknown): Tensor {
  const { dim, keepdim } = reduceArgs(op, dimArg, keepdimArg, true);
  if (op === 'mean') requireDtype('mean', x, 'float32');
  const dims = dimsToReduce(op, x, dim);
  const count = numel(dims.map((d) => x.shape[d] ?? 1)); // dim 0 of a 0-d tensor counts 1 element
  const scale = op === 'mean' ? 1 / count : 1;
  const outShape = reducedShape(x.shape, dims, keepdim);
  const out = reduceInto('sum', x, new Set(dims), outShape, scale);
  // d(sum)/dx = 1 for every element reduced: expand the gradient back, scaled by 1/K for mean.
  return record(out, op, [x], (g) => [expand(g.reshape(reducedShape(x.shape, dims, true)), x.shape, scale)]);
}

/**
 * out = Σ x over all elements, or over `dim` (a number or several); `torch.sum`. dx = g expanded
 * back. As PyTorch: `sum(x, 1, true)` keeps the dim, and an empty tensor sums to 0.
 */
export const sum = (x: Tensor, dim?: number | number[] | null, keepdim?: boolean | ReduceOptions) =>
  sumOrMean('sum', x, dim, keepdim);
/**
 * out = (1/K) Σ x over all elements, or over `dim`; `torch.mean`. dx = g / K expanded back.
 * As PyTorch: `mean(x, 0, true)` keeps the dim, and the mean of no elements is NaN.
 */
export const mean = (x: Tensor, dim?: number | number[] | null, keepdim?: boolean | ReduceOptions) =>
  sumOrMean('mean', x, dim, keepdim);

/** Sums `t` down to `shape` (the gradient of broadcasting `shape` up to `t.shape`), as `t.sum_to_size(shape)`. */
export function sumToShape(t: Tensor, shape: Shape): Tensor {
  const offset = t.ndim - shape.length;
  if (offset < 0) throw new Error(`sumToShape: cannot reduce ${formatShape(t.shape)} to ${formatShape(shape)}`);
  const dims = t.shape.map((s, d) => d).filter((d) => d < offset || (shape[d - offset] === 1 && t.shape[d] !== 1));
  return reduceInto('sum', t, new Set(dims), shape, 1);
}
