// Chunked kernels for tensors larger than one storage binding, exercised cheaply: the binding
// limit used for chunking is lowered to a few hundred bytes (setBindingLimitForTesting), so small
// tensors are split at many boundaries. References are float64 loops over the same inputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { setBindingLimitForTesting } from '../src/gpu/chunks.js';
import { matmulNT } from '../src/ops/matmul.js';
import { expectClose, randomNd, toTensor } from './helpers.js';

// bytes: 4096 floats per binding (offsets are aligned to the device's 16 or 256 bytes)
const LIMIT = 16384;

beforeAll(async () => {
  await sg.init();
  setBindingLimitForTesting(LIMIT);
});
afterAll(() => setBindingLimitForTesting(null));

const map = (x: ArrayLike<number>, f: (v: number, i: number) => number) => Float64Array.from(x, f);

/** float64 C = A B^T for A [m, k], B [n, k]. */
function refNT(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[i * k + q] * b[j * k + q];
      c[i * n + j] = s;
    }
  return c;
}

/** Transpose of a [r, c] row-major matrix. */
function refT(a: ArrayLike<number>, r: number, c: number): Float64Array {
  return Float64Array.from({ length: r * c }, (_, i) => a[(i % r) * c + Math.floor(i / r)]);
}

describe('elementwise ops in chunks (binding limit lowered to 16 KiB)', () => {
  const [R, C] = [301, 29]; // 34916 bytes: 3 chunks
  const x = randomNd([R, C], 1);
  const y = randomNd([R, C], 2);
  const row = randomNd([C], 3);
  const col = randomNd([R, 1], 4);

  it('unary and same-shape binary ops, forward and backward', async () => {
    const a = toTensor(x, { requiresGrad: true });
    const b = toTensor(y, { requiresGrad: true });
    const out = sg.mul(a.exp(), b);
    expectClose(
      await out.data(),
      map(x.data, (v, i) => Math.exp(v) * y.data[i]),
      'exp(a) * b',
    );
    const g = randomNd([R, C], 5);
    out.backward(toTensor(g));
    expectClose(
      await a.grad!.data(),
      map(x.data, (v, i) => g.data[i] * y.data[i] * Math.exp(v)),
      'd/da',
    );
    expectClose(
      await b.grad!.data(),
      map(x.data, (v, i) => g.data[i] * Math.exp(v)),
      'd/db',
    );
  });

  it('broadcast operands: a number, a row and a column, with their summed gradients', async () => {
    const a = toTensor(x);
    expectClose(
      await sg.mul(a, 3).data(),
      map(x.data, (v) => 3 * v),
      'a * 3',
    );
    expectClose(
      await sg.sub(a, toTensor(row)).data(),
      map(x.data, (v, i) => v - row.data[i % C]),
      'a - row',
    );
    const c = toTensor(col, { requiresGrad: true });
    const out = sg.mul(a, c);
    expectClose(
      await out.data(),
      map(x.data, (v, i) => v * col.data[Math.floor(i / C)]),
      'a * col',
    );
    out.sum().backward();
    const want = Float64Array.from({ length: R }, (_, r) => x.data.slice(r * C, r * C + C).reduce((s, v) => s + v, 0));
    expectClose(await c.grad!.data(), want, 'd/dcol');
  });

  it('fills, arange, copy_ and zero_', async () => {
    expect(Array.from(await sg.full([9001], 2.5).data()).every((v) => v === 2.5)).toBe(true);
    const r = await sg.arange(0, 9001).data();
    expect(Array.from(r)).toEqual(Array.from({ length: 9001 }, (_, i) => i));
    const target = sg.zeros([R, C]);
    target.copy_(toTensor(x));
    expectClose(await target.data(), x.data, 'copy_', { rtol: 0, atol: 0 });
    target.zero_();
    expect(Array.from(await target.data()).every((v) => v === 0)).toBe(true);
  });

  it('random fills draw the same numbers as without chunks', async () => {
    sg.manualSeed(7);
    const chunked = await sg.randn([9001]).data();
    setBindingLimitForTesting(null);
    sg.manualSeed(7);
    const whole = await sg.randn([9001]).data();
    setBindingLimitForTesting(LIMIT);
    expect(Array.from(chunked)).toEqual(Array.from(whole));
  });

  it('sum, mean and max over all elements and along either dimension', async () => {
    const a = toTensor(x);
    const total = x.data.reduce((s, v) => s + v, 0);
    expectClose(await sg.sum(a).data(), [total], 'sum');
    expectClose(await sg.mean(a).data(), [total / x.data.length], 'mean');
    expectClose(await sg.max(a).data(), [Math.max(...x.data)], 'max', { rtol: 0, atol: 0 });
    const cols = Float64Array.from({ length: C }, (_, c) =>
      Array.from({ length: R }, (_, r) => x.data[r * C + c]).reduce((s, v) => s + v, 0),
    );
    expectClose(await sg.sum(a, 0).data(), cols, 'sum(dim 0)');
    const rows = Float64Array.from({ length: R }, (_, r) => x.data.slice(r * C, r * C + C).reduce((s, v) => s + v, 0));
    expectClose(await sg.sum(a, 1).data(), rows, 'sum(dim 1)');
  });

  it('strided copies: slice (and its backward), expand, cat', async () => {
    const a = toTensor(x, { requiresGrad: true });
    const kept = (i: number) => Math.floor(i / C) >= 3 && Math.floor(i / C) < 280 && Math.floor(i / C) % 2 === 1;
    expectClose(
      await a.slice(0, 3, 280, 2).data(),
      x.data.filter((_, i) => kept(i)),
      'slice',
      { rtol: 0, atol: 0 },
    );
    expectClose(
      await sg.expand(toTensor(row), [R, C]).data(),
      map(x.data, (_, i) => row.data[i % C]),
      'expand',
      { rtol: 0, atol: 0 },
    );
    // slice's backward scatters the gradient into a zero tensor larger than the limit.
    a.slice(0, 3, 280, 2).sum().backward();
    expectClose(
      await a.grad!.data(),
      map(x.data, (_, i) => (kept(i) ? 1 : 0)),
      'slice backward',
      { rtol: 0, atol: 0 },
    );
    // cat along dim 1 writes each piece's rows into strided ranges of the output.
    const left = await sg.cat([a.slice(1, 0, 10), a.slice(1, 10)], 1).data();
    expectClose(left, x.data, 'cat(dim 1)', { rtol: 0, atol: 0 });
  });

  it('transpose: output rows in ranges, the input (within the device limit) bound whole', async () => {
    const w = randomNd([64, 130], 6); // output rows of 256 bytes: any row starts aligned
    expectClose(await toTensor(w).T.data(), refT(w.data, 64, 130), 'transpose', { rtol: 0, atol: 0 });
  });
});

describe('matmul in blocks (binding limit lowered to 16 KiB)', () => {
  // [m, k, n]: blocks of W's rows; blocks of rows of x and y too; an odd K (64-row steps).
  for (const [m, k, n] of [
    [5, 64, 150],
    [70, 64, 128],
    [3, 33, 200],
  ]) {
    it(`matmulNT [${m}, ${k}] x [${n}, ${k}]^T, forward and backward`, async () => {
      const a = randomNd([m, k], 10 + m);
      const b = randomNd([n, k], 20 + n);
      const g = randomNd([m, n], 30);
      const ta = toTensor(a, { requiresGrad: true });
      const tb = toTensor(b, { requiresGrad: true });
      const out = matmulNT(ta, tb);
      expectClose(await out.data(), refNT(a.data, b.data, m, n, k), 'a b^T');
      out.backward(toTensor(g));
      // da = g b = g (b^T)^T; db = g^T a
      expectClose(await ta.grad!.data(), refNT(g.data, refT(b.data, n, k), m, k, n), 'da');
      expectClose(await tb.grad!.data(), refNT(refT(g.data, m, n), refT(a.data, m, k), n, k, m), 'db');
    });
  }

  it('a plain product whose operands exceed the limit (K split and summed), forward and backward', async () => {
    const a = randomNd([6, 200], 41);
    const b = randomNd([200, 64], 42);
    const g = randomNd([6, 64], 43);
    const ta = toTensor(a, { requiresGrad: true });
    const tb = toTensor(b, { requiresGrad: true });
    const out = sg.matmul(ta, tb);
    expectClose(await out.data(), refNT(a.data, refT(b.data, 200, 64), 6, 64, 200), 'a b');
    out.backward(toTensor(g));
    // da = g b^T; db = a^T g
    expectClose(await ta.grad!.data(), refNT(g.data, b.data, 6, 200, 64), 'da');
    expectClose(await tb.grad!.data(), refNT(refT(a.data, 6, 200), refT(g.data, 6, 64), 200, 64, 6), 'db');
  });
});

describe('optimiser steps in chunks (binding limit lowered to 16 KiB)', () => {
  const n = 9001; // 3 chunks, the last one partial
  const p0 = randomNd([n], 50);
  const g0 = randomNd([n], 51);

  it('SGD with momentum, dampening and weight decay: two steps', async () => {
    const p = new sg.nn.Parameter(toTensor(p0));
    p.grad = toTensor(g0);
    const opt = new sg.optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 });
    opt.step();
    opt.step();
    const want = map(p0.data, (w, i) => {
      const d1 = g0.data[i] + 0.01 * w;
      const w1 = w - 0.1 * d1;
      const buf = 0.9 * d1 + 0.9 * (g0.data[i] + 0.01 * w1);
      return w1 - 0.1 * buf;
    });
    expectClose(await p.data(), want, 'SGD');
  });

  for (const amsgrad of [false, true]) {
    it(`AdamW${amsgrad ? ' (amsgrad)' : ''}: two steps`, async () => {
      const p = new sg.nn.Parameter(toTensor(p0));
      p.grad = toTensor(g0);
      const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.1];
      const opt = new sg.optim.AdamW([p], { lr, weightDecay: wd, amsgrad });
      opt.step();
      opt.step();
      const want = map(p0.data, (w, i) => {
        const g = g0.data[i];
        let [m, v] = [0, 0];
        for (let t = 1; t <= 2; t++) {
          w *= 1 - lr * wd;
          m = b1 * m + (1 - b1) * g;
          v = b2 * v + (1 - b2) * g * g; // v only grows here, so amsgrad's max is v itself
          w -= ((lr / (1 - b1 ** t)) * m) / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps);
        }
        return w;
      });
      expectClose(await p.data(), want, 'AdamW', { rtol: 1e-4, atol: 1e-6 });
    });
  }

  it('clipGradNorm_ over chunked gradients', async () => {
    const p = new sg.nn.Parameter(toTensor(p0));
    p.grad = toTensor(g0);
    const norm = Math.sqrt(g0.data.reduce((s, v) => s + v * v, 0));
    const total = sg.nn.utils.clipGradNorm_([p], 1);
    expectClose(await total.data(), [norm], 'norm');
    expectClose(
      await p.grad.data(),
      map(g0.data, (v) => v / (norm + 1e-6)),
      'clipped',
    );
  });
});
