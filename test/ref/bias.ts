/**
 * float64 reference of a Linear layer's bias: out[r, n] = x[r, n] + b[n] over the rows r of x
 * [..., N]; dx = g, db[n] = Σ_r g[r, n] (plain loops, in row order).
 */
import { type RefOp, nd } from './ndarray.js';

export function addBiasRef(): RefOp {
  return {
    forward: (x, b) => {
      const n = b.data.length;
      const out = nd(x.shape);
      for (let i = 0; i < x.data.length; i++) out.data[i] = x.data[i] + b.data[i % n];
      return out;
    },
    backward: (g, x, b) => {
      const n = b.data.length;
      const dx = nd(x.shape, Float64Array.from(g.data));
      const db = nd(b.shape);
      for (let i = 0; i < g.data.length; i++) db.data[i % n] += g.data[i];
      return [dx, db];
    },
  };
}
