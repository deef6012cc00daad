/**
 * float64 references of the fused layers (src/ops/fused.ts), composed from the plain-loop
 * references of their parts: y = act(conv2d(x, w, b)), y = relu(a + b), y = act(x W^T + b).
 * The backward is the chain rule written out: dz = g act'(z), then the part's own backward.
 */
import { conv2dRef, type ConvRefOptions } from './cnn.js';
import { conv2dBackwardRef } from './conv_backward.js';
import { ACTIVATIONS, type Scalar } from './activation.js';
import { type Nd, type RefOp, nd } from './ndarray.js';

export type FusedAct = 'relu' | 'relu6' | 'silu' | 'hardswish';

/** relu with PyTorch's gradient 0 at exactly 0. */
const RELU: Scalar = { f: (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)), df: (x) => (x > 0 ? 1 : 0) };

export const FUSED_ACTS: Record<FusedAct, Scalar> = {
  relu: RELU,
  relu6: ACTIVATIONS.relu6,
  silu: ACTIVATIONS.silu,
  hardswish: ACTIVATIONS.hardswish,
};

const map = (x: Nd, f: (v: number, i: number) => number) => nd(x.shape, x.data.map(f));

/** act(conv2d(x, w, b)) with inputs (x, w, b). */
export function convActRef(o: ConvRefOptions, act: FusedAct): RefOp {
  const a = FUSED_ACTS[act];
  return {
    forward: (x, w, b) => map(conv2dRef(x, w, b, o), a.f),
    backward: (g, x, w, b) => {
      const z = conv2dRef(x, w, b, o);
      const dz = map(z, (v, i) => g.data[i] * a.df(v));
      const { dx, dw, db } = conv2dBackwardRef(x, w, dz, o);
      return [dx, dw, db];
    },
  };
}

/** relu(a + b) for same-shaped a and b. */
export const addReluRef: RefOp = {
  forward: (a, b) => map(a, (v, i) => RELU.f(v + b.data[i])),
  backward: (g, a, b) => {
    const d = map(a, (v, i) => g.data[i] * RELU.df(v + b.data[i]));
    return [d, nd(d.shape, d.data)];
  },
};

/** act(x W^T + b) for x [m, k], W [n, k], b [n]. */
export function linearActRef(act: FusedAct): RefOp {
  const a = FUSED_ACTS[act];
  const pre = (x: Nd, w: Nd, b: Nd) => {
    const [m, k] = x.shape;
    const n = w.shape[0];
    const z = nd([m, n]);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = b.data[j];
        for (let t = 0; t < k; t++) s += x.data[i * k + t] * w.data[j * k + t];
        z.data[i * n + j] = s;
      }
    return z;
  };
  return {
    forward: (x, w, b) => map(pre(x, w, b), a.f),
    backward: (g, x, w, b) => {
      const [m, k] = x.shape;
      const n = w.shape[0];
      const dz = map(pre(x, w, b), (v, i) => g.data[i] * a.df(v));
      const [dx, dw, db] = [nd(x.shape), nd(w.shape), nd([n])];
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          const d = dz.data[i * n + j];
          db.data[j] += d;
          for (let t = 0; t < k; t++) {
            dx.data[i * k + t] += d * w.data[j * k + t];
            dw.data[j * k + t] += d * x.data[i * k + t];
          }
        }
      return [dx, dw, db];
    },
  };
}
