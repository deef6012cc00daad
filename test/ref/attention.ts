/**
 * float64 reference of scaled dot-product attention over [B, H, L, D] (any leading dims shared
 * by q, k, v): S = q k^T / sqrt(D) + mask, P = softmax_rows(S), out = P v. Backward by hand:
 *   dV = P^T g,  dP = g V^T,  dS = P * (dP - rowsum(dP * P)),  dQ = dS K / sqrt(D),  dK = dS^T Q / sqrt(D)
 */
import { type Nd, type RefOp, nd } from './ndarray.js';

interface Dims {
  batch: number;
  l: number;
  s: number;
  d: number;
  dv: number;
}

function dims(q: Nd, k: Nd, v: Nd): Dims {
  const r = q.shape.length;
  return {
    batch: q.data.length / (q.shape[r - 2] * q.shape[r - 1]),
    l: q.shape[r - 2],
    s: k.shape[r - 2],
    d: q.shape[r - 1],
    dv: v.shape[r - 1],
  };
}

/** P for batch entry b: [l, s] row-major, from the scores and an additive mask read as [l, s] (broadcast). */
function probabilities(q: Nd, k: Nd, mask: Nd | null, m: Dims, b: number): Float64Array {
  const p = new Float64Array(m.l * m.s);
  const scale = 1 / Math.sqrt(m.d);
  for (let i = 0; i < m.l; i++) {
    let max = -Infinity;
    for (let j = 0; j < m.s; j++) {
      let dot = 0;
      for (let c = 0; c < m.d; c++) dot += q.data[(b * m.l + i) * m.d + c] * k.data[(b * m.s + j) * m.d + c];
      const sc = dot * scale + (mask ? mask.data[i * m.s + j] : 0);
      p[i * m.s + j] = sc;
      max = Math.max(max, sc);
    }
    let sum = 0;
    for (let j = 0; j < m.s; j++) sum += p[i * m.s + j] = Math.exp(p[i * m.s + j] - max);
    for (let j = 0; j < m.s; j++) p[i * m.s + j] /= sum;
  }
  return p;
}

/** Inputs q, k, v; `mask` (additive, [L, S], shared by every batch entry) fixed. */
export function attentionRef(mask: Nd | null = null): RefOp {
  return {
    forward: (q, k, v) => {
      const m = dims(q, k, v);
      const out = nd([...q.shape.slice(0, -1), m.dv]);
      for (let b = 0; b < m.batch; b++) {
        const p = probabilities(q, k, mask, m, b);
        for (let i = 0; i < m.l; i++) {
          for (let c = 0; c < m.dv; c++) {
            let acc = 0;
            for (let j = 0; j < m.s; j++) acc += p[i * m.s + j] * v.data[(b * m.s + j) * m.dv + c];
            out.data[(b * m.l + i) * m.dv + c] = acc;
          }
        }
      }
      return out;
    },
    backward: (g, q, k, v) => {
      const m = dims(q, k, v);
      const [dq, dk, dv] = [nd(q.shape), nd(k.shape), nd(v.shape)];
      const scale = 1 / Math.sqrt(m.d);
      for (let b = 0; b < m.batch; b++) {
        const p = probabilities(q, k, mask, m, b);
        for (let i = 0; i < m.l; i++) {
          // dP[i, j] = sum_c g[i, c] v[j, c]; dS = P (dP - sum_j dP P).
          const dp = new Float64Array(m.s);
          let dot = 0;
          for (let j = 0; j < m.s; j++) {
            for (let c = 0; c < m.dv; c++) {
              const gi = g.data[(b * m.l + i) * m.dv + c];
              dp[j] += gi * v.data[(b * m.s + j) * m.dv + c];
              dv.data[(b * m.s + j) * m.dv + c] += p[i * m.s + j] * gi;
            }
            dot += dp[j] * p[i * m.s + j];
          }
          for (let j = 0; j < m.s; j++) {
            const ds = p[i * m.s + j] * (dp[j] - dot) * scale;
            for (let c = 0; c < m.d; c++) {
              dq.data[(b * m.l + i) * m.d + c] += ds * k.data[(b * m.s + j) * m.d + c];
              dk.data[(b * m.s + j) * m.d + c] += ds * q.data[(b * m.l + i) * m.d + c];
            }
          }
        }
      }
      return [dq, dk, dv];
    },
  };
}

/**
 * The head split: out[b, h, s, d] (or [b, h, d, s] transposed) = scale * packed[b, s, part * E + h * Dh + d]
 * for packed [B, S, parts * E]; the backward puts scale * g back there, 0 in the other parts.
 */
export function splitHeadsRef(parts: number, part: number, heads: number, scale: number, transposed: boolean): RefOp {
  const geometry = (x: Nd) => {
    const [b, s, width] = x.shape;
    const e = width / parts;
    return { b, s, e, dh: e / heads };
  };
  const at = (g: ReturnType<typeof geometry>, b: number, s: number, h: number, d: number) => [
    (b * g.s + s) * parts * g.e + part * g.e + h * g.dh + d,
    transposed ? ((b * heads + h) * g.dh + d) * g.s + s : ((b * heads + h) * g.s + s) * g.dh + d,
  ];
  const each = (g: ReturnType<typeof geometry>, f: (packed: number, head: number) => void) => {
    for (let b = 0; b < g.b; b++)
      for (let s = 0; s < g.s; s++)
        for (let h = 0; h < heads; h++) for (let d = 0; d < g.dh; d++) f(...(at(g, b, s, h, d) as [number, number]));
  };
  return {
    forward: (x) => {
      const g = geometry(x);
      const out = nd(transposed ? [g.b, heads, g.dh, g.s] : [g.b, heads, g.s, g.dh]);
      each(g, (packed, head) => (out.data[head] = scale * x.data[packed]));
      return out;
    },
    backward: (grad, x) => {
      const g = geometry(x);
      const dx = nd(x.shape);
      each(g, (packed, head) => (dx.data[packed] = scale * grad.data[head]));
      return [dx];
    },
  };
}

/** heads [B, H, S, Dh] -> [B, S, H * Dh] (out[b, s, h Dh + d] = heads[b, h, s, d]); backward the inverse copy. */
export function mergeHeadsRef(): RefOp {
  const each = (shape: number[], f: (merged: number, head: number) => void) => {
    const [b, h, s, dh] = shape;
    for (let i = 0; i < b; i++)
      for (let j = 0; j < h; j++)
        for (let t = 0; t < s; t++)
          for (let d = 0; d < dh; d++) f(((i * s + t) * h + j) * dh + d, ((i * h + j) * s + t) * dh + d);
  };
  return {
    forward: (x) => {
      const [b, h, s, dh] = x.shape;
      const out = nd([b, s, h * dh]);
      each(x.shape, (merged, head) => (out.data[merged] = x.data[head]));
      return out;
    },
    backward: (grad, x) => {
      const dx = nd(x.shape);
      each(x.shape, (merged, head) => (dx.data[head] = grad.data[merged]));
      return [dx];
    },
  };
}
