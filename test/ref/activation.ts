/**
 * float64 references for the activations (silu, hardswish, hardsigmoid, relu6, gelu exact and
 * tanh), with PyTorch's derivative conventions at the kinks and at NaN written as PyTorch's
 * backward kernels compare (JavaScript comparisons with NaN are false, as C++'s).
 */
import { type RefOp, nd } from './ndarray.js';

/**
 * erf in float64: its Maclaurin series for |x| < 3 (terms stay below ~1e3, so ~1e-13 absolute),
 * and for |x| >= 3 erfc by its continued fraction (Lentz), accurate in relative terms.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) >= 3) return Math.sign(x) * (1 - erfcTail(Math.abs(x)));
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) for x >= 3: exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))). */
function erfcTail(x: number): number {
  let f = 0;
  for (let k = 120; k >= 1; k--) f = k / 2 / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

/** erfc(x) = 1 - erf(x), without cancellation for large x. */
export function erfc(x: number): number {
  if (x >= 3) return erfcTail(x);
  return 1 - erf(x);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export interface Scalar {
  f: (x: number) => number;
  df: (x: number) => number;
}

export const ACTIVATIONS: Record<'silu' | 'hardswish' | 'hardsigmoid' | 'relu6' | 'gelu' | 'gelu_tanh', Scalar> = {
  silu: { f: (x) => x * sigmoid(x), df: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))) },
  hardswish: {
    f: (x) => (Number.isNaN(x) ? NaN : (x * Math.min(Math.max(x + 3, 0), 6)) / 6),
    // NOTE: PyTorch: x < -3 -> 0, x <= 3 -> x / 3 + 1/2 (so -1/2 at -3 and 3/2 at 3), else 1 (NaN too).
    df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  },
  hardsigmoid: {
    f: (x) => (Number.isNaN(x) ? NaN : Math.min(Math.max(x + 3, 0), 6) / 6),
    df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
  },
  relu6: {
    f: (x) => (Number.isNaN(x) ? NaN : Math.min(Math.max(x, 0), 6)),
    // NOTE: hardtanh's backward: 0 for x <= 0 or x >= 6, so 0 at both kinks (and 1 at NaN).
    df: (x) => (x <= 0 || x >= 6 ? 0 : 1),
  },
  gelu: {
    f: (x) => 0.5 * x * erfc(-x / Math.SQRT2),
    df: (x) => 0.5 * erfc(-x / Math.SQRT2) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
  },
  gelu_tanh: {
    f: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))),
    df: (x) => {
      const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x ** 3));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
    },
  },
};

/** The elementwise RefOp of an activation: y = f(x), dx = g f'(x). */
export function activationRef(a: Scalar): RefOp {
  return {
    forward: (x) => nd(x.shape, x.data.map(a.f)),
    backward: (g, x) => [
      nd(
        x.shape,
        x.data.map((v, i) => g.data[i] * a.df(v)),
      ),
    ],
  };
}
