/**
 * Elementwise ops: binary arithmetic with broadcasting (add, sub, mul, div, maximum, minimum)
 * and unary math (neg, exp, log, sqrt, abs, relu, sigmoid, tanh, pow). Each forward launches
 * `shaders/binary_forward.wgsl` or `unary_forward.wgsl`; each backward the matching
 * `*_backward.wgsl`, then, for broadcast operands, a sum down to the operand's shape.
 */
import { gridFor, copyBuffer, type BufferBinding } from '../gpu/commands.js';
import { forEachChunk } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { BINARY_OPS, K, UNARY_OPS } from '../kernels.js';
import { Tensor, type Scalar } from '../tensor.js';
import { noGrad, record } from '../autograd.js';
import {
  broadcastShapes,
  broadcastStrides,
  requireDtype,
  requireSameDtype,
  requireScalarFits,
  sameShape,
  shapeOf,
  wgslType,
} from './util.js';
import { full } from './create.js';
import { mergeDims, stridedLaunch } from './strided.js';
import { sumToShape } from './reduce.js';
import { checkArg } from '../args.js';
import { reluFloat } from './activation.js';
import { binaryVec4, binaryVec4Applies } from './binary_vec4.js';

const WG = 256;

// ---- binary ----

type BinaryOp = keyof typeof BINARY_OPS;

type Role = 'a' | 'b' | 'out';

/** Which binary kernel: the forward (elements of type T), or the gradient for one side. */
type BinaryLaunch =
  { kernel: 'forward'; op: BinaryOp; T: 'f32' | 'i32' } | { kernel: 'backward'; op: BinaryOp; side: 0 | 1 };

/**
 * Launches a binary kernel (forward or backward) over `outShape`. Dimensions that every operand
 * walks contiguously are merged (strided.ts); without broadcasting that leaves one flat loop.
 * `operands` are bound in order, each indexed like `a`, `b` or the output. Tensors larger than
 * a storage binding run in chunks of the outermost merged dimension (gpu/chunks.ts).
 */
function launchBinary(
  which: BinaryLaunch,
  outShape: readonly number[],
  a: Tensor,
  b: Tensor,
  operands: Array<[GPUBuffer, Role]>,
): void {
  const broadcast = !(sameShape(a.shape, outShape) && sameShape(b.shape, outShape));
  const merged = mergeDims(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
  const inner = merged.shape.slice(1);
  const innerSize = inner.reduce((x, y) => x * y, 1);
  const rowBytes: Record<Role, number> = {
    a: merged.strides[0][0] * 4,
    b: merged.strides[1][0] * 4,
    out: innerSize * 4,
  };
  const chunks = operands.map(([buffer, role]) => ({ buffer, rowBytes: rowBytes[role] }));
  forEachChunk(`binary_${which.kernel}`, merged.shape[0], chunks, (_, rows, bindings) => {
    const shape = [rows, ...inner];
    const n = rows * innerSize;
    const { entryPoint, grid, wg } = broadcast
      ? stridedLaunch(shape, n, WG)
      : { entryPoint: 'main' as const, grid: gridFor(n, WG), wg: WG };
    const uniforms = {
      n,
      rank: shape.length,
      out_shape: shape,
      a_strides: merged.strides[0],
      b_strides: merged.strides[1],
    };
    const common = { OP: which.op, BROADCAST: broadcast, WG: wg, entryPoint };
    // One element per invocation; same-shape float32 forwards of 4k elements run four at a time
    // in binary_vec4.ts instead.
    if (which.kernel === 'forward') dispatch(K.binary_forward, { ...common, T: which.T }, uniforms, bindings, grid);
    else dispatch(K.binary_backward, { ...common, SIDE: which.side }, uniforms, bindings, grid);
  });
}

/** A number operand becomes a 0-d tensor of the other operand's dtype. */
function asTensor(x: Tensor | Scalar, like: Tensor): Tensor {
  return typeof x === 'number' ? full([], x, { dtype: like.dtype }) : x;
}

function binary(op: BinaryOp, aIn: Tensor | Scalar, bIn: Tensor | Scalar): Tensor {
  if (typeof aIn === 'number' && typeof bIn === 'number')
    throw new Error(`${op}: at least one operand must be a tensor`);
  // Validate everything before any GPU work (a number operand is a fill kernel).
  checkArg(op, 'input', aIn, 'tensor|number');
  checkArg(op, op === 'pow' ? 'exponent' : 'other', bIn, 'tensor|number');
  const like = typeof aIn === 'number' ? (bIn as Tensor) : aIn;
  for (const x of [aIn, bIn]) {
    if (typeof x === 'number') requireScalarFits(op, x, like);
    else requireSameDtype(op, like, x);
  }
  if (op === 'div' || op === 'pow') requireDtype(op, like, 'float32');
  const outShape = broadcastShapes(op, shapeOf(aIn), shapeOf(bIn));
  const a = asTensor(aIn, like);
  const b = asTensor(bIn, like);
  const out = Tensor.empty(outShape, a.dtype);
  if (binaryVec4Applies(a, b, outShape)) binaryVec4(op, a, b, out);
  else
    launchBinary({ kernel: 'forward', op, T: wgslType(a) }, outShape, a, b, [
      [a.buffer, 'a'],
      [b.buffer, 'b'],
      [out.buffer, 'out'],
    ]);
  const scalars = [a, b].filter((t) => t !== aIn && t !== bIn);
  return record(
    out,
    op,
    [a, b],
    (g, needs) => [needs[0] ? binaryGrad(op, 0, g, a, b) : null, needs[1] ? binaryGrad(op, 1, g, a, b) : null],
    scalars,
  );
}

/** Gradient of `a op b` for one side, summed over the dimensions that side was broadcast on. */
function binaryGrad(op: BinaryOp, side: 0 | 1, g: Tensor, a: Tensor, b: Tensor): Tensor {
  const operand = side === 0 ? a : b;
  // d(a + b)/da = d(a - b)/da = d(a + b)/db = 1: the gradient itself, no kernel needed.
  const identity = op === 'add' || (op === 'sub' && side === 0);
  if (identity) return sameShape(operand.shape, g.shape) ? g.detach() : sumToShape(g, operand.shape);
  const local = Tensor.empty(g.shape);
  launchBinary({ kernel: 'backward', op, side }, g.shape, a, b, [
    [g.buffer, 'out'],
    [a.buffer, 'a'],
    [b.buffer, 'b'],
    [local.buffer, 'out'],
  ]);
  return sameShape(operand.shape, g.shape) ? local : sumToShape(local, operand.shape);
}

/** out = a + b, with broadcasting; `torch.add`. d/da = d/db = g (summed over broadcast dims). */
export const add = (a: Tensor | Scalar, b: Tensor | Scalar) => binary('add', a, b);
/** out = a - b, with broadcasting; `torch.sub`. d/da = g, d/db = -g. */
export const sub = (a: Tensor | Scalar, b: Tensor | Scalar) => binary('sub', a, b);
/** out = a * b, with broadcasting; `torch.mul`. d/da = g b, d/db = g a. */
export const mul = (a: Tensor | Scalar, b: Tensor | Scalar) => binary('mul', a, b);
/** out = a / b, with broadcasting (float32); `torch.div`. d/da = g / b, d/db = -g a / b². */
export const div = (a: Tensor | Scalar, b: Tensor | Scalar) => binary('div', a, b);
/** out = max(a, b) elementwise, with broadcasting; `torch.maximum`. The gradient goes to the larger; ties split it evenly. */
export const maximum = (a: Tensor | Scalar, b: Tensor | Scalar) => binary('maximum', a, b);
/** out = min(a, b) elementwise, with broadcasting; `torch.minimum`. The gradient goes to the smaller; ties split it evenly. */
export const minimum = (a: Tensor | Scalar, b: Tensor | Scalar) => binary('minimum', a, b);

// ---- unary ----

type UnaryOp = keyof typeof UNARY_OPS;
/** Ops that make sense on int32 tensors. */
const INT_OK: ReadonlySet<UnaryOp> = new Set(['neg', 'abs', 'relu']);

function unary(op: UnaryOp, x: Tensor, exponent = 0): Tensor {
  checkArg(op, 'input', x, 'tensor');
  checkArg(op, 'exponent', exponent, 'number');
  if (!INT_OK.has(op)) requireDtype(op, x, 'float32');
  const out = Tensor.empty(x.shape, x.dtype);
  flatChunks(op, x.size, [x.buffer, out.buffer], (n, bindings) =>
    dispatch(K.unary_forward, { OP: op, WG, T: wgslType(x) }, { n, exponent }, bindings, gridFor(n, WG)),
  );
  return record(out, op, [x], (g) => {
    const dx = Tensor.empty(x.shape);
    flatChunks(op, x.size, [g.buffer, x.buffer, out.buffer, dx.buffer], (n, bindings) =>
      dispatch(K.unary_backward, { OP: op, WG }, { n, exponent }, bindings, gridFor(n, WG)),
    );
    return [dx];
  });
}

/** Runs a kernel over `n` elements of same-sized 4-byte operands, in chunks past the binding limit. */
function flatChunks(
  op: string,
  n: number,
  buffers: GPUBuffer[],
  launch: (n: number, bindings: BufferBinding[]) => void,
): void {
  forEachChunk(
    op,
    n,
    buffers.map((buffer) => ({ buffer, rowBytes: 4 })),
    (_, count, bindings) => launch(count, bindings),
  );
}

/** y = -x; `torch.neg`. dx = -g. */
export const neg = (x: Tensor) => unary('neg', x);
/** y = e^x; `torch.exp`. dx = g y. */
export const exp = (x: Tensor) => unary('exp', x);
/** y = ln x (float32); `torch.log`. dx = g / x. */
export const log = (x: Tensor) => unary('log', x);
/** y = √x; `torch.sqrt`. dx = g / (2 y). */
export const sqrt = (x: Tensor) => unary('sqrt', x);
/** y = |x|; `torch.abs`. dx = g sign(x). */
export const abs = (x: Tensor) => unary('abs', x);
/** y = max(x, 0); `torch.relu`. dx = g where x > 0 (NOTE: 0 at x = 0, as PyTorch). */
export const relu = (x: Tensor) => (x.dtype === 'float32' ? reluFloat(x) : unary('relu', x));
/** y = 1 / (1 + e^-x); `torch.sigmoid`. dx = g y (1 - y). */
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
/** y = tanh x; `torch.tanh`. dx = g (1 - y²). */
export const tanh = (x: Tensor) => unary('tanh', x);
/**
 * y = x^e elementwise, as `torch.pow(x, e)`: e a number, or a tensor broadcast against x (x may
 * then be a number too, as `torch.pow(2, e)`). A negative x gives a real result for integer e,
 * NaN otherwise. dx = g e x^(e-1); de = g x^e log(x) (0 where x = 0 and e >= 0).
 */
export function pow(x: Tensor | Scalar, exponent: Tensor | Scalar): Tensor {
  if (typeof exponent === 'number' && typeof x !== 'number') return unary('pow', x, exponent);
  return binary('pow', x, exponent);
}

// ---- in place (no autograd) ----

/** Copies `src` into `target` (same shape and dtype) on the GPU. */
export function copyInto<T extends Tensor>(target: T, src: Tensor): T {
  if (!sameShape(target.shape, src.shape) || target.dtype !== src.dtype) {
    throw new Error(`copy_: cannot copy ${src.describe()} into ${target.describe()}`);
  }
  copyBuffer(src.buffer, 0, target.buffer, 0, src.size * 4);
  target.storage.version++;
  return target;
}

/** Evaluates `compute` without autograd and writes the result into `target`. */
export function assign<T extends Tensor>(target: T, compute: () => Tensor): T {
  const value = noGrad(compute);
  if (!sameShape(value.shape, target.shape)) {
    const message = `in-place op: result shape [${value.shape.join(', ')}] does not match [${target.shape.join(', ')}]`;
    value.dispose();
    throw new Error(message);
  }
  copyInto(target, value);
  value.dispose();
  return target;
}

export function fillInPlace<T extends Tensor>(target: T, value: number): T {
  const filled = full(target.shape, value, { dtype: target.dtype });
  copyInto(target, filled);
  filled.dispose();
  return target;
}

/** A copy with its own storage; `torch.clone`. dx = g. */
export function clone(x: Tensor): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  copyBuffer(x.buffer, 0, out.buffer, 0, x.size * 4);
  return record(out, 'clone', [x], (g) => [g.detach()]);
}
