/**
 * float64 references of the embedding lookup and of cumsum: plain loops over positions.
 * Embedding inputs: weight [num, dim] (differentiable), ids (integers, not differentiable).
 */
import { type Nd, type RefOp, nd } from './ndarray.js';

/** out[t, :] = weight[ids[t], :]; dweight[r, :] = sum over t with ids[t] = r of g[t, :], row paddingIdx 0. */
export function embeddingRef(paddingIdx: number | null): RefOp {
  return {
    forward: (w, ids) => {
      const dim = w.shape[1];
      const out = nd([...ids.shape, dim]);
      for (let t = 0; t < ids.data.length; t++)
        for (let d = 0; d < dim; d++) out.data[t * dim + d] = w.data[ids.data[t] * dim + d];
      return out;
    },
    backward: (g, w, ids) => {
      const dim = w.shape[1];
      const dw = nd(w.shape);
      for (let t = 0; t < ids.data.length; t++) {
        if (ids.data[t] === paddingIdx) continue;
        for (let d = 0; d < dim; d++) dw.data[ids.data[t] * dim + d] += g.data[t * dim + d];
      }
      return [dw, null];
    },
  };
}

/** out[o, k, i] = sum_{j <= k} x[o, j, i] along `dim`; dx[o, k, i] = sum_{j >= k} g[o, j, i]. */
export function cumsumRef(dim: number): RefOp {
  const layout = (shape: number[]) => {
    const d = dim < 0 ? dim + shape.length : dim;
    const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
    const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    return { outer, len: shape[d], inner };
  };
  const run = (x: Nd, reverse: boolean) => {
    const { outer, len, inner } = layout(x.shape);
    const out = nd(x.shape);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let s = 0; s < len; s++) {
          const k = reverse ? len - 1 - s : s;
          const at = (o * len + k) * inner + i;
          acc += x.data[at];
          out.data[at] = acc;
        }
      }
    return out;
  };
  return { forward: (x) => run(x, false), backward: (g) => [run(g, true)] };
}
