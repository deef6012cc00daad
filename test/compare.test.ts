// Comparisons, where and casts against float64 references (test/ref/compare.ts): float32 and
// int32 operands, ties, broadcasting, numbers as operands; where with broadcasting of all three
// arguments, numbers as branches, and gradients to each branch; casts truncating toward zero.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { nd } from './ref/ndarray.js';
import { COMPARE_TESTS, compareRef, truncRef, whereRef } from './ref/compare.js';
import { checkOp, expectTensorEqual, intNd, levelsNd, poisonPool, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

const PAIRS: Array<[number[], number[]]> = [
  [[7], [7]],
  [
    [5, 1, 7],
    [3, 7],
  ],
  [[257], []],
  [[], [4, 2]],
  [
    [2, 1, 3, 1, 2],
    [1, 4, 2],
  ],
  [
    [33, 1],
    [1, 9],
  ],
];

describe('comparisons', () => {
  for (const [name, test] of Object.entries(COMPARE_TESTS)) {
    const op = sg[name as keyof typeof COMPARE_TESTS];
    it(`${name}: float32 and int32, with ties and broadcasting; a float32 mask`, async () => {
      for (const [i, [sa, sb]] of PAIRS.entries()) {
        // Few distinct levels, so that equal elements are common.
        const a = levelsNd(sa, 10 + i, [-1, -0.5, 0, 0.5, 1]);
        const b = levelsNd(sb, 20 + i, [-1, -0.5, 0, 0.5, 1]);
        const ref = { forward: compareRef(test), backward: () => [null, null] };
        await checkOp(`${name} [${sa}] [${sb}]`, [a, b], op, ref, { differentiable: [] });
        const ia = intNd(sa, 30 + i, -2, 2);
        const ib = intNd(sb, 40 + i, -2, 2);
        poisonPool();
        const out = op(toTensor(ia, { dtype: 'int32' }), toTensor(ib, { dtype: 'int32' }));
        expect(out.dtype).toBe('float32');
        await expectTensorEqual(out, compareRef(test)(ia, ib), `int32 ${name} [${sa}] [${sb}]`);
      }
    });

    it(`${name}: a number as the second operand`, async () => {
      const a = levelsNd([3, 5], 1, [-1, 0, 1, 2]);
      for (const c of [1, 0, -0.5]) {
        await expectTensorEqual(op(toTensor(a), c), compareRef(test)(a, nd([], [c])), `${name}(a, ${c})`);
      }
      const ia = intNd([9], 2, -3, 3);
      await expectTensorEqual(
        op(toTensor(ia, { dtype: 'int32' }), 1),
        compareRef(test)(ia, nd([], [1])),
        `int32 ${name}(a, 1)`,
      );
    });
  }

  it('an int32 tensor against a non-integer number is refused, not truncated (2 < 2.5 must not read 2 < 2)', () => {
    const ia = sg.tensor([1, 2, 3], { dtype: 'int32' });
    expect(() => ia.lt(2.5)).toThrow(
      'lt: the number 2.5 is not an integer, so it cannot be combined with [3] int32 (convert with .float())',
    );
    expect(() => ia.eq(NaN)).toThrow(/eq: the number NaN/);
  });

  it('comparisons are not differentiable', () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    expect(x.gt(1).requiresGrad).toBe(false);
    expect(x.gt(1).gradFn).toBeNull();
  });

  it('accuracy the PyTorch way: (pred == y).float().mean()', async () => {
    const pred = sg
      .tensor([
        [0.1, 0.9],
        [0.8, 0.2],
        [0.3, 0.7],
      ])
      .argmax(1);
    const y = sg.tensor([1, 1, 1], { dtype: 'int32' });
    expect(await pred.eq(y).float().mean().item()).toBeCloseTo(2 / 3, 6);
  });
});

describe('where', () => {
  const cond = (shape: number[], seed: number) => levelsNd(shape, seed, [0, 1]);

  it('forward and gradients to both branches, with broadcasting of all three arguments', async () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[7], [7], [7]],
      [[4, 1], [4, 5], [5]],
      [[5], [3, 1], [1, 5]],
      [[], [2, 3], [3]],
      [[2, 1, 3], [1, 4, 1], []],
      [[257], [257], [1]],
      [
        [3, 1, 1, 2],
        [1, 2, 1, 1],
        [1, 1, 5, 1],
      ],
    ];
    for (const [i, [sc, sa, sb]] of cases.entries()) {
      await checkOp(
        `where [${sc}] [${sa}] [${sb}]`,
        [cond(sc, 50 + i), randomNd(sa, 60 + i), randomNd(sb, 70 + i)],
        sg.where,
        whereRef,
        { differentiable: [1, 2] },
      );
    }
  });

  it('any nonzero condition counts as true', async () => {
    const c = nd([5], [0, 1, -2, 0.5, 0]);
    await checkOp('where with nonzero conditions', [c, randomNd([5], 1), randomNd([5], 2)], sg.where, whereRef, {
      differentiable: [1, 2],
    });
  });

  it('numbers for either branch or both', async () => {
    const c = cond([3, 4], 80);
    const x = randomNd([3, 4], 81);
    const k = nd([], [0.25]);
    await checkOp('where(c, x, 0.25)', [c, x, k], (ct, xt) => sg.where(ct, xt, 0.25), whereRef, {
      differentiable: [1],
    });
    await checkOp('where(c, 0.25, x)', [c, k, x], (ct, _, xt) => sg.where(ct, 0.25, xt), whereRef, {
      differentiable: [2],
    });
    await checkOp('where(c, 1, -1)', [c, nd([], [1]), nd([], [-1])], (ct) => sg.where(ct, 1, -1), whereRef, {
      differentiable: [],
    });
    // ReLU written with where: the gradient flows only where x > 0.
    const t = sg.tensor([-2, 3, -1, 4], { requiresGrad: true });
    const clipped = sg.where(t.gt(0), t, 0);
    expect(await clipped.toArray()).toEqual([0, 3, 0, 4]);
    clipped.sum().backward();
    expect(await t.grad!.toArray()).toEqual([0, 1, 0, 1]);
  });

  it('int32 branches', async () => {
    const c = cond([2, 5], 90);
    const a = intNd([2, 5], 91, -100, 100);
    const b = intNd([5], 92, -100, 100);
    poisonPool();
    const out = sg.where(toTensor(c), toTensor(a, { dtype: 'int32' }), toTensor(b, { dtype: 'int32' }));
    expect(out.dtype).toBe('int32');
    await expectTensorEqual(out, whereRef.forward(c, a, b), 'int32 where');
    await expectTensorEqual(
      sg.where(toTensor(c), toTensor(a, { dtype: 'int32' }), 7),
      whereRef.forward(c, a, nd([], [7])),
      'int32 where with 7',
    );
  });
});

describe('casts', () => {
  it('.int() truncates toward zero; .float() converts back', async () => {
    const x = nd([12], [-2.7, -2.5, -1, -0.5, -1e-7, 0, 0.5, 0.99999, 1, 2.5, 2.7, 1e6]);
    poisonPool();
    const i = toTensor(x).int();
    expect(i.dtype).toBe('int32');
    await expectTensorEqual(i, truncRef(x), '.int()');
    const r = randomNd([257], 1, -50, 50);
    await expectTensorEqual(toTensor(r).int(), truncRef(r), '.int() of random values');
    const back = i.float();
    expect(back.dtype).toBe('float32');
    await expectTensorEqual(back, truncRef(x), '.float() of int32');
  });

  it('int32 -> float32 rounds to the nearest float32 past 2^24', async () => {
    const big = nd([4], [16777216, 16777217, -16777219, 2147483647]);
    await expectTensorEqual(
      toTensor(big, { dtype: 'int32' }).float(),
      nd([4], big.data.map(Math.fround)),
      '.float() of large ints',
    );
  });

  it('casting to the same dtype keeps the values and the graph', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    x.float().mul(3).sum().backward();
    expect(await x.grad!.toArray()).toEqual([3, 3]);
    const i = sg.tensor([4, -5], { dtype: 'int32' });
    expect(await i.int().toArray()).toEqual([4, -5]);
    expect(i.int().dtype).toBe('int32');
  });

  it('a cast to int32 is not differentiable', () => {
    const x = sg.tensor([1.5], { requiresGrad: true });
    expect(x.int().requiresGrad).toBe(false);
  });
});
