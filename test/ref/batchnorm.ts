/**
 * float64 reference of batch normalisation over x [N, C, S...] per channel, as plain loops:
 * training (batch statistics, biased variance) or evaluation (given running statistics), with
 * weight gamma and bias beta as inputs; the backward written out from the chain rule:
 *   training: dx = gamma invstd / M (M g - sum g - xhat sum(g xhat)), M = N S
 *   eval:     dx = g gamma invstd
 *   dgamma = sum g xhat,  dbeta = sum g   (sums over n and s)
 */
import { type Nd, type RefOp, nd } from './ndarray.js';

export function batchNormRef(training: boolean, runMean: number[], runVar: number[], eps = 1e-5): RefOp {
  /** Per channel: mean, invstd, and the xhat of every element. */
  const normalise = (x: Nd) => {
    const [n, c] = x.shape;
    const s = x.data.length / (n * c);
    const xhat = nd(x.shape);
    const invstds: number[] = [];
    for (let ch = 0; ch < c; ch++) {
      const at = (a: number, k: number) => (a * c + ch) * s + k;
      let mean = runMean[ch];
      let variance = runVar[ch];
      if (training) {
        mean = 0;
        for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) mean += x.data[at(a, k)];
        mean /= n * s;
        variance = 0;
        for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) variance += (x.data[at(a, k)] - mean) ** 2;
        variance /= n * s;
      }
      const invstd = 1 / Math.sqrt(variance + eps);
      invstds.push(invstd);
      for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) xhat.data[at(a, k)] = (x.data[at(a, k)] - mean) * invstd;
    }
    return { xhat, invstds, n, c, s };
  };
  return {
    forward: (x, gamma, beta) => {
      const { xhat, c, s } = normalise(x);
      return nd(
        x.shape,
        xhat.data.map((v, i) => {
          const ch = Math.floor(i / s) % c;
          return v * gamma.data[ch] + beta.data[ch];
        }),
      );
    },
    backward: (g, x, gamma) => {
      const { xhat, invstds, n, c, s } = normalise(x);
      const [dx, dgamma, dbeta] = [nd(x.shape), nd([c]), nd([c])];
      for (let ch = 0; ch < c; ch++) {
        const idx: number[] = [];
        for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) idx.push((a * c + ch) * s + k);
        for (const i of idx) {
          dbeta.data[ch] += g.data[i];
          dgamma.data[ch] += g.data[i] * xhat.data[i];
        }
        const m = n * s;
        const k = gamma.data[ch] * invstds[ch];
        for (const i of idx)
          dx.data[i] = training
            ? (k / m) * (m * g.data[i] - dbeta.data[ch] - xhat.data[i] * dgamma.data[ch])
            : g.data[i] * k;
      }
      return [dx, dgamma, dbeta];
    },
  };
}
