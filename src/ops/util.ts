/** Shape arithmetic shared by the ops: broadcasting, strides, dimension arguments. */
import type { Shape, Tensor } from '../tensor.js';

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major strides of a contiguous tensor. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The broadcast shape of two shapes (NumPy rules), or an error naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a contiguous tensor of shape `inShape` at the coordinates of `outShape`:
 * its own strides, right-aligned, and 0 on dimensions it is broadcast along.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const own = contiguousStrides(inShape);
  const offset = outShape.length - inShape.length;
  return outShape.map((_, d) => (d < offset || inShape[d - offset] === 1 ? 0 : own[d - offset]));
}

/** Resolves a possibly negative dimension, or throws naming the op. */
export function normalizeDim(op: string, dim: number, rank: number): number {
  // As PyTorch, a 0-d tensor accepts dim 0 and -1.
  const d = dim < 0 ? dim + Math.max(rank, 1) : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= Math.max(rank, 1)) {
    throw new Error(`${op}: dimension ${dim} is out of range for a tensor of rank ${rank}`);
  }
  return d;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function requireDtype(op: string, t: Tensor, dtype: 'float32' | 'int32'): void {
  if (t.dtype !== dtype) throw new Error(`${op}: expected a ${dtype} tensor, got ${t.describe()}`);
}

export function requireSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype)
    throw new Error(`${op}: dtypes differ: ${a.describe()} and ${b.describe()} (convert with .float() or .int())`);
}

/** The shape of an operand; a number counts as 0-d. */
export function shapeOf(x: Tensor | number): Shape {
  return typeof x === 'number' ? [] : x.shape;
}

/** A number operand takes the tensor's dtype: an int32 tensor takes only integers (no silent truncation). */
export function requireScalarFits(op: string, value: number, like: Tensor): void {
  if (like.dtype === 'int32' && !Number.isInteger(value)) {
    throw new Error(
      `${op}: the number ${value} is not an integer, so it cannot be combined with ${like.describe()} (convert with .float())`,
    );
  }
}

/** WGSL element type of a dtype. */
export function wgslType(t: Tensor): 'f32' | 'i32' {
  return t.dtype === 'int32' ? 'i32' : 'f32';
}
