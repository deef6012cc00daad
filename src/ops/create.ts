/**
 * Making tensors: from JavaScript data (uploaded with `queue.writeBuffer`), or filled on the GPU
 * (`fill.wgsl`, `arange.wgsl`, and the counter-based generator in `random.wgsl`).
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { forEachChunk } from '../gpu/chunks.js';
import { gpuDevice } from '../gpu/device.js';
import { K } from '../kernels.js';
import { Tensor, numel, type DType, type Shape, type NestedArray } from '../tensor.js';
import { formatShape } from './util.js';
import { checkArg, checkOptions } from '../args.js';
import { sizeArgs } from './size_args.js';

const WG = 256;

/** Options of the tensor factories: the shape (for flat data), the dtype (float32 by default) and `requiresGrad`, as torch's `dtype=` and `requires_grad=`. */
export interface TensorOptions {
  /** The shape of flat or typed-array data (default: inferred from nested arrays, or [n] for flat data). */
  shape?: Shape;
  /** 'float32' (default; 'int32' for an Int32Array), or 'int32'. */
  dtype?: DType;
  /** Record operations on the new tensor for autograd (default false), as `requires_grad=True`. */
  requiresGrad?: boolean;
}

type TensorData = NestedArray | readonly number[] | Float32Array | Int32Array | Uint8Array | Float64Array;

/** A tensor from nested arrays, a flat array or a typed array (`shape` then required or flat); `torch.tensor`. */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  checkTensorOptions('tensor', options);
  const dtype = options.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
  const { flat, shape: inferred } = flatten(data);
  const shape = options.shape ?? inferred;
  if (numel(shape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values cannot have shape ${formatShape(shape)} (${numel(shape)} elements)`);
  }
  if (dtype === 'int32' && !(data instanceof Int32Array)) checkInt32('tensor', flat);
  const values =
    dtype === 'int32' ? Int32Array.from(flat as ArrayLike<number>) : Float32Array.from(flat as ArrayLike<number>);
  const t = Tensor.empty(shape, dtype);
  upload(t.buffer, values);
  if (dtype === 'int32' && values.length) t.valueRange = valueRange(values as Int32Array);
  return finish(t, options);
}

/** Bytes per `writeBuffer` call: bounds the staging copy the implementation makes. */
const UPLOAD_CHUNK = 1 << 26;

/** Copies `values` to the start of `buffer` (writeBuffer has no binding limit; big uploads go in pieces). */
function upload(buffer: GPUBuffer, values: Float32Array | Int32Array): void {
  const queue = gpuDevice().queue;
  for (let at = 0; at < values.byteLength; at += UPLOAD_CHUNK) {
    queue.writeBuffer(
      buffer,
      at,
      values.buffer,
      values.byteOffset + at,
      Math.min(UPLOAD_CHUNK, values.byteLength - at),
    );
  }
}

/**
 * Refuses values an int32 cannot hold (NaN, infinities, beyond ±2^31), as PyTorch does ("value
 * cannot be converted to type int32 without overflow"); fractions truncate toward zero, as there.
 */
function checkInt32(op: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > -2147483649 && v < 2147483648))
      throw new Error(
        `${op}: value ${v}${values.length > 1 ? ` (element ${i})` : ''} cannot be converted to type int32 without overflow`,
      );
  }
}

function valueRange(values: Int32Array): [number, number] {
  let lo = values[0];
  let hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The factories' options, checked before any GPU work. */
export function checkTensorOptions(op: string, options: TensorOptions): void {
  checkOptions(op, options, { shape: 'integer[]', dtype: ['float32', 'int32'], requiresGrad: 'boolean' });
  if (options.requiresGrad && options.dtype === 'int32')
    throw new Error(`${op}: only float32 tensors can require gradients, got int32`);
}

export function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function flatten(data: TensorData): { flat: ArrayLike<number>; shape: number[] } {
  if (typeof data === 'number') return { flat: [data], shape: [] };
  if (ArrayBuffer.isView(data)) return { flat: data as ArrayLike<number>, shape: [data.length] };
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const flat: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new Error(`tensor: expected a number at depth ${depth}, got ${typeof v}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth])
      throw new Error('tensor: nested arrays are ragged (rows of different lengths)');
    for (const x of v) walk(x, depth + 1);
  };
  walk(data, 0);
  return { flat, shape };
}

/** Raw bits of `value` as the kernel's element type sees them. */
function bitsOf(value: number, dtype: DType): number {
  const view = new DataView(new ArrayBuffer(4));
  if (dtype === 'int32') view.setInt32(0, value, true);
  else view.setFloat32(0, value, true);
  return view.getUint32(0, true);
}

/** A tensor of `shape` with every element `value`; `torch.full`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkArg('full', 'shape', shape, 'integer[]');
  checkTensorOptions('full', options);
  checkArg('full', 'value', value, 'number');
  const dtype = options.dtype ?? 'float32';
  if (dtype === 'int32') checkInt32('full', [value]);
  const t = Tensor.empty(shape, dtype);
  const T = dtype === 'int32' ? 'i32' : 'f32';
  forEachChunk('full', t.size, [{ buffer: t.buffer, rowBytes: 4 }], (_, n, bindings) =>
    dispatch(K.fill, { WG, T }, { n, bits: bitsOf(value, dtype) }, bindings, gridFor(n, WG)),
  );
  return finish(t, options);
}

/** A tensor of the given size filled with 0: `zeros([2, 3])` or `zeros(2, 3)`, options last; `torch.zeros`. */
export function zeros(shape: Shape, options?: TensorOptions): Tensor;
export function zeros(...sizes: number[]): Tensor;
export function zeros(...args: [...sizes: number[], options: TensorOptions]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const { shape, options } = sizeArgs('zeros', args);
  checkTensorOptions('zeros', options);
  return full(shape, 0, options);
}

/** A tensor of the given size filled with 1: `ones([2, 3])` or `ones(2, 3)`, options last; `torch.ones`. */
export function ones(shape: Shape, options?: TensorOptions): Tensor;
export function ones(...sizes: number[]): Tensor;
export function ones(...args: [...sizes: number[], options: TensorOptions]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const { shape, options } = sizeArgs('ones', args);
  checkTensorOptions('ones', options);
  return full(shape, 1, options);
}

/**
 * A tensor of the given size whose values are whatever its (pooled) buffer held: `empty(2, 3)`;
 * `torch.empty`. Write every element before reading one.
 */
export function empty(shape: Shape, options?: TensorOptions): Tensor;
export function empty(...sizes: number[]): Tensor;
export function empty(...args: [...sizes: number[], options: TensorOptions]): Tensor;
export function empty(...args: unknown[]): Tensor {
  const { shape, options } = sizeArgs('empty', args);
  checkTensorOptions('empty', options);
  return finish(Tensor.empty(shape, options.dtype ?? 'float32'), options);
}

/** The options of `zerosLike` and `onesLike`: the dtype (default: the input's) and `requiresGrad`. */
export type LikeOptions = Omit<TensorOptions, 'shape'>;

function like(op: string, t: Tensor, value: number, options: LikeOptions | undefined): Tensor {
  checkArg(op, 'input', t, 'tensor');
  const o = checkOptions<LikeOptions>(op, options, { dtype: ['float32', 'int32'], requiresGrad: 'boolean' });
  return full(t.shape, value, { dtype: o.dtype ?? t.dtype, requiresGrad: o.requiresGrad });
}

/** Zeros of `t`'s shape and dtype (or `options.dtype`); `torch.zeros_like`. */
export const zerosLike = (t: Tensor, options?: LikeOptions) => like('zerosLike', t, 0, options);
/** Ones of `t`'s shape and dtype (or `options.dtype`); `torch.ones_like`. */
export const onesLike = (t: Tensor, options?: LikeOptions) => like('onesLike', t, 1, options);

/** `start, start + step, ...` up to but excluding `end`, as `torch.arange`. */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  checkTensorOptions('arange', options);
  for (const [name, v] of Object.entries({ start, end, step })) checkArg('arange', name, v, 'number');
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new Error('arange: step must be nonzero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype =
    options.dtype ?? (Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) ? 'int32' : 'float32');
  const t = Tensor.empty([n], dtype);
  // int32 results from integer start and step are computed in i32: f32 math is off past 2^24.
  const intMath = dtype === 'int32' && Number.isInteger(start) && Number.isInteger(step);
  const spec = { WG, INT_MATH: intMath, T: dtype === 'int32' ? 'i32' : 'f32' } as const;
  forEachChunk('arange', n, [{ buffer: t.buffer, rowBytes: 4 }], (base, count, bindings) =>
    dispatch(
      K.arange,
      spec,
      { n: count, start, step, start_i: start, step_i: step, base },
      bindings,
      gridFor(count, WG),
    ),
  );
  return finish(t, options);
}

// ---- random numbers ----

let seed = 0x5eed;
let stream = 0;

/** Makes every later random draw reproducible, as `torch.manual_seed`. */
export function manualSeed(value: number): void {
  seed = value >>> 0;
  stream = 0;
}

/** The generator's state (seed, draws so far), for checkpoints. */
export function getRngState(): { seed: number; stream: number } {
  return { seed, stream };
}

export function setRngState(state: { seed: number; stream: number }): void {
  seed = state.seed >>> 0;
  stream = state.stream >>> 0;
}

/** Reserves the next stream number, so that each draw gets fresh numbers. */
export function nextRandomStream(): { seed: number; stream: number } {
  return { seed, stream: stream++ };
}

function random(shape: Shape, dist: 'uniform' | 'normal', low: number, high: number, options: TensorOptions): Tensor {
  const op = dist === 'uniform' ? 'rand' : 'randn';
  checkArg(op, 'shape', shape, 'integer[]');
  checkTensorOptions(op, options);
  checkArg(op, dist === 'uniform' ? 'low' : 'mean', low, 'number');
  checkArg(op, dist === 'uniform' ? 'high' : 'std', high, 'number');
  if (options.dtype === 'int32') throw new Error(`${op}: int32 is not a floating dtype (use randint)`);
  return finish(draw(Tensor.empty(shape), dist, { low, high }), options);
}

/**
 * Fills `t` with one draw of random.wgsl: uniform or normal (`low`, `high` as the kernel reads
 * them) or, for 'integer', `lowInt + (hash mod range)`. Element i depends only on (seed, stream,
 * i), so a chunked fill draws the same numbers.
 */
export function draw(
  t: Tensor,
  dist: 'uniform' | 'normal' | 'integer',
  { low = 0, high = 0, lowInt = 0, range = 0 }: { low?: number; high?: number; lowInt?: number; range?: number },
): Tensor {
  const { seed, stream } = nextRandomStream();
  const spec = { DIST: dist, WG, T: t.dtype === 'int32' ? 'i32' : 'f32' } as const;
  forEachChunk('random', t.size, [{ buffer: t.buffer, rowBytes: 4 }], (base, n, bindings) =>
    dispatch(K.random, spec, { n, seed, stream, low, high, base, low_i: lowInt, range }, bindings, gridFor(n, WG)),
  );
  return t;
}

/** x ~ U[0, 1): `rand([2, 3])` or `rand(2, 3)`, options last; `torch.rand`. */
export function rand(shape: Shape, options?: TensorOptions): Tensor;
export function rand(...sizes: number[]): Tensor;
export function rand(...args: [...sizes: number[], options: TensorOptions]): Tensor;
export function rand(...args: unknown[]): Tensor {
  const { shape, options } = sizeArgs('rand', args);
  return random(shape, 'uniform', 0, 1, options);
}

/** x ~ N(0, 1): `randn([2, 3])` or `randn(2, 3)`, options last; `torch.randn`. */
export function randn(shape: Shape, options?: TensorOptions): Tensor;
export function randn(...sizes: number[]): Tensor;
export function randn(...args: [...sizes: number[], options: TensorOptions]): Tensor;
export function randn(...args: unknown[]): Tensor {
  const { shape, options } = sizeArgs('randn', args);
  return random(shape, 'normal', 0, 1, options);
}

/** x ~ U[low, high), by default U[0, 1); `torch.empty(shape).uniform_(low, high)`. */
export const uniform = (shape: Shape, low = 0, high = 1, options: TensorOptions = {}) =>
  random(shape, 'uniform', low, high, options);
/** x ~ N(mean, std²); `torch.normal(mean, std, shape)`. */
export const normal = (shape: Shape, mean: number, std: number, options: TensorOptions = {}) =>
  random(shape, 'normal', mean, std, options);
