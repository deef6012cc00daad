// Linear's product y = x W^T reads W in its [out, in] layout (matmul versions 11-13): forward
// and backward against float64 loops, for every NT kernel, odd sizes and 1-D / 3-D inputs.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { expectClose, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});
afterEach(() => sg.setMatmulVersion(null));

/** float64 y = x W^T + b, and the gradients of sum(y * g). x [m, k], W [n, k], g [m, n]. */
function reference(
  x: Float64Array,
  w: Float64Array,
  b: Float64Array | null,
  g: Float64Array,
  m: number,
  k: number,
  n: number,
) {
  const y = new Float64Array(m * n);
  const dx = new Float64Array(m * k);
  const dw = new Float64Array(n * k);
  const db = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = b ? b[j] : 0;
      for (let q = 0; q < k; q++) s += x[i * k + q] * w[j * k + q];
      y[i * n + j] = s;
      const gij = g[i * n + j];
      db[j] += gij;
      for (let q = 0; q < k; q++) {
        dx[i * k + q] += gij * w[j * k + q];
        dw[j * k + q] += gij * x[i * k + q];
      }
    }
  }
  return { y, dx, dw, db };
}

async function checkLinear(lead: number[], k: number, n: number, bias: boolean, seed: number): Promise<void> {
  const m = lead.reduce((a, b) => a * b, 1);
  const x = randomNd([...lead, k], seed);
  const w = randomNd([n, k], seed + 1);
  const b = randomNd([n], seed + 2);
  const g = randomNd([...lead, n], seed + 3);
  const tx = toTensor(x, { requiresGrad: true });
  const tw = toTensor(w, { requiresGrad: true });
  const tb = bias ? toTensor(b, { requiresGrad: true }) : null;
  const y = sg.nn.linear(tx, tw, tb);
  expect(y.shape).toEqual([...lead, n]);
  const want = reference(x.data, w.data, bias ? b.data : null, g.data, m, k, n);
  expectClose(await y.data(), want.y, 'y');
  y.backward(toTensor(g));
  expectClose(await tx.grad!.data(), want.dx, 'dx');
  expectClose(await tw.grad!.data(), want.dw, 'dW');
  if (tb) expectClose(await tb.grad!.data(), want.db, 'db');
}

describe('linear: y = x W^T + b without a transposed copy of W', () => {
  // [batch dims, in, out]: ragged tiles (rows not a multiple of 8, columns not of 4), 1-D and 3-D input.
  const cases: Array<[number[], number, number]> = [
    [[5], 36, 23],
    [[2, 3], 64, 10],
    [[], 20, 7],
    [[17], 128, 130],
    [[100], 3136, 2],
    [[13], 64, 1],
  ];
  for (const [lead, k, n] of cases) {
    it(`x [${[...lead, k].join(', ')}], W [${n}, ${k}] (adapter's NT kernel)`, async () => {
      await checkLinear(lead, k, n, true, 100 + k);
    });
  }

  it('K not a multiple of 4 (version 11, scalar loads), no bias', async () => {
    await checkLinear([9], 37, 21, false, 7);
  });

  it('without subgroups (version 12, vec4 loads)', async () => {
    sg.setMatmulVersion('03_vec4_4x4');
    await checkLinear([9], 40, 33, true, 8);
  });

  it('names the shapes when x does not match W', () => {
    const lin = new sg.nn.Linear(4, 3);
    expect(() => lin.forward(sg.zeros([2, 5]))).toThrow(
      /Linear: input of shape \[2, 5\] does not match weight \[3, 4\]/,
    );
  });
});
