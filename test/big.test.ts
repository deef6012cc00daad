// Tensors larger than the storage-binding limit (128 MiB on llvmpipe), for real: a Linear whose
// weight is 4096 x 8200 float32 (134.3 MB, just above 2^27 bytes) trained one SGD-momentum and
// one Adam step, and an elementwise op, a sum and copy_ over a tensor of that size. Each op then
// runs in chunks or blocks (gpu/chunks.ts); the checks pick elements on both sides of every
// boundary. References are float64 loops over the values read back.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { deviceBindingLimit } from '../src/gpu/chunks.js';
import { expectClose, rng } from './helpers.js';

const [OUT, IN, BATCH] = [4096, 8200, 3];
const N = OUT * IN; // 33,587,200 floats
const FLAT_CHUNK = 2 ** 25; // elements per chunk of the flat kernels at a 128 MiB limit

let limited = false;
beforeAll(async () => {
  await sg.init();
  limited = N * 4 > deviceBindingLimit();
});

/** Uniform values in [-1, 1) from a JS generator, as float32. */
function randomF32(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

/** Indices on both sides of every chunk boundary, plus the ends. */
function boundaryIndices(n: number, chunk: number): number[] {
  const out = [0, 1, n - 2, n - 1];
  for (let b = chunk; b < n; b += chunk) out.push(b - 2, b - 1, b, b + 1);
  return out;
}

const pick = (a: ArrayLike<number>, idx: number[]) => idx.map((i) => a[i]);

describe('tensors larger than one storage binding', () => {
  it('the test tensors really exceed the binding limit', () => {
    expect(limited, `${N * 4} bytes vs maxStorageBufferBindingSize ${deviceBindingLimit()}`).toBe(true);
  });

  it('elementwise ops, sum and copy_ are right at chunk boundaries', async () => {
    const values = randomF32(N, 1);
    const x = sg.tensor(values, { shape: [OUT, IN] });
    const y = sg.tidy(() => x.mul(x).add(x.mul(2))); // x^2 + 2x, same-shape and number operands
    const idx = boundaryIndices(N, FLAT_CHUNK);
    const got = await y.data();
    expectClose(
      pick(got, idx),
      idx.map((i) => values[i] * values[i] + 2 * values[i]),
      'x^2 + 2x',
    );
    const target = sg.zeros([OUT, IN]);
    target.copy_(y);
    const copied = await target.data();
    expect(copied.every((v, i) => v === got[i])).toBe(true);
    let total = 0;
    for (const v of values) total += v;
    expectClose(await sg.sum(x).data(), [total], 'sum', { atol: 1e-2, rtol: 1e-4 });
    for (const t of [x, y, target]) t.dispose();
  });

  it('a Linear with a 134 MB weight: forward, gradients, SGD-momentum and Adam steps', async () => {
    sg.manualSeed(3);
    const lin = new sg.nn.Linear(IN, OUT); // kaiming-uniform fill of the weight, in chunks
    const xs = randomF32(BATCH * IN, 2);
    const gs = randomF32(BATCH * OUT, 3);
    const w0 = await lin.weight.data();
    const b0 = await lin.bias!.data();
    const bound = 1 / Math.sqrt(IN);
    expect(pick(w0, boundaryIndices(N, FLAT_CHUNK)).every((v) => Math.abs(v) <= bound && v !== 0)).toBe(true);

    // Forward: every output element against float64.
    const x = sg.tensor(xs, { shape: [BATCH, IN], requiresGrad: true });
    const y = lin.forward(x);
    const wantY = new Float64Array(BATCH * OUT);
    for (let m = 0; m < BATCH; m++)
      for (let o = 0; o < OUT; o++) {
        let s = b0[o];
        for (let k = 0, r = o * IN; k < IN; k++) s += xs[m * IN + k] * w0[r + k];
        wantY[m * OUT + o] = s;
      }
    expectClose(await y.data(), wantY, 'y', { atol: 1e-4 });

    // Backward with upstream gradient g: dx = g W (all of it), dW = g^T x (rows at the block
    // boundaries: W's rows are bound in blocks of 4088 at 128 MiB), db = sum of g over the batch.
    y.backward(sg.tensor(gs, { shape: [BATCH, OUT] }));
    const wantDx = new Float64Array(BATCH * IN);
    for (let m = 0; m < BATCH; m++)
      for (let o = 0; o < OUT; o++) {
        const g = gs[m * OUT + o];
        for (let k = 0, r = o * IN; k < IN; k++) wantDx[m * IN + k] += g * w0[r + k];
      }
    expectClose(await x.grad!.data(), wantDx, 'dx', { atol: 1e-4 });
    const dwAt = (i: number) => {
      const [o, k] = [Math.floor(i / IN), i % IN];
      let s = 0;
      for (let m = 0; m < BATCH; m++) s += gs[m * OUT + o] * xs[m * IN + k];
      return s;
    };
    const rows = [0, 1, 2047, 4087, 4088, 4095];
    const idx = [
      ...new Set([...boundaryIndices(N, FLAT_CHUNK), ...rows.flatMap((r) => [r * IN, r * IN + 1, r * IN + IN - 1])]),
    ];
    const dw = await lin.weight.grad!.data();
    expectClose(pick(dw, idx), idx.map(dwAt), 'dW');
    const wantDb = Array.from({ length: OUT }, (_, o) => gs[o] + gs[OUT + o] + gs[2 * OUT + o]);
    expectClose(await lin.bias!.grad!.data(), wantDb, 'db');

    // Two SGD steps (momentum 0.9, weight decay 1e-2) with the same gradient.
    const [lr, mu, wd] = [0.1, 0.9, 0.01];
    const sgd = new sg.optim.SGD([lin.weight], { lr, momentum: mu, weightDecay: wd });
    sgd.step();
    sgd.step();
    const sgdWant = idx.map((i) => {
      const d1 = dw[i] + wd * w0[i];
      const w1 = w0[i] - lr * d1;
      return w1 - lr * (mu * d1 + dw[i] + wd * w1);
    });
    const w2 = await lin.weight.data();
    expectClose(pick(w2, idx), sgdWant, 'SGD step', { atol: 1e-6 });

    // One Adam step (weight decay 1e-2) from there: p -= lr m_hat / (sqrt(v_hat) + eps).
    const adam = new sg.optim.Adam([lin.weight], { lr: 1e-3, weightDecay: wd });
    adam.step();
    const adamWant = idx.map((i) => {
      const g = dw[i] + wd * w2[i];
      const [m, v] = [0.1 * g, 0.001 * g * g];
      return w2[i] - (1e-3 * (m / 0.1)) / (Math.sqrt(v / 0.001) + 1e-8);
    });
    expectClose(pick(await lin.weight.data(), idx), adamWant, 'Adam step', { atol: 1e-6 });
  });
});
