// Batch norm's kernel versions (src/ops/batchnorm_kernels.ts: 01_scalar, 02_vec4) against the
// float64 reference (test/ref/batchnorm.ts), training and evaluation, forward and gradients, on
// planes that divide by 4 (vec4 path) and odd ones (not multiples of 4), outputs poisoned.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { BATCHNORM_VERSIONS, setBatchNormVersion } from '../src/ops/batchnorm_kernels.js';
import { batchNormRef } from './ref/batchnorm.js';
import { checkOp, expectClose, randomNd } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});
afterEach(() => setBatchNormVersion(null));

const SHAPES = [
  [3, 5, 7, 9], // odd plane (63)
  [2, 6, 4, 4], // vec4 plane (16)
  [5, 3], // BatchNorm1d, S = 1
  [2, 3, 10], // S = 10: not a multiple of 4
  [1, 7, 8, 12],
  [2, 2, 33, 31], // planes longer than a workgroup
];

describe('batch norm kernel versions', () => {
  for (const version of BATCHNORM_VERSIONS) {
    for (const training of [true, false]) {
      it(`${version}, ${training ? 'training' : 'evaluation'}: forward and gradients against the float64 reference`, async () => {
        setBatchNormVersion(version);
        for (const [k, shape] of SHAPES.entries()) {
          const c = shape[1];
          const rm = Array.from(randomNd([c], 200 + k).data);
          const rv = Array.from(randomNd([c], 300 + k, 0.5, 2).data);
          const mean = sg.tensor(rm);
          const variance = sg.tensor(rv);
          const f = (x: sg.Tensor, w: sg.Tensor, b: sg.Tensor) =>
            sg.batchNorm(x, { mean, variance, batchesTracked: null }, w, b, { training, momentum: 0.1, eps: 1e-5 });
          const inputs = [randomNd(shape, 10 + k, -2, 3), randomNd([c], 20 + k, 0.5, 1.5), randomNd([c], 30 + k)];
          await checkOp(
            `${version} ${shape}`,
            inputs,
            f,
            batchNormRef({ channels: c, eps: 1e-5, running: training ? null : { mean: rm, variance: rv } }),
            {
              gradTol: { rtol: 1e-4, atol: 1e-4 },
            },
          );
          if (training) {
            // The running statistics moved by momentum 0.1 towards the batch's (unbiased variance), once per forward.
            const [n, s] = [shape[0], inputs[0].data.length / (shape[0] * c)];
            const batchMean = Array.from({ length: c }, (_, ch) => {
              let t = 0;
              for (let a = 0; a < n; a++) for (let j = 0; j < s; j++) t += inputs[0].data[(a * c + ch) * s + j];
              return t / (n * s);
            });
            const got = await mean.data();
            expect(got.length).toBe(c);
            // checkOp ran the forward once.
            expectClose(
              got,
              rm.map((v, ch) => 0.9 * v + 0.1 * batchMean[ch]),
              `${version} running mean ${shape}`,
              { rtol: 1e-4, atol: 1e-5 },
            );
          }
          mean.dispose();
          variance.dispose();
        }
      });
    }
  }
});
