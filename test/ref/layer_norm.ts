/**
 * float64 reference of layer normalisation over a [outer, D, inner] view (D values `inner`
 * apart): nn.LayerNorm is inner = 1, ConvNeXt's LayerNorm2d on NCHW is outer = N, D = C,
 * inner = H * W. Plain loops, two-pass statistics, the textbook backward.
 */
import { type Nd, type RefOp, nd } from './ndarray.js';

export interface LayerNormLayout {
  outer: number;
  d: number;
  inner: number;
}

/** Mean and 1 / sqrt(biased var + eps) of the row at (o, i). */
function rowStats(x: Nd, l: LayerNormLayout, o: number, i: number, eps: number): [number, number] {
  let s = 0;
  for (let c = 0; c < l.d; c++) s += x.data[(o * l.d + c) * l.inner + i];
  const mean = s / l.d;
  let q = 0;
  for (let c = 0; c < l.d; c++) q += (x.data[(o * l.d + c) * l.inner + i] - mean) ** 2;
  return [mean, 1 / Math.sqrt(q / l.d + eps)];
}

/**
 * Inputs: x, then weight and bias [D] when `affine`. y = (x - mean) rstd w + b. Backward, with
 * xhat = (x - mean) rstd and gw = g w: dx = rstd (gw - mean(gw) - xhat mean(gw xhat)),
 * dw = sum over rows of g xhat, db = sum over rows of g.
 */
export function layerNormRef(layout: (x: Nd) => LayerNormLayout, eps: number, affine: boolean): RefOp {
  return {
    forward: (x, w, b) => {
      const l = layout(x);
      const y = nd(x.shape);
      for (let o = 0; o < l.outer; o++) {
        for (let i = 0; i < l.inner; i++) {
          const [mean, rstd] = rowStats(x, l, o, i, eps);
          for (let c = 0; c < l.d; c++) {
            const at = (o * l.d + c) * l.inner + i;
            const xhat = (x.data[at] - mean) * rstd;
            y.data[at] = affine ? xhat * w.data[c] + b.data[c] : xhat;
          }
        }
      }
      return y;
    },
    backward: (g, x, w) => {
      const l = layout(x);
      const dx = nd(x.shape);
      const dw = nd(affine ? w.shape : [l.d]);
      const db = nd(affine ? w.shape : [l.d]);
      for (let o = 0; o < l.outer; o++) {
        for (let i = 0; i < l.inner; i++) {
          const [mean, rstd] = rowStats(x, l, o, i, eps);
          const at = (c: number) => (o * l.d + c) * l.inner + i;
          let sumGw = 0;
          let sumGwXhat = 0;
          for (let c = 0; c < l.d; c++) {
            const xhat = (x.data[at(c)] - mean) * rstd;
            const gw = g.data[at(c)] * (affine ? w.data[c] : 1);
            sumGw += gw;
            sumGwXhat += gw * xhat;
            dw.data[c] += g.data[at(c)] * xhat;
            db.data[c] += g.data[at(c)];
          }
          for (let c = 0; c < l.d; c++) {
            const xhat = (x.data[at(c)] - mean) * rstd;
            const gw = g.data[at(c)] * (affine ? w.data[c] : 1);
            dx.data[at(c)] = rstd * (gw - sumGw / l.d - (xhat * sumGwXhat) / l.d);
          }
        }
      }
      return affine ? [dx, dw, db] : [dx];
    },
  };
}

/** nn.LayerNorm over the trailing `dims` dims. */
export const lastDims =
  (dims: number) =>
  (x: Nd): LayerNormLayout => {
    const d = x.shape.slice(x.shape.length - dims).reduce((a, b) => a * b, 1);
    return { outer: x.data.length / d, d, inner: 1 };
  };

/** LayerNorm2d over dim 1 of NCHW. */
export const channelsFirst = (x: Nd): LayerNormLayout => ({
  outer: x.shape[0],
  d: x.shape[1],
  inner: x.shape[2] * x.shape[3],
});
