/**
 * float64 reference gradients of conv2d (any groups, stride, padding, dilation), written as the
 * textbook sums over the forward's terms, y[n, co, p] = b[co] + sum w[co, ci, kh, kw] x[n, g Cg + ci, tap]:
 *   dx[n, g Cg + ci, tap] += dy[n, co, p] w[co, ci, kh, kw];  dw[co, ci, kh, kw] += dy x;  db[co] += dy.
 * Paired with conv2dRef (test/ref/cnn.ts) as a RefOp, so checkOp tests it by central differences.
 */
import { conv2dRef, type ConvRefOptions } from './cnn.js';
import { type Nd, type RefOp, nd } from './ndarray.js';

export function conv2dBackwardRef(x: Nd, w: Nd, dy: Nd, o: ConvRefOptions): { dx: Nd; dw: Nd; db: Nd } {
  const [n, c, h, wd] = x.shape;
  const [cout, cg, kh, kw] = w.shape;
  const [, , oh, ow] = dy.shape;
  const coutG = cout / o.groups;
  const dx = nd(x.shape);
  const dw = nd(w.shape);
  const db = nd([cout]);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cout; co++) {
      const g = Math.floor(co / coutG);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          const d = dy.data[((b * cout + co) * oh + y) * ow + xx];
          db.data[co] += d;
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const ih = y * o.stride[0] - o.padding[0] + i * o.dilation[0];
                const iw = xx * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                const xi = ((b * c + g * cg + ci) * h + ih) * wd + iw;
                const wi = ((co * cg + ci) * kh + i) * kw + j;
                dx.data[xi] += d * w.data[wi];
                dw.data[wi] += d * x.data[xi];
              }
        }
    }
  return { dx, dw, db };
}

/** conv2d(x, w[, b]) as a RefOp: inputs (x, w) or (x, w, b). */
export function conv2dRefOp(o: ConvRefOptions): RefOp {
  return {
    forward: (x, w, b) => conv2dRef(x, w, b ?? null, o),
    backward: (g, x, w, b) => {
      const { dx, dw, db } = conv2dBackwardRef(x, w, g, o);
      return b ? [dx, dw, db] : [dx, dw];
    },
  };
}
