// pow with a tensor exponent (`torch.pow(x, e)`, broadcast), forward and both gradients,
// against the float64 reference (test/ref/elementwise.ts, checked by central differences).
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { checkOp, randomNd, levelsNd } from './helpers.js';
import { nd } from './ref/ndarray.js';
import { powTensorRef } from './ref/elementwise.js';

beforeAll(async () => {
  await sg.init();
});

const SHAPE_PAIRS: Array<[number[], number[]]> = [
  [[7], [7]],
  [[3, 5], [5]],
  [
    [4, 1, 3],
    [1, 6, 1],
  ],
  [
    [33, 17],
    [33, 1],
  ],
  [[2, 3, 4, 5], []],
  [[], [5, 3]],
  [[300, 257], [257]],
];

describe('pow with a tensor exponent', () => {
  it(`forward and both gradients on ${SHAPE_PAIRS.length} shape pairs (broadcast, odd sizes)`, async () => {
    for (const [i, [sx, se]] of SHAPE_PAIRS.entries()) {
      // Positive bases (the exponent's gradient needs log x), exponents of either sign.
      const x = randomNd(sx, 10 + i, 0.3, 2);
      const e = randomNd(se, 40 + i, -2, 2.5);
      await checkOp(`pow [${sx}] [${se}]`, [x, e], (a, b) => sg.pow(a, b), powTensorRef);
      await checkOp(`x.pow(e) [${sx}] [${se}]`, [x, e], (a, b) => a.pow(b), powTensorRef);
    }
  });

  it('negative bases with integer exponents are real (the base gradient too)', async () => {
    const x = levelsNd([5, 6], 3, [-2, -1.5, -0.5, 0.5, 1.5]);
    const e = levelsNd([6], 4, [-2, -1, 1, 2, 3]);
    await checkOp('pow, negative bases', [x, e], sg.pow, powTensorRef, { differentiable: [0] });
  });

  it('a number base: sg.pow(2, e), as torch.pow(2, e)', async () => {
    const e = randomNd([4, 9], 5, -3, 3);
    await checkOp('pow(2, e)', [nd([], [2]), e], (_, t) => sg.pow(2, t), powTensorRef, { differentiable: [1] });
  });

  it('special values as PyTorch 1.13 gives them (forward and gradients)', async () => {
    // torch.pow(x, e) and its gradients for a ones upstream, recorded with PyTorch 1.13.
    const x = sg.tensor([0, 0, 0, 2, -2, -2, 3], { requiresGrad: true });
    const e = sg.tensor([2, 0, -1, 1.5, 2, 0.5, 0], { requiresGrad: true });
    const y = sg.pow(x, e);
    y.sum().backward();
    const close = (got: ArrayLike<number>, want: number[]) =>
      want.forEach((w, i) => (Number.isNaN(w) ? expect(got[i]).toBeNaN() : expect(got[i]).toBeCloseTo(w, 4)));
    close(await y.data(), [0, 1, Infinity, 2.8284, 4, NaN, 1]);
    close(await x.grad!.data(), [0, 0, -Infinity, 2.1213, -4, NaN, 0]);
    close(await e.grad!.data(), [0, 0, -Infinity, 1.9605, NaN, NaN, 1.0986]);
    for (const t of [x, e, y, x.grad!, e.grad!]) t.dispose();
  });

  it('refuses int32 operands, mismatched shapes and two numbers, before any GPU work', () => {
    const before = sg.memory().liveTensors;
    const i = sg.tensor([1, 2], { dtype: 'int32' });
    const f = sg.tensor([1, 2, 3]);
    const g = sg.ones([2]);
    expect(() => sg.pow(i, i)).toThrow(/pow: expected a float32 tensor/);
    expect(() => sg.pow(f, g)).toThrow(/pow: shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => sg.pow(2, 3)).toThrow(/pow: at least one operand must be a tensor/);
    for (const t of [i, f, g]) t.dispose();
    expect(sg.memory().liveTensors).toBe(before);
  });
});
