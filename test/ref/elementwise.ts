/**
 * float64 references for the elementwise ops: binary arithmetic with broadcasting, unary math,
 * and their derivatives written out by hand (checked by central differences in the tests).
 */
import { type RefOp, broadcastIndex, broadcastShape, forEachIndex, nd, zipWith } from './ndarray.js';

type Fn2 = (x: number, y: number) => number;

/**
 * out = f(a, b) with broadcasting. Backward: each output element adds g * df/da to the element
 * of `a` it read (so broadcast operands accumulate), and likewise for `b`.
 */
export function binaryRef(f: Fn2, dfda: Fn2, dfdb: Fn2): RefOp {
  return {
    forward: (a, b) => zipWith(f, a, b),
    backward: (g, a, b) => {
      const ga = nd(a.shape);
      const gb = nd(b.shape);
      forEachIndex(broadcastShape(a.shape, b.shape), (c, i) => {
        const ia = broadcastIndex(a.shape, c);
        const ib = broadcastIndex(b.shape, c);
        ga.data[ia] += g.data[i] * dfda(a.data[ia], b.data[ib]);
        gb.data[ib] += g.data[i] * dfdb(a.data[ia], b.data[ib]);
      });
      return [ga, gb];
    },
  };
}

// NOTE: at a tie, maximum and minimum split the gradient evenly between the operands (PyTorch).
const pickFirst = (first: boolean, tie: boolean) => (tie ? 0.5 : first ? 1 : 0);

export const BINARY_REFS: Record<'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum', RefOp> = {
  add: binaryRef(
    (x, y) => x + y,
    () => 1,
    () => 1,
  ),
  sub: binaryRef(
    (x, y) => x - y,
    () => 1,
    () => -1,
  ),
  mul: binaryRef(
    (x, y) => x * y,
    (_, y) => y,
    (x) => x,
  ),
  div: binaryRef(
    (x, y) => x / y,
    (_, y) => 1 / y,
    (x, y) => -x / (y * y),
  ),
  maximum: binaryRef(
    Math.max,
    (x, y) => pickFirst(x > y, x === y),
    (x, y) => pickFirst(y > x, x === y),
  ),
  minimum: binaryRef(
    Math.min,
    (x, y) => pickFirst(x < y, x === y),
    (x, y) => pickFirst(y < x, x === y),
  ),
};

/** int32 arithmetic wraps around on overflow (two's complement), as in WGSL and PyTorch. */
export const INT_BINARY_REFS: Record<'add' | 'sub' | 'mul' | 'maximum' | 'minimum', Fn2> = {
  add: (x, y) => (x + y) | 0,
  sub: (x, y) => (x - y) | 0,
  mul: (x, y) => Math.imul(x, y),
  maximum: Math.max,
  minimum: Math.min,
};

/** y = f(x); backward dx = g * f'(x). */
export function unaryRef(f: (x: number) => number, df: (x: number) => number): RefOp {
  return {
    forward: (x) => zipWith(f, x),
    backward: (g, x) => [
      nd(
        x.shape,
        x.data.map((v, i) => g.data[i] * df(v)),
      ),
    ],
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const UNARY_REFS: Record<'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'relu' | 'sigmoid' | 'tanh', RefOp> = {
  neg: unaryRef(
    (x) => -x,
    () => -1,
  ),
  exp: unaryRef(Math.exp, Math.exp),
  log: unaryRef(Math.log, (x) => 1 / x),
  sqrt: unaryRef(Math.sqrt, (x) => 0.5 / Math.sqrt(x)),
  // NOTE: abs'(0) = 0 and relu'(0) = 0, as PyTorch (Math.sign(0) is 0).
  abs: unaryRef(Math.abs, Math.sign),
  relu: unaryRef(
    (x) => Math.max(x, 0),
    (x) => (x > 0 ? 1 : 0),
  ),
  sigmoid: unaryRef(sigmoid, (x) => sigmoid(x) * (1 - sigmoid(x))),
  tanh: unaryRef(Math.tanh, (x) => 1 - Math.tanh(x) ** 2),
};

/**
 * x ** e for a number exponent. JavaScript's `**` already gives what PyTorch does: real results
 * for negative bases with integer exponents, NaN for negative bases otherwise, 0 ** -1 = inf.
 */
export const powRef = (e: number): RefOp =>
  unaryRef(
    (x) => x ** e,
    (x) => (e === 0 ? 0 : e * x ** (e - 1)),
  );

/** Identity with its own storage (clone). */
export const cloneRef: RefOp = unaryRef(
  (x) => x,
  () => 1,
);

/**
 * x ** e for a tensor exponent, broadcast (`torch.pow(x, e)`): de = x^e log(x), 0 where x = 0
 * and e >= 0 (PyTorch's pow_backward_exponent); dx as for a number exponent.
 */
export const powTensorRef: RefOp = binaryRef(
  (x, e) => x ** e,
  (x, e) => (e === 0 ? 0 : e * x ** (e - 1)),
  (x, e) => (x === 0 && e >= 0 ? 0 : x ** e * Math.log(x)),
);
