// Comparisons, where, and casts against float64 references.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { zipWith } from './ref/ndarray.js';
import { checkOp, expectClose, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

const OPS: Record<string, [(a: sg.Tensor, b: sg.Tensor | number) => sg.Tensor, (x: number, y: number) => boolean]> = {
  eq: [sg.eq, (x, y) => x === y],
  ne: [sg.ne, (x, y) => x !== y],
  lt: [sg.lt, (x, y) => x < y],
  le: [sg.le, (x, y) => x <= y],
  gt: [sg.gt, (x, y) => x > y],
  ge: [sg.ge, (x, y) => x >= y],
};

describe('comparisons', () => {
  for (const [name, [op, f]] of Object.entries(OPS)) {
    it(`${name} on floats with broadcasting and ties, and on int32`, async () => {
      // Values on a coarse grid so that equal elements occur.
      const a = randomNd([5, 1, 7], 1, -2, 2);
      const b = randomNd([3, 7], 2, -2, 2);
      a.data = a.data.map(Math.round);
      b.data = b.data.map(Math.round);
      await checkOp(name, [a, b], op, (x, y) => zipWith((u, v) => (f(u, v) ? 1 : 0), x, y), { differentiable: [] });
      const ia = sg.tensor([1, 2, 3], { dtype: 'int32' });
      const out = op(ia, sg.tensor([2, 2, 2], { dtype: 'int32' }));
      expect(out.dtype).toBe('float32');
      expect(await out.toArray()).toEqual([1, 2, 3].map((v) => (f(v, 2) ? 1 : 0)));
      expect(await op(ia, 2).toArray()).toEqual([1, 2, 3].map((v) => (f(v, 2) ? 1 : 0)));
    });
  }

  it('accuracy the PyTorch way: (pred == y).float().mean()', async () => {
    const pred = sg.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]).argmax(1);
    const y = sg.tensor([1, 1, 1], { dtype: 'int32' });
    expect(await pred.eq(y).float().mean().item()).toBeCloseTo(2 / 3, 6);
  });
});

describe('where', () => {
  it('selects with broadcasting; gradients go to the chosen branch', async () => {
    const cond = randomNd([4, 1], 3, -1, 1);
    cond.data = cond.data.map((v) => (v > 0 ? 1 : 0));
    const a = randomNd([4, 5], 4);
    const b = randomNd([5], 5);
    await checkOp('where', [cond, a, b], (c, x, y) => sg.where(c, x, y), (c, x, y) => zipWith((cv, xv, yv) => (cv !== 0 ? xv : yv), c, x, y), { differentiable: [1, 2] });
  });

  it('accepts numbers for either branch', async () => {
    const x = sg.tensor([-2, 3, -1, 4], { requiresGrad: true });
    const clipped = sg.where(x.gt(0), x, 0);
    expect(await clipped.toArray()).toEqual([0, 3, 0, 4]);
    clipped.sum().backward();
    expect(await x.grad!.toArray()).toEqual([0, 1, 0, 1]);
    expect(await sg.where(x.gt(0), 1, -1).toArray()).toEqual([-1, 1, -1, 1]);
  });
});

describe('casts', () => {
  it('.int() truncates toward zero, .float() converts back', async () => {
    const x = sg.tensor([-2.7, -0.5, 0, 0.5, 2.7, 1e6]);
    const i = x.int();
    expect(i.dtype).toBe('int32');
    expect(await i.toArray()).toEqual([-2, 0, 0, 0, 2, 1000000]);
    expect(await i.float().toArray()).toEqual([-2, 0, 0, 0, 2, 1000000]);
    expectClose(await toTensor(randomNd([33], 6)).int().float().data(), randomNd([33], 6).data.map(Math.trunc), 'round trip');
  });
});

describe('cast to the same dtype', () => {
  it('keeps the graph', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    x.float().mul(3).sum().backward();
    expect(await x.grad!.toArray()).toEqual([3, 3]);
  });
});
