/**
 * float64 batch norm over the channel prefix [0, c) of x [N, XC, ...S] (c = XC: the whole x), as
 * `F.batch_norm(x[:, :c], ...)`: training uses the batch's statistics (biased variance), eval the
 * given running ones. Backward: the gradients of sum(y * g) with respect to x (zero beyond the
 * prefix), weight and bias.
 */
import { type Nd, type RefOp, nd, size } from './ndarray.js';

export interface BatchNormRef {
  channels: number;
  eps: number;
  /** Running mean and variance for eval mode; null: batch statistics (training). */
  running: { mean: number[]; variance: number[] } | null;
}

function stats(x: Nd, o: BatchNormRef): { mean: number[]; invstd: number[] } {
  const [n, xc] = x.shape;
  const s = size(x.shape.slice(2));
  const mean: number[] = [];
  const invstd: number[] = [];
  for (let ch = 0; ch < o.channels; ch++) {
    if (o.running) {
      mean.push(o.running.mean[ch]);
      invstd.push(1 / Math.sqrt(o.running.variance[ch] + o.eps));
      continue;
    }
    let m = 0;
    for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) m += x.data[(a * xc + ch) * s + k];
    m /= n * s;
    let v = 0;
    for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) v += (x.data[(a * xc + ch) * s + k] - m) ** 2;
    mean.push(m);
    invstd.push(1 / Math.sqrt(v / (n * s) + o.eps));
  }
  return { mean, invstd };
}

export function batchNormRef(o: BatchNormRef): RefOp {
  return {
    forward(x, w, b) {
      const [n, xc] = x.shape;
      const s = size(x.shape.slice(2));
      const { mean, invstd } = stats(x, o);
      const y = nd([n, o.channels, ...x.shape.slice(2)]);
      for (let a = 0; a < n; a++)
        for (let ch = 0; ch < o.channels; ch++)
          for (let k = 0; k < s; k++) {
            const xhat = (x.data[(a * xc + ch) * s + k] - mean[ch]) * invstd[ch];
            y.data[(a * o.channels + ch) * s + k] = xhat * w.data[ch] + b.data[ch];
          }
      return y;
    },
    backward(g, x, w) {
      const [n, xc] = x.shape;
      const s = size(x.shape.slice(2));
      const m = n * s;
      const { mean, invstd } = stats(x, o);
      const dx = nd(x.shape);
      const dw = nd([o.channels]);
      const db = nd([o.channels]);
      for (let ch = 0; ch < o.channels; ch++) {
        const xhat = (a: number, k: number) => (x.data[(a * xc + ch) * s + k] - mean[ch]) * invstd[ch];
        const gi = (a: number, k: number) => g.data[(a * o.channels + ch) * s + k];
        for (let a = 0; a < n; a++)
          for (let k = 0; k < s; k++) {
            db.data[ch] += gi(a, k);
            dw.data[ch] += gi(a, k) * xhat(a, k);
          }
        for (let a = 0; a < n; a++)
          for (let k = 0; k < s; k++) {
            // dx = w invstd / M (M g - sum g - xhat sum(g xhat)); eval: the statistics are constants.
            const d = o.running
              ? gi(a, k) * w.data[ch] * invstd[ch]
              : ((w.data[ch] * invstd[ch]) / m) * (m * gi(a, k) - db.data[ch] - xhat(a, k) * dw.data[ch]);
            dx.data[(a * xc + ch) * s + k] = d;
          }
      }
      return [dx, dw, db];
    },
  };
}
