/**
 * Tensors as they come out of a weight file, before any GPU work. A file first yields
 * `LazyTensor`s (a storage key, dtype, offset, shape and stride: what torch's
 * `_rebuild_tensor_v2` receives); `materialize` then copies each one out of its storage bytes
 * into a contiguous `TensorRecord` of float32 or int32, checking every size on the way
 * (walk.ts walks the trees of them).
 */
import type { ByteBudget } from './limits.js';

/** The element types found in checkpoints (torch's and safetensors' names mapped to these). */
export type SourceDType =
  'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const ELEMENT_SIZE: Record<SourceDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A CPU tensor: contiguous, row-major, float32 (floating types) or int32 (integer and bool types). */
export interface TensorRecord {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
  /** The dtype stored in the file. */
  sourceDtype: SourceDType;
}

/** Which bytes a tensor views: `numel` elements of `dtype` in the record `key`, from element `base`. */
export interface StorageRef {
  key: string;
  dtype: SourceDType;
  numel: number;
  /** Legacy storage views start this many elements into their root storage. */
  base: number;
}

export class LazyTensor {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

export const isFloating = (d: SourceDType) => d === 'float32' || d === 'float16' || d === 'bfloat16' || d === 'float64';

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** IEEE half precision -> number: sign, 5-bit exponent (bias 15), 10-bit mantissa. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal: frac / 2^10 * 2^-14
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Reads element `i` (in elements from the start of `bytes`) as a JavaScript number (or bigint for int64). */
function reader(bytes: Uint8Array, dtype: SourceDType): (i: number) => number | bigint {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scratch = new DataView(new ArrayBuffer(4));
  switch (dtype) {
    case 'float32':
      return (i) => dv.getFloat32(i * 4, true);
    case 'float64':
      return (i) => dv.getFloat64(i * 8, true);
    case 'float16':
      return (i) => halfToFloat(dv.getUint16(i * 2, true));
    // bfloat16 is the top half of a float32.
    case 'bfloat16':
      return (i) => (scratch.setUint32(0, dv.getUint16(i * 2, true) << 16), scratch.getFloat32(0));
    case 'int64':
      return (i) => dv.getBigInt64(i * 8, true);
    case 'int32':
      return (i) => dv.getInt32(i * 4, true);
    case 'int16':
      return (i) => dv.getInt16(i * 2, true);
    case 'int8':
      return (i) => dv.getInt8(i);
    case 'uint8':
      return (i) => dv.getUint8(i);
    case 'bool':
      return (i) => (dv.getUint8(i) ? 1 : 0);
  }
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/**
 * Copies a (possibly strided, offset, shared) tensor out of its storage into a contiguous record
 * (with `view`, an aligned contiguous float32/int32 tensor is shared, not copied).
 * `bytes` is the whole storage record; `where` names the file and key for errors.
 */
export function materializeTensor(
  t: LazyTensor,
  bytes: Uint8Array,
  where: string,
  options: { view?: boolean; budget?: ByteBudget } = {},
): TensorRecord {
  const { dtype, numel: storageNumel, base } = t.storage;
  const size = ELEMENT_SIZE[dtype];
  const expected = storageNumel * size;
  if (bytes.length !== expected && base === 0) {
    throw new Error(
      `byte-length mismatch in ${where}: its ${dtype} storage '${t.storage.key}' should hold ${storageNumel} elements = ${expected} bytes, the file has ${bytes.length} bytes`,
    );
  }
  const ok = (v: number) => Number.isSafeInteger(v) && v >= 0;
  if (!ok(base) || t.shape.length !== t.stride.length || !ok(t.offset) || !t.shape.every(ok) || !t.stride.every(ok)) {
    throw new Error(
      `${where}: invalid view: shape [${t.shape.join(', ')}], stride [${t.stride.join(', ')}], offset ${t.offset}`,
    );
  }
  const n = numel(t.shape);
  // The furthest element the view touches must lie inside the storage.
  let last = base + t.offset;
  t.shape.forEach((d, k) => (last += d > 0 ? (d - 1) * t.stride[k] : 0));
  if (n > 0 && (last + 1) * size > bytes.length) {
    throw new Error(
      `byte-length mismatch in ${where}: shape [${t.shape.join(', ')}] with stride [${t.stride.join(', ')}] and offset ${t.offset} needs ${(last + 1) * size} bytes, the storage has ${bytes.length}`,
    );
  }
  options.budget?.take(n * 4, where);
  const floating = isFloating(dtype);
  const shape = [...t.shape];
  // Fast path: a contiguous float32/int32 view is one aligned copy (the common case by far), or
  // with `view` and a 4-byte-aligned start, no copy at all: the record shares the file's bytes.
  const dense = contiguousStrides(t.shape);
  if ((dtype === 'float32' || dtype === 'int32') && t.stride.every((s, k) => s === dense[k] || t.shape[k] === 1)) {
    const start = (base + t.offset) * 4;
    if (options.view && (bytes.byteOffset + start) % 4 === 0) {
      const at = bytes.byteOffset + start;
      return {
        dtype: floating ? 'float32' : 'int32',
        shape,
        data: floating ? new Float32Array(bytes.buffer, at, n) : new Int32Array(bytes.buffer, at, n),
        sourceDtype: dtype,
      };
    }
    const copy = bytes.slice(start, start + n * 4).buffer;
    return {
      dtype: floating ? 'float32' : 'int32',
      shape,
      data: floating ? new Float32Array(copy) : new Int32Array(copy),
      sourceDtype: dtype,
    };
  }
  const read = reader(bytes, dtype);
  const out = floating ? new Float32Array(n) : new Int32Array(n);
  // Walk the view's indices in row-major order with an odometer over the dimensions.
  const index = new Array(t.shape.length).fill(0);
  let at = base + t.offset;
  for (let i = 0; i < n; i++) {
    const v = read(at);
    if (typeof v === 'bigint') {
      if (v < INT32_MIN || v > INT32_MAX) {
        throw new Error(`${where}: int64 value ${v} (element ${i}) does not fit in int32, shadergrad's integer type`);
      }
      out[i] = Number(v);
    } else {
      out[i] = v;
    }
    for (let k = t.shape.length - 1; k >= 0; k--) {
      at += t.stride[k];
      if (++index[k] < t.shape[k]) break;
      at -= t.stride[k] * t.shape[k];
      index[k] = 0;
    }
  }
  return { dtype: floating ? 'float32' : 'int32', shape, data: out, sourceDtype: dtype };
}

/** Row-major strides of a contiguous tensor. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) s[k] = s[k + 1] * shape[k + 1];
  return s;
}

export const isLazy = (x: unknown): x is LazyTensor => x instanceof LazyTensor;
