// Elementwise ops against float64 references (test/ref/elementwise.ts): broadcasting in every
// arrangement, numbers and 0-d tensors as operands, odd sizes around the workgroup size (256),
// int32 arithmetic, values exactly at the kinks, special values, in-place ops and clone.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { nd, zipWith } from './ref/ndarray.js';
import { BINARY_REFS, INT_BINARY_REFS, UNARY_REFS, cloneRef, powRef } from './ref/elementwise.js';
import {
  awayFrom,
  checkOp,
  expectClose,
  expectTensorEqual,
  intNd,
  levelsNd,
  poisonPool,
  poisonSize,
  randomNd,
  toTensor,
} from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

/** [shape of a, shape of b]: same shapes of odd sizes, then every way of broadcasting. */
const SHAPE_PAIRS: Array<[number[], number[]]> = [
  [[1], [1]],
  [[7], [7]],
  [[257], [257]], // one past the workgroup size
  [
    [33, 5],
    [33, 5],
  ],
  [[3, 4], [4]], // leading dim added to b
  [[4], [3, 4]], // leading dim added to a
  [
    [2, 3, 4],
    [3, 1],
  ], // leading and trailing broadcast on b
  [
    [6, 1, 5],
    [6, 4, 5],
  ], // middle size-1 dim in a
  [
    [5, 1, 7],
    [1, 6, 1],
  ], // both broadcast, alternating
  [[130], []], // 0-d tensor
  [[], [9, 2]],
  [[], []],
  [[1], [2, 3]],
  [
    [2, 1, 3, 1],
    [1, 4, 1, 5],
  ],
  [
    [2, 1, 3, 1, 2, 1],
    [1, 3, 1, 2, 1, 3],
  ], // rank 6: the shader's second vec4 of dims
  [
    [3, 1, 1, 2, 1, 1, 1, 2],
    [1, 2, 1, 1, 1, 3, 1, 1],
  ], // rank 8, the maximum
  [
    [40, 1],
    [1, 41],
  ],
];

describe('binary ops', () => {
  for (const [name, ref] of Object.entries(BINARY_REFS)) {
    const op = sg[name as keyof typeof BINARY_REFS];
    it(`${name}: forward and gradients on ${SHAPE_PAIRS.length} shape pairs`, async () => {
      for (const [i, [sa, sb]] of SHAPE_PAIRS.entries()) {
        const a = randomNd(sa, 10 + i);
        // Divisors away from 0. Continuous random values: no ties for maximum/minimum.
        const b = name === 'div' ? randomNd(sb, 40 + i, 0.5, 2) : randomNd(sb, 40 + i);
        await checkOp(`${name} [${sa}] [${sb}]`, [a, b], op, ref);
      }
    });

    it(`${name}: numbers as either operand`, async () => {
      const a = name === 'div' ? randomNd([3, 7], 1, 0.5, 2) : randomNd([3, 7], 1);
      for (const c of [2.5, -0.75, 0]) {
        if (name === 'div' && c === 0) continue;
        const k = nd([], [c]);
        // The number becomes a 0-d tensor inside the op; the reference sees it as one too.
        await checkOp(`${name}(a, ${c})`, [a, k], (t) => op(t, c), ref, { differentiable: [0] });
        await checkOp(`${name}(${c}, a)`, [k, a], (_, t) => op(c, t), ref, { differentiable: [1] });
      }
    });
  }

  it('ties in maximum and minimum split the gradient evenly (PyTorch)', async () => {
    // Few distinct levels: many exact ties. Central differences are meaningless at a tie, so the
    // reference states the convention and the GPU must follow it.
    for (const name of ['maximum', 'minimum'] as const) {
      const a = levelsNd([6, 5], 1, [-1, 0, 1]);
      const b = levelsNd([5], 2, [-1, 0, 1]);
      await checkOp(`${name} with ties`, [a, b], sg[name], BINARY_REFS[name], { fd: false });
    }
    const a = sg.tensor([1, 2, 3], { requiresGrad: true });
    const b = sg.tensor([1, 5, 0], { requiresGrad: true });
    sg.maximum(a, b).sum().backward();
    expect(await a.grad!.toArray()).toEqual([0.5, 0, 1]);
    expect(await b.grad!.toArray()).toEqual([0.5, 1, 0]);
  });

  it('int32 add, sub, mul, maximum, minimum are exact, with broadcasting and wrap-around', async () => {
    const pairs: Array<[number[], number[]]> = [
      [[7], [7]],
      [[33, 5], [5]],
      [
        [1, 4],
        [3, 1],
      ],
      [[257], []],
      [
        [2, 1, 3],
        [4, 1],
      ],
    ];
    for (const [name, f] of Object.entries(INT_BINARY_REFS)) {
      const op = sg[name as keyof typeof INT_BINARY_REFS];
      for (const [i, [sa, sb]] of pairs.entries()) {
        const a = intNd(sa, 60 + i, -1000, 1000);
        const b = intNd(sb, 70 + i, -1000, 1000);
        poisonPool();
        const out = op(toTensor(a, { dtype: 'int32' }), toTensor(b, { dtype: 'int32' }));
        expect(out.dtype).toBe('int32');
        await expectTensorEqual(out, zipWith(f, a, b), `int32 ${name} [${sa}] [${sb}]`);
      }
      // Large values: 100000 * 100000 and 2^31 - 1 + 1 wrap as two's complement.
      const big = nd([4], [100000, 2147483647, -2147483648, 123456789]);
      const other = nd([4], [100000, 1, -1, 987654321]);
      const out = op(toTensor(big, { dtype: 'int32' }), toTensor(other, { dtype: 'int32' }));
      await expectTensorEqual(out, zipWith(f, big, other), `int32 ${name} overflow`);
      // A number operand becomes an int32 scalar.
      await expectTensorEqual(
        op(toTensor(big, { dtype: 'int32' }), 3),
        zipWith(f, big, nd([], [3])),
        `int32 ${name} with 3`,
      );
    }
  });
});

/** Each unary op's input range, away from where it is undefined. */
const UNARY_RANGES: Record<keyof typeof UNARY_REFS, [number, number]> = {
  neg: [-2, 2],
  exp: [-4, 4],
  log: [0.05, 5],
  sqrt: [0.05, 5],
  abs: [-2, 2],
  relu: [-2, 2],
  sigmoid: [-8, 8],
  tanh: [-4, 4],
};

const UNARY_SHAPES = [[], [1], [7], [33, 3], [255], [256], [257], [2, 130], [5, 1, 4]];

describe('unary ops', () => {
  for (const [name, ref] of Object.entries(UNARY_REFS)) {
    const op = sg[name as keyof typeof UNARY_REFS];
    const [lo, hi] = UNARY_RANGES[name as keyof typeof UNARY_REFS];
    it(`${name}: forward and gradient on odd shapes`, async () => {
      for (const [i, shape] of UNARY_SHAPES.entries()) {
        // Keep central differences away from the kinks of abs and relu (tested exactly below).
        const x = awayFrom(randomNd(shape, 100 + i, lo, hi), [0], 1e-3);
        await checkOp(`${name} [${shape}]`, [x], op, ref);
      }
    });
  }

  it('relu and abs have gradient 0 at exactly 0 (PyTorch); values at and around the kinks', async () => {
    const x = nd([9], [-2, -1e-3, -1e-30, -0, 0, 1e-30, 1e-3, 2, 0]);
    await checkOp('relu at 0', [x], sg.relu, UNARY_REFS.relu, { fd: false });
    await checkOp('abs at 0', [x], sg.abs, UNARY_REFS.abs, { fd: false });
    const y = sg.tensor([-1, 0, 2], { requiresGrad: true });
    y.relu().sum().backward();
    expect(await y.grad!.toArray()).toEqual([0, 0, 1]);
    const z = sg.tensor([-1, 0, 2], { requiresGrad: true });
    z.abs().sum().backward();
    expect(await z.grad!.toArray()).toEqual([-1, 0, 1]);
  });

  it('special values: overflow, log and sqrt of 0 and of negatives, saturation', async () => {
    const x = nd([8], [-100, -20, -1, 0, 1, 20, 50, 100]);
    for (const name of ['exp', 'sigmoid', 'tanh', 'neg', 'abs', 'relu'] as const) {
      // float32 results: exp(-100) is subnormal and may flush to 0, within atol.
      await checkOp(`${name} at extremes`, [x], sg[name], UNARY_REFS[name], {
        differentiable: [],
        tol: { atol: 1e-30 },
      });
    }
    const y = nd([5], [-1, -0, 0, 1e-30, 4]);
    await checkOp('log at 0 and below', [y], sg.log, UNARY_REFS.log, {
      differentiable: [],
      tol: { rtol: 1e-4, atol: 0.01 },
    });
    await checkOp('sqrt at 0 and below', [y], sg.sqrt, UNARY_REFS.sqrt, { differentiable: [], tol: { atol: 1e-20 } });
  });

  it('pow: integer, fractional, zero and negative exponents, negative bases', async () => {
    const cases: Array<[number, number, number]> = [
      [2, -2, 2],
      [3, -2, 2],
      [4, -1.5, 1.5],
      [1, -2, 2],
      [0, -2, 2],
      [0.5, 0.05, 3],
      [1.7, 0.05, 2],
      [-1, -2, 2],
      [-2, -2, 2],
      [-0.5, 0.1, 3],
    ];
    for (const [i, [e, lo, hi]] of cases.entries()) {
      // Negative exponents have a pole at 0.
      const x = awayFrom(randomNd([3, 11], 200 + i, lo, hi), [0], e < 0 ? 0.3 : 1e-3);
      await checkOp(`pow ${e}`, [x], (t) => sg.pow(t, e), powRef(e));
    }
  });

  it('pow: negative bases with non-integer exponents are NaN; 0 to any power', async () => {
    const x = nd([4], [-2, -0.5, 0.5, 2]);
    await checkOp('pow(negative, 0.5)', [x], (t) => t.pow(0.5), powRef(0.5), { differentiable: [] });
    await checkOp('pow(negative, 1.5)', [x], (t) => t.pow(1.5), powRef(1.5), { differentiable: [] });
    expect(await sg.tensor([-2, -3]).pow(3).toArray()).toEqual([-8, -27]);
    expectClose(await sg.tensor([-2, -3]).pow(-1).data(), [-0.5, -1 / 3], 'pow(negative, -1)');
    // 0 ** e: 0 for e > 0, 1 for e = 0, inf for e < 0; the gradient is e * 0 ** (e - 1).
    for (const e of [3, 2, 1, 0.5, 0, -1, -0.5]) {
      await checkOp(`pow(0, ${e})`, [nd([2], [0, 0])], (t) => t.pow(e), powRef(e), { fd: false });
    }
  });

  it('int32 neg, abs, relu', async () => {
    const x = intNd([257], 5, -1000, 1000);
    poisonPool();
    for (const [name, f] of [
      ['neg', (v: number) => -v],
      ['abs', Math.abs],
      ['relu', (v: number) => Math.max(v, 0)],
    ] as const) {
      const out = sg[name](toTensor(x, { dtype: 'int32' }));
      expect(out.dtype).toBe('int32');
      await expectTensorEqual(out, zipWith(f, x), `int32 ${name}`);
    }
  });
});

describe('in-place ops and clone', () => {
  it('sub_, add_, mul_ with tensors (broadcast) and numbers, without autograd', async () => {
    const x = randomNd([4, 5], 1);
    const b = randomNd([5], 2);
    poisonPool();
    const p = toTensor(x, { requiresGrad: true });
    const buffer = p.buffer;
    const view = p.reshape([20]);
    p.sub_(toTensor(b));
    p.add_(0.5);
    p.mul_(toTensor(nd([4, 1], [1, -2, 3, 0.5])));
    p.mul_(2);
    const want = zipWith((v, bv, m) => (v - bv + 0.5) * m * 2, x, b, nd([4, 1], [1, -2, 3, 0.5]));
    expectClose(await p.data(), want.data, 'in-place chain');
    expect(p.buffer).toBe(buffer);
    expect(p.requiresGrad).toBe(true);
    expect(p.gradFn).toBeNull();
    // A view shares the storage, so it sees the update (as in PyTorch).
    expectClose(await view.data(), want.data, 'view after in-place');
  });

  it('in-place ops on int32, copy_, zero_', async () => {
    poisonPool();
    const i = sg.tensor([1, -2, 3], { dtype: 'int32' });
    i.add_(2)
      .mul_(sg.tensor([3, 3, -1], { dtype: 'int32' }))
      .sub_(1);
    expect(await i.toArray()).toEqual([8, -1, -6]);
    i.zero_();
    expect(await i.toArray()).toEqual([0, 0, 0]);
    const p = toTensor(randomNd([33], 3));
    const src = randomNd([33], 4);
    p.copy_(toTensor(src));
    expectClose(await p.data(), src.data, 'copy_');
    p.zero_();
    expect(Array.from(await p.data())).toEqual(new Array(33).fill(0));
  });

  it('in-place ops keep the shape: a result that would broadcast larger is an error', async () => {
    const p = sg.tensor([1, 2, 3]);
    expect(() => p.add_(sg.zeros([2, 3]))).toThrow(/in-place op: result shape \[2, 3\] does not match \[3\]/);
    expect(() => p.copy_(sg.tensor([1, 2]))).toThrow(/copy_: cannot copy \[2\] float32 into \[3\] float32/);
    expect(await p.toArray()).toEqual([1, 2, 3]);
  });

  it('clone: new storage, same values, identity gradient', async () => {
    for (const shape of [[], [7], [33, 9]]) {
      const x = randomNd(shape, 5);
      await checkOp(
        `clone [${shape}]`,
        [x],
        (t) => {
          const c = sg.clone(t);
          expect(c.buffer).not.toBe(t.buffer);
          return c;
        },
        cloneRef,
      );
    }
    const i = sg.tensor([5, 6], { dtype: 'int32' });
    expect(await sg.clone(i).toArray()).toEqual([5, 6]);
  });
});

describe('large tensors', () => {
  it('more than 65535 x 256 elements (2-D dispatch grid), plain and broadcast', async () => {
    const n = 65535 * 256 + 1000;
    poisonSize(n, 2);
    const x = sg.full([n], 1.5);
    const y = x.mul(2); // no broadcasting: the short path of binary_forward
    const z = y.add(sg.tensor([1])); // broadcasting: the index math
    const data = await z.data();
    expect(data.length).toBe(n);
    expect(data.every((v) => v === 4)).toBe(true);
    for (const t of [x, y, z]) t.dispose();
  });
});
