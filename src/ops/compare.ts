/**
 * Comparisons (masks of 1.0 / 0.0), `where`, and dtype casts. Comparisons and casts are not
 * differentiable; `where` passes the gradient to the branch each element came from.
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { COMPARE_OPS, K } from '../kernels.js';
import { Tensor, type DType, type Scalar } from '../tensor.js';
import { record } from '../autograd.js';
import {
  broadcastShapes,
  broadcastStrides,
  requireDtype,
  requireSameDtype,
  requireScalarFits,
  shapeOf,
  wgslType,
} from './util.js';
import { full, zeros } from './create.js';
import { sumToShape } from './reduce.js';
import { reshape } from './shape.js';
import { describeValue } from '../args.js';

const WG = 256;
type CompareOp = keyof typeof COMPARE_OPS;

function compare(op: CompareOp, a: Tensor, bIn: Tensor | Scalar): Tensor {
  if (typeof bIn === 'number') requireScalarFits(op, bIn, a);
  else requireSameDtype(op, a, bIn);
  const outShape = broadcastShapes(op, a.shape, shapeOf(bIn));
  const b = typeof bIn === 'number' ? full([], bIn, { dtype: a.dtype }) : bIn;
  const out = Tensor.empty(outShape);
  const uniforms = {
    n: out.size,
    rank: outShape.length,
    out_shape: outShape,
    a_strides: broadcastStrides(a.shape, outShape),
    b_strides: broadcastStrides(b.shape, outShape),
  };
  dispatch(
    K.compare,
    { OP: op, WG, T: wgslType(a) },
    uniforms,
    [a.buffer, b.buffer, out.buffer],
    gridFor(out.size, WG),
  );
  if (b !== bIn) b.dispose();
  return out;
}

/** out = 1.0 where a == b, else 0.0 (a float32 mask), with broadcasting; `torch.eq` (which returns bool). Not differentiable. */
export const eq = (a: Tensor, b: Tensor | Scalar) => compare('eq', a, b);
/** out = 1.0 where a != b, else 0.0, with broadcasting; `torch.ne`. */
export const ne = (a: Tensor, b: Tensor | Scalar) => compare('ne', a, b);
/** out = 1.0 where a < b, else 0.0, with broadcasting; `torch.lt`. */
export const lt = (a: Tensor, b: Tensor | Scalar) => compare('lt', a, b);
/** out = 1.0 where a <= b, else 0.0, with broadcasting; `torch.le`. */
export const le = (a: Tensor, b: Tensor | Scalar) => compare('le', a, b);
/** out = 1.0 where a > b, else 0.0, with broadcasting; `torch.gt`. */
export const gt = (a: Tensor, b: Tensor | Scalar) => compare('gt', a, b);
/** out = 1.0 where a >= b, else 0.0, with broadcasting; `torch.ge`. */
export const ge = (a: Tensor, b: Tensor | Scalar) => compare('ge', a, b);

function whereRaw(cond: Tensor, a: Tensor, b: Tensor, outShape: readonly number[]): Tensor {
  const out = Tensor.empty(outShape, a.dtype);
  const uniforms = {
    n: out.size,
    rank: outShape.length,
    out_shape: outShape,
    cond_strides: broadcastStrides(cond.shape, outShape),
    a_strides: broadcastStrides(a.shape, outShape),
    b_strides: broadcastStrides(b.shape, outShape),
  };
  dispatch(
    K.where_forward,
    { WG, T: wgslType(a) },
    uniforms,
    [cond.buffer, a.buffer, b.buffer, out.buffer],
    gridFor(out.size, WG),
  );
  return out;
}

/**
 * out = cond ? a : b elementwise (cond: a float32 mask, nonzero = true), all three broadcast;
 * `torch.where`. da = g where cond, db = g elsewhere.
 */
export function where(cond: Tensor, aIn: Tensor | Scalar, bIn: Tensor | Scalar): Tensor {
  if (!(cond instanceof Tensor))
    throw new Error(
      `where: argument 'condition' must be a Tensor (a mask such as x.gt(0); JavaScript's x > 0 compares objects), got ${describeValue(cond)}`,
    );
  requireDtype('where', cond, 'float32');
  const like = typeof aIn === 'number' ? (typeof bIn === 'number' ? cond : bIn) : aIn;
  for (const x of [aIn, bIn]) {
    if (typeof x === 'number') requireScalarFits('where', x, like);
    else requireSameDtype('where', like, x);
  }
  // Shapes are checked before the number branches become 0-d tensors (no GPU work on error).
  const outShape = broadcastShapes('where', broadcastShapes('where', cond.shape, shapeOf(aIn)), shapeOf(bIn));
  const a = typeof aIn === 'number' ? full([], aIn, { dtype: like.dtype }) : aIn;
  const b = typeof bIn === 'number' ? full([], bIn, { dtype: like.dtype }) : bIn;
  const out = whereRaw(cond, a, b, outShape);
  const owned = [a, b].filter((t) => t !== aIn && t !== bIn);
  // d/da = g where cond, else 0; d/db = the other way round; then undo broadcasting.
  return record(
    out,
    'where',
    [a, b],
    (g, needs) => {
      const zero = zeros([]);
      return [a, b].map((operand, i) => {
        if (!needs[i]) return null;
        const masked = i === 0 ? whereRaw(cond, g, zero, g.shape) : whereRaw(cond, zero, g, g.shape);
        return masked.shape.join() === operand.shape.join() ? masked : sumToShape(masked, operand.shape);
      });
    },
    owned,
  );
}

/**
 * `x` converted to `dtype` (float to int truncates toward zero), as `x.to(dtype)`. Casting to the dtype it already
 * has returns a view that keeps the graph, as PyTorch's `.float()` on a float tensor.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return reshape(x, x.shape);
  const out = Tensor.empty(x.shape, dtype);
  const spec = { WG, FROM: wgslType(x), TO: dtype === 'int32' ? 'i32' : 'f32' } as const;
  dispatch(K.cast, spec, { n: x.size }, [x.buffer, out.buffer], gridFor(x.size, WG));
  return out;
}
