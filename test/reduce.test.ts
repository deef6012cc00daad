// Reductions against float64 references (test/ref/reduce.ts): whole tensor, one and several
// dims, keepdim, negative dims, 0-d and empty tensors, and each code path of reduce.wgsl:
// per-thread (K <= 64), one workgroup per output, two passes (K > 64 * 256), strided dims,
// and more than 65535 workgroups. argmax takes the first index on ties; so does max's gradient.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { nd, normDim, size } from './ref/ndarray.js';
import { argmaxRef, argminRef, maxRef, meanRef, minRef, sumRef } from './ref/reduce.js';
import {
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

/** [shape, dims (undefined: all)], with the reduce.wgsl path each one takes. */
const SUM_CASES: Array<[number[], number[] | undefined]> = [
  [[], undefined], // 0-d
  [[1], undefined],
  [[7], undefined], // per-thread
  [[33, 5], [1]],
  [[33, 5], [0]], // strided reduced dim
  [[33, 5], [-1]],
  [[4, 130], [-1]], // one workgroup per output
  [
    [3, 4, 5],
    [0, 2],
  ], // non-adjacent dims
  [
    [3, 4, 5],
    [-1, 0],
  ],
  [[3, 4, 5], [1]],
  [
    [2, 3, 4, 5],
    [1, 2],
  ], // adjacent dims merged
  [
    [2, 3, 4, 5],
    [0, 1, 2, 3],
  ],
  [[2, 1, 6], [1]], // reducing a size-1 dim
  [[5, 1, 7], [0]], // size-1 dim kept in between
  [
    [1, 1],
    [0, 1],
  ],
  [[600, 100], [1]], // M >= 512: one pass, one workgroup per output
  [[300, 40], [0]], // K = 300, strided: one workgroup pass
  [[40, 300], [0]], // K = 40: per-thread, strided
  [[5000], [0]], // two passes, second one per-thread (5 chunks)
  [[3000, 3], [0]], // two passes, strided
  [[17000, 2], [0]], // K > 64 * 256, strided
  [[70000], undefined], // two passes, second one with workgroups (69 chunks)
];

/** float32 rounding grows with the number of terms: atol scaled by sqrt(K) for sums of values in [-1, 1]. */
const sumTol = (k: number, mean: boolean) => ({
  rtol: 1e-4,
  atol: (1e-5 + 2e-7 * Math.sqrt(k) * (k > 64 ? 8 : 1)) / (mean ? k : 1),
});

describe('sum and mean', () => {
  for (const op of ['sum', 'mean'] as const) {
    for (const keepdim of [false, true]) {
      it(`${op} (keepdim ${keepdim}) on ${SUM_CASES.length} shapes`, async () => {
        for (const [i, [shape, dims]] of SUM_CASES.entries()) {
          const x = randomNd(shape, 100 + i);
          const k = dims === undefined ? size(shape) : size(dims.map((d) => shape[normDim(d, shape.length)]));
          const ref = op === 'sum' ? sumRef(dims, keepdim) : meanRef(dims, keepdim);
          const gpu = (t: sg.Tensor) => (op === 'sum' ? t.sum(dims, { keepdim }) : t.mean(dims, { keepdim }));
          await checkOp(`${op} [${shape}] dims ${dims}`, [x], gpu, ref, { tol: sumTol(k, op === 'mean') });
        }
      });
    }
  }

  it('a single dim given as a number, and a list with a repeated dim', async () => {
    const x = randomNd([6, 7], 1);
    await checkOp('sum(1)', [x], (t) => t.sum(1), sumRef([1]));
    await checkOp('mean(-2)', [x], (t) => t.mean(-2), meanRef([0]));
    await checkOp('sum([1, -1])', [x], (t) => t.sum([1, -1]), sumRef([1]));
  });

  it('dim 0 of a 0-d tensor (as PyTorch)', async () => {
    const x = nd([], [3.5]);
    await checkOp('sum(0) of 0-d', [x], (t) => t.sum(0), sumRef([0]));
    await checkOp('mean(0) of 0-d', [x], (t) => t.mean(0), meanRef([0]));
    await checkOp('mean(-1) of 0-d', [x], (t) => t.mean(-1), meanRef([-1]));
  });

  it('int32 sums are exact (no float32 on the way) on every path', async () => {
    // Values up to 2^20: float32 would lose the low bits once the sum passes 2^24.
    for (const [i, [shape, dims]] of (
      [
        [[7], undefined],
        [[33, 50], [1]],
        [[3, 900], [1]],
        [[5000], undefined],
        [[1000, 3], [0]],
      ] as Array<[number[], number[] | undefined]>
    ).entries()) {
      const x = intNd(shape, 10 + i, -(2 ** 20), 2 ** 20);
      poisonPool();
      const out = toTensor(x, { dtype: 'int32' }).sum(dims);
      expect(out.dtype).toBe('int32');
      await expectTensorEqual(out, sumRef(dims).forward(x), `int32 sum [${shape}] dims ${dims}`);
    }
  });

  it('empty tensors: sum is 0, mean is NaN (as PyTorch)', async () => {
    expect(await sg.zeros([0]).sum().item()).toBe(0);
    expect(await sg.zeros([2, 0]).sum(1).toArray()).toEqual([0, 0]);
    expect(sg.zeros([0, 3]).sum(0).shape).toEqual([3]);
    expect(await sg.zeros([0, 3]).sum(0).toArray()).toEqual([0, 0, 0]);
    expect(sg.zeros([0, 3]).sum(1).shape).toEqual([0]);
    expect(Number.isNaN(await sg.zeros([0]).mean().item())).toBe(true);
  });

  it('more than 65535 workgroups (one per output row, 2-D grid)', async () => {
    // M = 65600 rows of K = 65: the one-workgroup-per-output path with a folded grid.
    const [m, k] = [65600, 65];
    const rows = randomNd([m, k], 3);
    poisonSize(m, 3);
    const x = toTensor(rows);
    const got = await x.sum(1).data();
    const want = new Float64Array(m);
    for (let r = 0; r < m; r++) for (let c = 0; c < k; c++) want[r] += rows.data[r * k + c];
    expectClose(got, want, 'row sums', sumTol(k, false));
    x.dispose();
  });

  it('sumToShape undoes broadcasting', async () => {
    const x = randomNd([4, 3, 5], 7);
    await checkOp(
      'sumToShape [4, 3, 5] -> [3, 1]',
      [x],
      (t) => sg.sumToShape(t, [3, 1]),
      {
        forward: (t) => nd([3, 1], sumRef([0, 2], true).forward(t).data),
        backward: (g, t) => sumRef([0, 2], true).backward(g, t),
      },
      { differentiable: [] },
    );
    await checkOp('sumToShape [4, 3, 5] -> [5]', [x], (t) => sg.sumToShape(t, [5]), sumRef([0, 1]), {
      differentiable: [],
    });
  });
});

const MAX_CASES: Array<[number[], number | undefined]> = [
  [[], undefined],
  [[], 0],
  [[], -1],
  [[7], undefined],
  [[7], 0],
  [[33, 5], 1],
  [[33, 5], 0],
  [[3, 4, 5], -1],
  [[3, 4, 5], 1],
  [[2, 1, 6], 1],
  [[6, 300], 1], // one workgroup per output
  [[3000, 3], 0], // two passes, strided
  [[70000], undefined], // two passes
];

describe('max', () => {
  it(`forward and gradient on ${MAX_CASES.length} shapes, keepdim both ways`, async () => {
    for (const [i, [shape, dim]] of MAX_CASES.entries()) {
      for (const keepdim of [false, true]) {
        const x = randomNd(shape, 200 + i); // continuous values: no ties
        await checkOp(
          `max [${shape}] dim ${dim} keepdim ${keepdim}`,
          [x],
          (t) => t.amax(dim, { keepdim }),
          maxRef(dim, keepdim),
        );
      }
    }
  });

  it('ties: the gradient goes to the first maximal element only', async () => {
    for (const [i, [shape, dim]] of (
      [
        [[8, 9], 1],
        [[8, 9], 0],
        [[5, 4, 3], undefined],
        [[3, 100], 1],
      ] as Array<[number[], number | undefined]>
    ).entries()) {
      const x = levelsNd(shape, 300 + i, [-1, 0, 0.5, 1]);
      await checkOp(`max with ties [${shape}] dim ${dim}`, [x], (t) => t.amax(dim), maxRef(dim), { fd: false });
    }
    const x = sg.tensor([[3, 1, 3]], { requiresGrad: true });
    x.max(1).values.sum().backward();
    expect(await x.grad!.toArray()).toEqual([[1, 0, 0]]);
  });

  it('all-negative values and -inf (the identity must not leak in)', async () => {
    await checkOp(
      'max of negatives',
      [
        nd(
          [3, 70],
          new Array(210).fill(0).map((_, i) => -1000 - i),
        ),
      ],
      (t) => t.max(1).values,
      maxRef(1),
    );
    expect(await sg.tensor([-Infinity, -Infinity]).max().item()).toBe(-Infinity);
  });
});

describe('NaN', () => {
  it('max propagates NaN and argmax points at the first NaN, as PyTorch', async () => {
    const x = nd(
      [3, 70],
      Array.from({ length: 210 }, (_, i) => (i === 75 || i === 140 || i === 141 ? NaN : Math.sin(i))),
    );
    // Row 0: no NaN; row 1: NaN at 5; row 2: NaN at 0 and 1. Per-thread and workgroup paths.
    for (const [shape, dim] of [
      [[3, 70], 1],
      [[3, 70], undefined],
    ] as Array<[number[], number | undefined]>) {
      poisonPool();
      const t = toTensor(nd(shape, x.data));
      expectClose(
        await t.amax(dim).data(),
        dim === undefined ? [NaN] : [Math.max(...x.data.slice(0, 70)), NaN, NaN],
        `max with NaN, dim ${dim}`,
      );
      await expectTensorEqual(
        t.argmax(dim),
        dim === undefined
          ? nd([], [75])
          : nd([3], [x.data.slice(0, 70).indexOf(Math.max(...x.data.slice(0, 70))), 5, 0]),
        `argmax with NaN, dim ${dim}`,
      );
    }
    expect(await sg.tensor([1, NaN, 3]).argmax().item()).toBe(1);
    expect(Number.isNaN(await sg.tensor([1, NaN, 3]).max().item())).toBe(true);
  });
});

describe('argmax', () => {
  it('the first maximal index, on shapes with many ties, every dim, keepdim', async () => {
    const cases: Array<[number[], number | undefined]> = [
      [[7], undefined],
      [[7], 0],
      [[33, 5], 1],
      [[33, 5], 0],
      [[3, 130, 7], 1],
      [[4, 1, 6], -1],
      [[5, 4, 3], undefined],
      [[600, 3], 0],
      [[300], 0],
    ];
    for (const [i, [shape, dim]] of cases.entries()) {
      for (const keepdim of [false, true]) {
        for (const [kind, x] of [
          ['distinct', randomNd(shape, 400 + i)],
          ['ties', levelsNd(shape, 500 + i, [0, 1, 2])],
        ] as const) {
          poisonPool();
          const out = toTensor(x).argmax(dim, { keepdim });
          expect(out.dtype).toBe('int32');
          await expectTensorEqual(
            out,
            argmaxRef(x, dim, keepdim),
            `argmax [${shape}] dim ${dim} keepdim ${keepdim} (${kind})`,
          );
        }
      }
    }
  });

  it('small examples as torch.argmax', async () => {
    const x = sg.tensor([
      [1, 5, 5, 2],
      [7, 7, 7, 7],
      [-1, -3, -1, -2],
    ]);
    expect(await x.argmax(1).toArray()).toEqual([1, 0, 0]);
    expect(await x.argmax(0).toArray()).toEqual([1, 1, 1, 1]);
    expect(await x.argmax().item()).toBe(4);
    expect(x.argmax().shape).toEqual([]);
    expect(x.argmax(undefined, { keepdim: true }).shape).toEqual([1, 1]);
    expect(x.argmax(1, { keepdim: true }).shape).toEqual([3, 1]);
    expect(await sg.tensor(2.5).argmax().item()).toBe(0);
  });

  it('is not differentiable: the result does not require grad', () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    expect(x.argmax().requiresGrad).toBe(false);
  });
});

describe('min and argmin', () => {
  it(`min: forward and gradient on ${MAX_CASES.length} shapes, keepdim both ways (positional)`, async () => {
    for (const [i, [shape, dim]] of MAX_CASES.entries()) {
      for (const keepdim of [false, true]) {
        await checkOp(
          `min [${shape}] dim ${dim} keepdim ${keepdim}`,
          [randomNd(shape, 700 + i)],
          (t) => t.amin(dim, keepdim),
          minRef(dim, keepdim),
        );
      }
    }
  });

  it('min with ties: the gradient goes to the first minimal element only', async () => {
    const x = levelsNd([8, 9], 800, [-1, 0, 0.5, 1]);
    await checkOp('min with ties', [x], (t) => t.min(1).values, minRef(1), { fd: false });
    await checkOp('min with ties, dim 0', [x], (t) => sg.min(t, 0).values, minRef(0), { fd: false });
  });

  it('argmin: the first minimal index, with ties, every dim, keepdim', async () => {
    const cases: Array<[number[], number | undefined]> = [
      [[7], undefined],
      [[33, 5], 1],
      [[33, 5], 0],
      [[3, 130, 7], 1],
      [[4, 1, 6], -1],
      [[5, 4, 3], undefined],
    ];
    for (const [i, [shape, dim]] of cases.entries()) {
      for (const keepdim of [false, true]) {
        for (const x of [randomNd(shape, 900 + i), levelsNd(shape, 950 + i, [0, 1, 2])]) {
          poisonPool();
          const out = sg.argmin(toTensor(x), dim, keepdim);
          expect(out.dtype).toBe('int32');
          await expectTensorEqual(out, argminRef(x, dim, keepdim), `argmin [${shape}] dim ${dim} keepdim ${keepdim}`);
        }
      }
    }
  });

  it('NaN: min is NaN and argmin points at the first NaN, as PyTorch', async () => {
    const x = sg.tensor([
      [3, 1, 2],
      [3, NaN, -5],
      [NaN, NaN, 0],
    ]);
    expectClose(await x.min(1).values.data(), [1, NaN, NaN], 'min with NaN');
    expect(await x.min(1).indices.toArray()).toEqual([1, 1, 0]);
    expect(await x.argmin(1).toArray()).toEqual([1, 1, 0]);
    expect(await x.argmin().item()).toBe(4);
    expect(Number.isNaN(await x.min().item())).toBe(true);
  });
});

describe('empty tensors, as PyTorch', () => {
  it('sum is 0, mean is NaN; over a dim of size 0 the same per output', async () => {
    const e = sg.zeros([0]);
    expect(await e.sum().item()).toBe(0);
    expect(Number.isNaN(await e.mean().item())).toBe(true);
    const m = sg.zeros([0, 3]);
    expect(await m.sum(0).toArray()).toEqual([0, 0, 0]);
    expectClose(await m.mean(0).data(), [NaN, NaN, NaN], 'mean over a dim of size 0');
    expect(m.sum(1).shape).toEqual([0]);
    expect(m.sum(1, true).shape).toEqual([0, 1]);
  });

  it('max, min, argmax, argmin over no elements are errors naming the op; over a kept empty dim, empty', () => {
    const m = sg.zeros([0, 3]);
    for (const op of ['amax', 'amin', 'argmax', 'argmin'] as const) {
      const name = op.replace(/^a(max|min)$/, '$1');
      expect(() => m[op](), op).toThrow(new RegExp(`^${name}: cannot reduce over a dimension of size 0`));
      expect(() => m[op](0), op).toThrow(new RegExp(`^${name}: cannot reduce over a dimension of size 0`));
      expect(m[op](1).shape, op).toEqual([0]);
    }
    expect(() => m.max(0)).toThrow(/^max: cannot reduce over a dimension of size 0/);
    const { values, indices } = m.min(1);
    expect([values.shape, indices.shape, indices.dtype]).toEqual([[0], [0], 'int32']);
  });
});
