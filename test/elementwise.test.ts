// Elementwise ops against float64 references: broadcasting in every arrangement, odd sizes,
// int32 arithmetic, values at the kinks, and gradients by central differences.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { nd, zipWith } from './ref/ndarray.js';
import { checkOp, expectClose, randomNd, toTensor, f32 } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

const SHAPE_PAIRS: Array<[number[], number[]]> = [
  [[7], [7]],
  [[33, 5], [33, 5]],
  [[3, 4], [4]],
  [[4], [3, 4]],
  [[2, 3, 4], [3, 1]],
  [[5, 1, 7], [1, 6, 1]],
  [[130], []],
  [[], [9, 2]],
  [[1], [2, 3]],
  [[2, 1, 3, 1], [1, 4, 1, 5]],
  [[300], [300]],
];

const BINARY: Record<string, [(a: sg.Tensor, b: sg.Tensor) => sg.Tensor, (x: number, y: number) => number]> = {
  add: [sg.add, (x, y) => x + y],
  sub: [sg.sub, (x, y) => x - y],
  mul: [sg.mul, (x, y) => x * y],
  div: [sg.div, (x, y) => x / y],
  maximum: [sg.maximum, Math.max],
  minimum: [sg.minimum, Math.min],
};

describe('binary ops with broadcasting', () => {
  for (const [name, [op, f]] of Object.entries(BINARY)) {
    it(`${name}: forward and gradients on ${SHAPE_PAIRS.length} shape pairs`, async () => {
      for (const [i, [sa, sb]] of SHAPE_PAIRS.entries()) {
        const a = randomNd(sa, 10 + i);
        // Divisors away from 0; distinct values so maximum/minimum have no ties.
        const b = name === 'div' ? randomNd(sb, 20 + i, 0.5, 2) : randomNd(sb, 20 + i, -0.9, 0.9);
        await checkOp(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [a, b], op, (x, y) => zipWith(f, x, y));
      }
    });
  }

  it('numbers as operands', async () => {
    const a = randomNd([3, 5], 1);
    expectClose(await sg.add(toTensor(a), 2).data(), a.data.map((v) => v + 2), 'a + 2');
    expectClose(await sg.sub(3, toTensor(a)).data(), a.data.map((v) => 3 - v), '3 - a');
    expectClose(await toTensor(a).mul(-1.5).data(), a.data.map((v) => v * -1.5), 'a * -1.5');
    expectClose(await sg.div(1, toTensor(randomNd([4], 2, 1, 2))).data(), randomNd([4], 2, 1, 2).data.map((v) => 1 / v), '1 / a');
    const x = toTensor(a, true);
    x.mul(3).add(1).sum().backward();
    expectClose(await x.grad!.data(), a.data.map(() => 3), 'd(3x + 1)/dx');
  });

  it('int32 add, sub, mul (exact)', async () => {
    const a = sg.tensor([[1, -2, 3], [40000, 5, -6]], { dtype: 'int32' });
    const b = sg.tensor([7, 8, -9], { dtype: 'int32' });
    expect(a.add(b).dtype).toBe('int32');
    expect(await a.add(b).toArray()).toEqual([[8, 6, -6], [40007, 13, -15]]);
    expect(await a.sub(b).toArray()).toEqual([[-6, -10, 12], [39993, -3, 3]]);
    expect(await a.mul(b).toArray()).toEqual([[7, -16, -27], [280000, 40, 54]]);
    expect(await a.add(1).toArray()).toEqual([[2, -1, 4], [40001, 6, -5]]);
  });

  it('ties in maximum split the gradient evenly, as PyTorch', async () => {
    const a = sg.tensor([1, 2, 3], { requiresGrad: true });
    const b = sg.tensor([1, 5, 0], { requiresGrad: true });
    sg.maximum(a, b).sum().backward();
    expect(await a.grad!.toArray()).toEqual([0.5, 0, 1]);
    expect(await b.grad!.toArray()).toEqual([0.5, 1, 0]);
  });
});

const UNARY: Record<string, [(x: sg.Tensor) => sg.Tensor, (v: number) => number, [number, number]]> = {
  neg: [sg.neg, (v) => -v, [-2, 2]],
  exp: [sg.exp, Math.exp, [-3, 3]],
  log: [sg.log, Math.log, [0.1, 5]],
  sqrt: [sg.sqrt, Math.sqrt, [0.1, 5]],
  abs: [sg.abs, Math.abs, [-2, 2]],
  relu: [sg.relu, (v) => Math.max(v, 0), [-2, 2]],
  sigmoid: [sg.sigmoid, (v) => 1 / (1 + Math.exp(-v)), [-6, 6]],
  tanh: [sg.tanh, Math.tanh, [-3, 3]],
};

describe('unary ops', () => {
  for (const [name, [op, f, [lo, hi]]] of Object.entries(UNARY)) {
    it(`${name}: forward and gradient on odd shapes`, async () => {
      for (const [i, shape] of [[1], [7], [33, 3], [2, 130], [5, 1, 4]].entries()) {
        // Keep |x| away from the kinks of abs and relu: central differences there are meaningless.
        const x = randomNd(shape, 40 + i, lo, hi);
        if (name === 'abs' || name === 'relu') x.data = x.data.map((v) => (Math.abs(v) < 0.01 ? 0.5 : v));
        await checkOp(`${name} ${JSON.stringify(shape)}`, [x], op, (t) => zipWith(f, t));
      }
    });
  }

  it('relu and abs have gradient 0 at exactly 0, as PyTorch', async () => {
    const x = sg.tensor([-1, 0, 2], { requiresGrad: true });
    x.relu().sum().backward();
    expect(await x.grad!.toArray()).toEqual([0, 0, 1]);
    const y = sg.tensor([-1, 0, 2], { requiresGrad: true });
    y.abs().sum().backward();
    expect(await y.grad!.toArray()).toEqual([-1, 0, 1]);
  });

  it('sigmoid stays finite for large inputs', async () => {
    const out = await sg.tensor([-100, -20, 0, 20, 100]).sigmoid().data();
    expectClose(out, [0, 1 / (1 + Math.exp(20)), 0.5, 1 / (1 + Math.exp(-20)), 1], 'sigmoid', 1e-4, 1e-7);
  });

  it('pow with integer, fractional, zero and negative exponents, including negative bases', async () => {
    for (const [e, lo, hi] of [[2, -2, 2], [3, -2, 2], [0.5, 0.1, 3], [-1, 0.5, 2], [1.7, 0.2, 2], [0, -1, 1], [4, -1.5, 1.5]]) {
      const x = randomNd([3, 11], 60 + e * 10, lo, hi);
      await checkOp(`pow ${e}`, [x], (t) => sg.pow(t, e), (t) => zipWith((v) => v ** e, t));
    }
    expect(Number.isNaN((await sg.pow(sg.tensor([-2]), 0.5).data())[0])).toBe(true);
    expect(await sg.pow(sg.tensor([-2, -3]), 3).toArray()).toEqual([-8, -27]);
  });

  it('int32 neg, abs, relu', async () => {
    const x = sg.tensor([-3, 0, 5], { dtype: 'int32' });
    expect(await x.neg().toArray()).toEqual([3, 0, -5]);
    expect(await x.abs().toArray()).toEqual([3, 0, 5]);
    expect(await x.relu().toArray()).toEqual([0, 0, 5]);
  });
});

describe('in-place ops and clone', () => {
  it('sub_, add_, mul_, copy_, zero_ change values without autograd', async () => {
    const p = sg.tensor([1, 2, 3], { requiresGrad: true });
    p.sub_(sg.tensor([0.5, 0.5, 0.5]));
    expect(await p.toArray()).toEqual([0.5, 1.5, 2.5]);
    p.add_(1);
    p.mul_(2);
    expect(await p.toArray()).toEqual([3, 5, 7]);
    expect(p.gradFn).toBeNull();
    p.copy_(sg.tensor([9, 8, 7]));
    expect(await p.toArray()).toEqual([9, 8, 7]);
    p.zero_();
    expect(await p.toArray()).toEqual([0, 0, 0]);
    expect(() => p.copy_(sg.tensor([1, 2]))).toThrow(/copy_/);
  });

  it('clone copies storage and passes gradients through', async () => {
    const x = toTensor(randomNd([4, 3], 5), true);
    const c = sg.clone(x);
    expect(c.buffer).not.toBe(x.buffer);
    c.mul(2).sum().backward();
    expectClose(await x.grad!.data(), new Array(12).fill(2), 'grad');
  });
});

describe('large tensors', () => {
  it('more than 65535 x 256 elements (2-D dispatch grid)', async () => {
    const n = 65535 * 256 + 1000;
    const x = sg.full([n], 1.5);
    const y = x.mul(2).add(1);
    const data = await y.data();
    expect(data[0]).toBe(4);
    expect(data[n - 1]).toBe(4);
    expect(data.every((v) => v === 4)).toBe(true);
    for (const t of [x, y]) t.dispose();
  });

  it('float32 inputs round-trip through tensor() exactly', async () => {
    const v = f32([0.1, -3.25, 1e-20, 3e38]);
    expect(Array.from(await sg.tensor(v).data())).toEqual(Array.from(v));
    expect(nd([2]).data.length).toBe(2);
  });
});
