/**
 * The Tensor: a shape, a dtype and a GPU buffer, plus what autograd needs (`requiresGrad`,
 * `grad`, and `gradFn`, the node that made it). Tensors are always contiguous, row-major;
 * reshapes share their parent's storage, everything else writes a new buffer.
 *
 * The op methods at the bottom are one-line wrappers over `src/ops/`. Shapes and dtypes live in
 * `sizes.ts`, the reference-counted buffer under a tensor in `storage.ts`.
 */
import { readBuffer } from './gpu/commands.js';
import { acquireBuffer } from './gpu/pool.js';
import type { GradNode } from './autograd.js';
import { checkBackward, noGrad, runBackward, freeNode } from './autograd.js';
import { trackTensor, untrackTensor, countLive } from './memory.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as ext from './ops/extrema.js';
import * as smx from './ops/softmax.js';
import type { ReduceOptions } from './ops/reduce.js';
import type { ValuesIndices } from './values_indices.js';
import { checkArg, checkOptions, sizesArg } from './args.js';
import * as sh from './ops/shape.js';
import * as cmp from './ops/compare.js';
import { onesLike } from './ops/create.js';
import { matmul } from './ops/matmul.js';
import { clamp as clampOp } from './ops/clamp.js';
import { describeTensor, tensorToStringAsync } from './tensor_format.js';
import { type DType, type Shape, type Scalar, checkShape, numel } from './sizes.js';
import { Storage } from './storage.js';

export { type DType, type Shape, type Scalar, checkShape, numel } from './sizes.js';
export { Storage } from './storage.js';

let nextId = 0;

/**
 * A multi-dimensional array of float32 or int32 values in a GPU buffer, with autograd, as
 * `torch.Tensor`. Always contiguous and row-major; create it with `sg.tensor`, `sg.zeros`, ....
 */
// The ops as one-line methods, the API at a glance (Prettier would spread each over three lines).
// prettier-ignore
export class Tensor {
  /** A number unique to this tensor object, in creation order. */
  readonly id = nextId++;
  /** Element type, as `tensor.dtype`. */
  readonly dtype: DType;
  private readonly dims: Shape;
  private readonly count: number;
  private wantsGrad = false;
  /** Accumulated gradient, filled by `backward()` for leaves with `requiresGrad`. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and after the graph is freed). */
  gradFn: GradNode | null = null;
  /**
   * [min, max] of the values when they are known on the CPU (int32 tensors made from JS data),
   * so ops like crossEntropy can reject bad labels before any GPU work; null otherwise.
   */
  valueRange: [number, number] | null = null;
  private storageRef: Storage | null;

  /** Use the factories (`sg.tensor`, `sg.zeros`, ...); this wraps an existing storage. */
  constructor(shape: Shape, dtype: DType, storage: Storage) {
    checkShape(shape);
    this.dims = Object.freeze([...shape]);
    this.dtype = dtype;
    this.count = numel(shape);
    this.storageRef = storage;
    countLive(1, 0);
    trackTensor(this);
  }

  /** A new tensor with an uninitialised buffer of the right size. */
  static empty(shape: Shape, dtype: DType = 'float32'): Tensor {
    checkShape(shape);
    const bytes = Math.max(4, numel(shape) * 4);
    return new Tensor(shape, dtype, new Storage(acquireBuffer(bytes), bytes));
  }

  /**
   * Sizes of the dimensions, as `tensor.shape`. Throws once disposed: every op looks at its
   * inputs' shapes first, so an op on a disposed tensor fails before it allocates anything.
   */
  get shape(): Shape {
    if (!this.storageRef) this.throwDisposed();
    return this.dims;
  }

  /** Number of elements (throws once disposed, as `shape`). */
  get size(): number {
    if (!this.storageRef) this.throwDisposed();
    return this.count;
  }

  /** The reference-counted GPU buffer holding the elements (shared by views); throws once disposed. */
  get storage(): Storage {
    if (!this.storageRef) this.throwDisposed();
    return this.storageRef;
  }

  private tooManyDimsForT(): never {
    throw new Error(`t: expects a tensor with <= 2 dimensions, but the tensor is ${this.ndim}-D (use transpose or permute)`);
  }

  private throwDisposed(): never {
    throw new Error(`shadergrad: tensor ${this.describe()} was disposed and cannot be used`);
  }

  /** The WebGPU buffer holding the elements (4 bytes each, row-major); throws once disposed. */
  get buffer(): GPUBuffer {
    return this.storage.buffer;
  }

  /** Number of dimensions, as `tensor.ndim` (`tensor.dim()`). */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether `dispose()` has freed this tensor's memory. */
  get isDisposed(): boolean {
    return this.storageRef === null;
  }

  /** `[2, 3] float32`, for error messages. */
  describe(): string {
    return `[${this.dims.join(', ')}] ${this.dtype}`;
  }

  /** Frees the GPU memory now (it goes back to the pool). Safe to call twice. */
  dispose(): void {
    if (!this.storageRef) return;
    this.storageRef.release();
    this.storageRef = null;
    freeNode(this);
    countLive(-1, 0);
    untrackTensor(this);
  }

  // ---- reading back (async: the GPU runs ahead of JavaScript) ----

  /** The elements as a typed array (Float32Array or Int32Array). */
  async data(): Promise<Float32Array | Int32Array> {
    const bytes = await readBuffer(this.buffer, this.size * 4);
    return this.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  /** The elements as nested arrays in the tensor's shape (a number for 0-d tensors). */
  async toArray(): Promise<NestedArray> {
    const flat = Array.from(await this.data());
    return nest(flat, this.shape);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`shadergrad: item() needs a tensor with one element, got shape [${this.shape.join(', ')}]`);
    return (await this.data())[0];
  }

  // ---- autograd ----

  /**
   * Computes gradients of this tensor with respect to every leaf that requires them, adding
   * them to their `.grad`. Non-scalars need the upstream `gradient` (same shape).
   */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    checkOptions('backward', options, { retainGraph: 'boolean' });
    checkBackward(this, gradient);
    // A copy of the caller's gradient: views of it may end up as a leaf's .grad (reshape's and
    // clone's backward pass g through), which must not alias a tensor the caller still owns.
    const seed = noGrad(() => (gradient ? ew.clone(gradient) : onesLike(this)));
    runBackward(this, seed, options.retainGraph ?? false);
  }

  /** The same values, cut off from the graph (shares storage). */
  detach(): Tensor {
    return new Tensor(this.shape, this.dtype, this.storage.retain());
  }

  /** Whether gradients flow to this tensor; set it on float32 leaves you want `.grad` for (PyTorch refuses other dtypes, and so do we). */
  get requiresGrad(): boolean { return this.wantsGrad; }
  set requiresGrad(flag: boolean) {
    if (flag && this.dtype !== 'float32')
      throw new Error(`shadergrad: only float32 tensors can require gradients, got ${this.dtype}`);
    this.wantsGrad = flag;
  }

  /** Sets `requiresGrad` in place and returns this tensor, as PyTorch's `requires_grad_()`. */
  requiresGrad_(flag = true): this {
    checkArg('requiresGrad_', 'flag', flag, 'boolean');
    this.requiresGrad = flag;
    return this;
  }

  // ---- ops (see src/ops/ for the math) ----
  /** `this + b`, with broadcasting; see `sg.add` (`torch.Tensor.add`). */
  add(b: Tensor | Scalar): Tensor { return ew.add(this, b); }
  /** `this - b`, with broadcasting; see `sg.sub` (`torch.Tensor.sub`). */
  sub(b: Tensor | Scalar): Tensor { return ew.sub(this, b); }
  /** `this * b`, with broadcasting; see `sg.mul` (`torch.Tensor.mul`). */
  mul(b: Tensor | Scalar): Tensor { return ew.mul(this, b); }
  /** `this / b`, with broadcasting; see `sg.div` (`torch.Tensor.div`). */
  div(b: Tensor | Scalar): Tensor { return ew.div(this, b); }
  /** Elementwise `max(this, b)`, with broadcasting; see `sg.maximum` (`torch.Tensor.maximum`). */
  maximum(b: Tensor | Scalar): Tensor { return ew.maximum(this, b); }
  /** Elementwise `min(this, b)`, with broadcasting; see `sg.minimum` (`torch.Tensor.minimum`). */
  minimum(b: Tensor | Scalar): Tensor { return ew.minimum(this, b); }
  /** A copy with its own storage, differentiable; see `sg.clone` (`torch.Tensor.clone`). */
  clone(): Tensor { return ew.clone(this); }
  /** `-this`; see `sg.neg` (`torch.Tensor.neg`). */
  neg(): Tensor { return ew.neg(this); }
  /** `e^this`, elementwise; see `sg.exp` (`torch.Tensor.exp`). */
  exp(): Tensor { return ew.exp(this); }
  /** Natural logarithm, elementwise; see `sg.log` (`torch.Tensor.log`). */
  log(): Tensor { return ew.log(this); }
  /** Square root, elementwise; see `sg.sqrt` (`torch.Tensor.sqrt`). */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** `|this|`, elementwise; see `sg.abs` (`torch.Tensor.abs`). */
  abs(): Tensor { return ew.abs(this); }
  /** `this^exponent`, the exponent a number or a tensor (broadcast); see `sg.pow` (`torch.Tensor.pow`). */
  pow(exponent: number | Tensor): Tensor { return ew.pow(this, exponent); }
  /** `min(max(this, min), max)`; see `sg.clamp` (`torch.Tensor.clamp`). */
  clamp(min?: number | null, max?: number | null): Tensor { return clampOp(this, min, max); }
  /** `max(this, 0)`; see `sg.relu` (`torch.Tensor.relu`). */
  relu(): Tensor { return ew.relu(this); }
  /** `1 / (1 + e^-this)`; see `sg.sigmoid` (`torch.Tensor.sigmoid`). */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /** Hyperbolic tangent, elementwise; see `sg.tanh` (`torch.Tensor.tanh`). */
  tanh(): Tensor { return ew.tanh(this); }
  /** Matrix product `this @ b` (1-D, 2-D and batched); see `sg.matmul` (`torch.Tensor.matmul`). */
  matmul(b: Tensor): Tensor { return matmul(this, b); }
  /** Sum over `dim` (all dims if omitted); `x.sum(1, true)` keeps it; see `sg.sum` (`torch.Tensor.sum`). */
  sum(dim?: number | number[] | null, keepdim?: boolean | ReduceOptions): Tensor { return red.sum(this, dim, keepdim); }
  /** Mean over `dim` (all dims if omitted); `x.mean(0, true)` keeps it; see `sg.mean` (`torch.Tensor.mean`). */
  mean(dim?: number | number[] | null, keepdim?: boolean | ReduceOptions): Tensor { return red.mean(this, dim, keepdim); }
  /** The largest element; with `dim`, the pair (values, int32 indices) along it, `const [v, i] = x.max(1)`; with a tensor, `maximum`; see `sg.max` (`torch.Tensor.max`). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean | ReduceOptions): ValuesIndices;
  max(dim: null | undefined, keepdim?: boolean | ReduceOptions): Tensor;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor | null, keepdim?: boolean | ReduceOptions): Tensor | ValuesIndices { return ext.max(this, dim as number, keepdim); }
  /** The smallest element; with `dim`, the pair (values, int32 indices) along it, `const [v, i] = x.min(1)`; with a tensor, `minimum`; see `sg.min` (`torch.Tensor.min`). */
  min(): Tensor;
  min(dim: number, keepdim?: boolean | ReduceOptions): ValuesIndices;
  min(dim: null | undefined, keepdim?: boolean | ReduceOptions): Tensor;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor | null, keepdim?: boolean | ReduceOptions): Tensor | ValuesIndices { return ext.min(this, dim as number, keepdim); }
  /** Maximum along `dim` (of all elements if omitted), values only; `x.amax(1, true)` keeps it; see `sg.amax` (`torch.Tensor.amax`). */
  amax(dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor { return ext.amax(this, dim, keepdim); }
  /** Minimum along `dim` (of all elements if omitted), values only; `x.amin(1, true)` keeps it; see `sg.amin` (`torch.Tensor.amin`). */
  amin(dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor { return ext.amin(this, dim, keepdim); }
  /** Index (int32) of the maximum along `dim`, or in the flattened tensor; see `sg.argmax` (`torch.Tensor.argmax`). */
  argmax(dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor { return ext.argmax(this, dim, keepdim); }
  /** Index (int32) of the minimum along `dim`, or in the flattened tensor; see `sg.argmin` (`torch.Tensor.argmin`). */
  argmin(dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor { return ext.argmin(this, dim, keepdim); }
  /** softmax along `dim`; see `sg.softmax` (`torch.Tensor.softmax`). */
  softmax(dim: number): Tensor { return smx.softmax(this, dim); }
  /** log softmax along `dim`; see `sg.logSoftmax` (`torch.Tensor.log_softmax`). */
  logSoftmax(dim: number): Tensor { return smx.logSoftmax(this, dim); }
  /** The same elements in `shape` (one size may be -1), sharing storage: `x.reshape(2, -1)` or `x.reshape([2, -1])`; see `sg.reshape` (`torch.Tensor.reshape`). */
  reshape(...shape: number[] | [Shape]): Tensor { return sh.reshape(this, sizesArg('reshape', 'shape', shape)); }
  /** Same as `reshape` (tensors are always contiguous): `x.view(-1)`, `x.view([2, 3])`, as `torch.Tensor.view`. */
  view(...shape: number[] | [Shape]): Tensor { return sh.reshape(this, sizesArg('view', 'shape', shape)); }
  /** Broadcasts size-1 dims to `sizes` (-1 keeps a size): `x.expand(4, -1)`; see `sg.expand` (`torch.Tensor.expand`). */
  expand(...sizes: number[] | [Shape]): Tensor { return sh.expand(this, sizesArg('expand', 'sizes', sizes)); }
  /** Merges dims `startDim..endDim` into one; see `sg.flatten` (`torch.Tensor.flatten`). */
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  /** Inserts a size-1 dimension at `dim` (a view); see `sg.unsqueeze` (`torch.Tensor.unsqueeze`). */
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  /** Removes dimension `dim` if it has size 1, or every size-1 dimension (a view); see `sg.squeeze` (`torch.Tensor.squeeze`). */
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  /** Swaps dims `dim0` and `dim1` (a contiguous copy); see `sg.transpose` (`torch.Tensor.transpose`). */
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /** The dims reversed (a 2-D tensor's transpose; 0-D and 1-D as they are), as `torch.Tensor.T`. */
  get T(): Tensor { return this.ndim <= 2 ? this.t() : sh.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  /** The transpose of a 2-D tensor (0-D and 1-D as they are), as `torch.Tensor.t`; more dims are an error. */
  t(): Tensor { return this.ndim < 2 ? sh.reshape(this, this.shape) : this.ndim === 2 ? sh.transpose(this, 0, 1) : this.tooManyDimsForT(); }
  /** The number of elements (as `size`), as `torch.Tensor.numel()`. */
  numel(): number { return this.size; }
  /** The number of dimensions (as `ndim`), as `torch.Tensor.dim()`. */
  dim(): number { return this.ndim; }
  /** Reorders the dims: output dim k is input dim `dims[k]` (a contiguous copy), `x.permute(2, 0, 1)` or `x.permute([2, 0, 1])`; see `sg.permute` (`torch.Tensor.permute`). */
  permute(...dims: number[] | [readonly number[]]): Tensor { return sh.permute(this, sizesArg('permute', 'dims', dims)); }
  /** This tensor as a view (tensors are always contiguous here), as `torch.Tensor.contiguous`. */
  contiguous(): Tensor { return sh.contiguous(this); }
  /** Elements `start <= i < end` (step `step`) along `dim`, like `t[:, start:end:step]`. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor { return sh.slice(this, dim, start, end, step); }
  /** 1.0 where `this == b`, else 0.0 (a float32 mask); see `sg.eq` (`torch.Tensor.eq`, which returns bool). */
  eq(b: Tensor | Scalar): Tensor { return cmp.eq(this, b); }
  /** 1.0 where `this != b`, else 0.0 (a float32 mask); see `sg.ne` (`torch.Tensor.ne`). */
  ne(b: Tensor | Scalar): Tensor { return cmp.ne(this, b); }
  /** 1.0 where `this < b`, else 0.0 (a float32 mask); see `sg.lt` (`torch.Tensor.lt`). */
  lt(b: Tensor | Scalar): Tensor { return cmp.lt(this, b); }
  /** 1.0 where `this <= b`, else 0.0 (a float32 mask); see `sg.le` (`torch.Tensor.le`). */
  le(b: Tensor | Scalar): Tensor { return cmp.le(this, b); }
  /** 1.0 where `this > b`, else 0.0 (a float32 mask); see `sg.gt` (`torch.Tensor.gt`). */
  gt(b: Tensor | Scalar): Tensor { return cmp.gt(this, b); }
  /** 1.0 where `this >= b`, else 0.0 (a float32 mask); see `sg.ge` (`torch.Tensor.ge`). */
  ge(b: Tensor | Scalar): Tensor { return cmp.ge(this, b); }
  /** A float32 copy (`t.float()` in PyTorch). */
  float(): Tensor { return cmp.cast(this, 'float32'); }
  /** An int32 copy, truncating toward zero. */
  int(): Tensor { return cmp.cast(this, 'int32'); }
  /** In place, without autograd: `this -= b`. For optimiser updates. */
  sub_(b: Tensor | Scalar): this { return ew.assign(this, () => ew.sub(this, b)); }
  /** In place, without autograd: `this += b`. */
  add_(b: Tensor | Scalar): this { return ew.assign(this, () => ew.add(this, b)); }
  /** In place, without autograd: `this *= b`. */
  mul_(b: Tensor | Scalar): this { return ew.assign(this, () => ew.mul(this, b)); }
  /** In place: copies `src`'s values (same shape) into this tensor. */
  copy_(src: Tensor): this { return ew.copyInto(this, src); }
  /** In place: sets every element to zero. */
  zero_(): this { return ew.fillInPlace(this, 0); }

  /** The values, formatted as PyTorch's `repr(tensor)` (reads the GPU; see tensor_format.ts). */
  toStringAsync(): Promise<string> { return tensorToStringAsync(this); }
  /** `console.log(await t.toStringAsync())`, as `print(t)` in PyTorch. */
  async print(): Promise<void> { console.log(await tensorToStringAsync(this)); }
  /** What `console.log(t)` / `util.inspect(t)` show: shape, dtype, requiresGrad, gradFn; no GPU read. */
  [Symbol.for('nodejs.util.inspect.custom')](): string { return describeTensor(this); }

  /** `Tensor(shape=[2, 3], dtype=float32)` (no GPU read); `toStringAsync` gives the values. */
  toString(): string {
    return `Tensor(shape=[${this.dims.join(', ')}], dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad=true' : ''})`;
  }
};

/** A number or nested arrays of numbers, as `await t.toArray()` returns (`tolist()` in PyTorch) and `sg.tensor` accepts. */
export type NestedArray = number | NestedArray[];

function nest(flat: number[], shape: Shape): NestedArray {
  if (shape.length === 0) return flat[0];
  const [n, ...rest] = shape;
  const step = numel(rest);
  return Array.from({ length: n }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), rest));
}
