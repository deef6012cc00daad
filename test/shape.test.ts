// Shape ops against float64 references (test/ref/shape.ts): views (reshape, view, flatten,
// unsqueeze, squeeze, contiguous), permute/transpose, expand/broadcastTo, slices with steps,
// negative indices and clamping, cat along any dim, split; gradients of each.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { nd } from './ref/ndarray.js';
import { catRef, expandRef, permuteRef, pythonSlice, reshapeRef, sliceRef, transposeRef } from './ref/shape.js';
import { checkOp, expectTensorEqual, intNd, poisonPool, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

describe('views', () => {
  it('reshape and view, with -1 inferred, share storage and pass gradients', async () => {
    const cases: Array<[number[], number[]]> = [
      [
        [2, 3, 4],
        [4, -1],
      ],
      [[2, 3, 4], [24]],
      [[2, 3, 4], [-1]],
      [
        [2, 3, 4],
        [3, 2, 2, 2],
      ],
      [[7], [7, 1]],
      [[], [1, 1]],
      [[1], []],
      [
        [33, 5],
        [5, 33],
      ],
      [
        [0, 3],
        [3, -1, 5],
      ],
    ];
    for (const [i, [from, to]] of cases.entries()) {
      const x = randomNd(from, 1 + i);
      await checkOp(
        `reshape [${from}] -> [${to}]`,
        [x],
        (t) => {
          const v = t.reshape(to);
          expect(v.buffer).toBe(t.buffer);
          return v;
        },
        reshapeRef(to),
      );
      await checkOp(`view [${from}] -> [${to}]`, [x], (t) => t.view(to), reshapeRef(to));
    }
  });

  it('flatten(startDim, endDim)', async () => {
    const x = randomNd([2, 3, 4, 5], 10);
    const cases: Array<[number | undefined, number | undefined, number[]]> = [
      [undefined, undefined, [120]],
      [1, undefined, [2, 60]],
      [0, 1, [6, 4, 5]],
      [-2, -1, [2, 3, 20]],
      [1, 2, [2, 12, 5]],
      [2, 2, [2, 3, 4, 5]],
    ];
    for (const [s, e, want] of cases) {
      await checkOp(`flatten(${s}, ${e})`, [x], (t) => t.flatten(s, e), reshapeRef(want));
    }
    await checkOp('flatten of 0-d', [nd([], [2])], (t) => t.flatten(), reshapeRef([1]));
  });

  it('unsqueeze at every position, squeeze all or one dim', async () => {
    const x = randomNd([3, 4], 11);
    const at: Record<number, number[]> = {
      [-3]: [1, 3, 4],
      [-2]: [3, 1, 4],
      [-1]: [3, 4, 1],
      0: [1, 3, 4],
      1: [3, 1, 4],
      2: [3, 4, 1],
    };
    for (const [d, want] of Object.entries(at)) {
      await checkOp(`unsqueeze(${d})`, [x], (t) => t.unsqueeze(Number(d)), reshapeRef(want));
    }
    await checkOp('unsqueeze(0) of 0-d', [nd([], [1])], (t) => t.unsqueeze(0), reshapeRef([1]));
    const y = randomNd([1, 5, 1, 2, 1], 12);
    await checkOp('squeeze()', [y], (t) => t.squeeze(), reshapeRef([5, 2]));
    await checkOp('squeeze(0)', [y], (t) => t.squeeze(0), reshapeRef([5, 1, 2, 1]));
    await checkOp('squeeze(-1)', [y], (t) => t.squeeze(-1), reshapeRef([1, 5, 1, 2]));
    await checkOp('squeeze(1) (size 5: unchanged)', [y], (t) => t.squeeze(1), reshapeRef([1, 5, 1, 2, 1]));
    await checkOp('squeeze() of all ones', [nd([1, 1], [3])], (t) => t.squeeze(), reshapeRef([]));
  });

  it('contiguous and detach are views', async () => {
    const x = randomNd([4, 6], 13);
    await checkOp(
      'contiguous',
      [x],
      (t) => {
        const c = t.contiguous();
        expect(c.buffer).toBe(t.buffer);
        return c;
      },
      reshapeRef([4, 6]),
    );
    const t = toTensor(x);
    expect(t.detach().buffer).toBe(t.buffer);
  });
});

/** Every permutation of [0, ..., n-1]. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

describe('permute and transpose', () => {
  it('all 24 permutations of a rank-4 tensor with odd sizes', async () => {
    const x = randomNd([2, 3, 1, 5], 20);
    for (const perm of permutations(4)) {
      await checkOp(`permute [${perm}]`, [x], (t) => t.permute(perm), permuteRef(perm));
    }
  });

  it('other ranks, negative dims, sizes around the workgroup size', async () => {
    const cases: Array<[number[], number[]]> = [
      [[7], [0]],
      [
        [3, 5],
        [1, 0],
      ],
      [
        [7, 1, 33],
        [1, 2, 0],
      ],
      [
        [17, 19],
        [-1, -2],
      ],
      [
        [2, 3, 2, 1, 5],
        [4, 2, 0, 3, 1],
      ],
      [
        [2, 1, 3, 2, 1, 2],
        [5, 0, 4, 1, 3, 2],
      ],
      [
        [257, 3],
        [1, 0],
      ],
      [[], []],
    ];
    for (const [i, [shape, perm]] of cases.entries()) {
      await checkOp(
        `permute [${shape}] [${perm}]`,
        [randomNd(shape, 30 + i)],
        (t) => t.permute(perm),
        permuteRef(perm),
      );
    }
  });

  it('transpose (any two dims, negative dims) and .T', async () => {
    const x = randomNd([3, 4, 5], 40);
    for (const [a, b] of [
      [0, 2],
      [2, 0],
      [1, 1],
      [-1, -2],
      [0, -1],
    ]) {
      await checkOp(`transpose(${a}, ${b})`, [x], (t) => t.transpose(a, b), transposeRef(3, a, b));
    }
    await checkOp('T', [randomNd([7, 33], 41)], (t) => t.T, transposeRef(2, 0, 1));
  });

  it('int32 tensors move through permutes unchanged', async () => {
    const x = intNd([3, 4, 5], 42, -100000, 100000);
    poisonPool();
    await expectTensorEqual(
      toTensor(x, { dtype: 'int32' }).permute([2, 0, 1]),
      permuteRef([2, 0, 1]).forward(x),
      'int32 permute',
    );
  });
});

describe('expand and broadcastTo', () => {
  it('size-1 dims repeated and leading dims added; the gradient sums back', async () => {
    const cases: Array<[number[], number[]]> = [
      [
        [3, 1],
        [3, 4],
      ],
      [
        [1, 5],
        [2, 4, 5],
      ],
      [[], [3, 2]],
      [[], []],
      [
        [2, 1, 3],
        [2, 7, 3],
      ],
      [[1], [300]],
      [[4], [2, 3, 4]],
      [
        [2, 3],
        [2, 3],
      ],
      [
        [1, 1, 2],
        [5, 1, 9, 2],
      ],
    ];
    for (const [i, [from, to]] of cases.entries()) {
      const x = randomNd(from, 50 + i);
      await checkOp(`expand [${from}] -> [${to}]`, [x], (t) => sg.expand(t, to), expandRef(to));
      await checkOp(`broadcastTo [${from}] -> [${to}]`, [x], (t) => sg.broadcastTo(t, to), expandRef(to));
    }
  });

  it('int32 expand', async () => {
    const x = intNd([3, 1], 59, -5, 5);
    poisonPool();
    await expectTensorEqual(
      sg.expand(toTensor(x, { dtype: 'int32' }), [2, 3, 4]),
      expandRef([2, 3, 4]).forward(x),
      'int32 expand',
    );
  });
});

describe('slice', () => {
  it('Python semantics: negative indices, steps, clamping, empty results; gradients', async () => {
    const x = randomNd([5, 7, 3], 60);
    const cases: Array<[number, number | undefined, number | undefined, number | undefined]> = [
      [0, 1, 4, 1],
      [1, 2, undefined, 1],
      [1, -3, -1, 1],
      [2, 0, 3, 2],
      [1, 0, 7, 3],
      [1, 1, 7, 4],
      [0, -100, 100, 1],
      [1, 5, 2, 1],
      [1, 7, 9, 1],
      [-1, 1, 2, 1],
      [-2, -1, undefined, 1],
      [0, undefined, undefined, 2],
      [1, -8, -6, 1],
      [0, 2, 2, 1],
      [1, undefined, -4, 5],
    ];
    for (const [dim, start, end, step] of cases) {
      await checkOp(
        `slice(${dim}, ${start}, ${end}, ${step})`,
        [x],
        (t) => t.slice(dim, start, end, step),
        sliceRef(dim, start, end, step),
      );
    }
  });

  it('long dims, steps that do not divide, int32', async () => {
    const x = randomNd([300, 2], 61);
    for (const [start, end, step] of [
      [0, 300, 7],
      [5, -5, 1],
      [-257, undefined, 3],
      [299, undefined, 1],
    ] as Array<[number, number | undefined, number]>) {
      await checkOp(
        `slice(0, ${start}, ${end}, ${step}) of [300, 2]`,
        [x],
        (t) => t.slice(0, start, end, step),
        sliceRef(0, start, end, step),
      );
    }
    const i = intNd([4, 9], 62, -50, 50);
    poisonPool();
    await expectTensorEqual(
      toTensor(i, { dtype: 'int32' }).slice(1, 1, undefined, 2),
      sliceRef(1, 1, undefined, 2).forward(i),
      'int32 slice',
    );
  });

  it('the reference slice agrees with Python on a few hand-checked cases', () => {
    expect(pythonSlice(7, -3, -1, 1)).toEqual([4, 5]);
    expect(pythonSlice(7, undefined, undefined, 3)).toEqual([0, 3, 6]);
    expect(pythonSlice(7, -100, 2, 1)).toEqual([0, 1]);
    expect(pythonSlice(7, 5, 2, 1)).toEqual([]);
    expect(pythonSlice(7, 1, 100, 4)).toEqual([1, 5]);
  });
});

describe('cat and split', () => {
  it('cat of 2, 3 and 4 tensors along every dim, sizes differing along it (one empty)', async () => {
    for (const count of [2, 3, 4]) {
      for (const dim of [0, 1, 2, -1, -3]) {
        const d = dim < 0 ? dim + 3 : dim;
        const extents = [2, 5, 0, 1].slice(0, count);
        const inputs = extents.map((n, i) =>
          randomNd(
            [3, 4, 2].map((v, k) => (k === d ? n : v)),
            70 + 10 * count + i,
          ),
        );
        await checkOp(`cat of ${count} along ${dim}`, inputs, (...ts) => sg.cat(ts, dim), catRef(dim));
      }
    }
  });

  it('1-D cat past the workgroup size; only inputs that require grad get one; int32', async () => {
    const a = randomNd([200], 80);
    const b = randomNd([130], 81);
    await checkOp('cat 1-D', [a, b], (...ts) => sg.cat(ts), catRef(0));
    await checkOp('cat with a frozen input', [a, b], (...ts) => sg.cat(ts), catRef(0), { differentiable: [1] });
    const ia = intNd([2, 3], 82, -9, 9);
    const ib = intNd([1, 3], 83, -9, 9);
    poisonPool();
    await expectTensorEqual(
      sg.cat([toTensor(ia, { dtype: 'int32' }), toTensor(ib, { dtype: 'int32' })]),
      catRef(0).forward(ia, ib),
      'int32 cat',
    );
  });

  it('split into pieces (the last one smaller) that match slices and cat back together', async () => {
    for (const [shape, size, dim] of [
      [[7, 2], 3, 0],
      [[4, 9], 4, 1],
      [[4, 9], 9, -1],
      [[6, 5], 2, 0],
      [[5], 10, 0],
    ] as Array<[number[], number, number]>) {
      const x = randomNd(shape, 90);
      const d = dim < 0 ? dim + shape.length : dim;
      poisonPool();
      const pieces = sg.split(toTensor(x), size, dim);
      expect(pieces.length).toBe(Math.ceil(shape[d] / size));
      for (const [i, p] of pieces.entries()) {
        await expectTensorEqual(
          p,
          sliceRef(d, i * size, (i + 1) * size).forward(x),
          `split [${shape}] ${size} ${dim} piece ${i}`,
        );
      }
      // Gradient through every piece: cat(split(x)) is the identity.
      await checkOp(
        `cat(split) [${shape}] ${size} ${dim}`,
        [x],
        (t) => sg.cat(sg.split(t, size, dim), dim),
        reshapeRef(shape),
      );
      // Through one piece only: zeros elsewhere.
      await checkOp(
        `split [${shape}] ${size} ${dim} piece 0`,
        [x],
        (t) => sg.split(t, size, dim)[0],
        sliceRef(d, 0, size),
      );
    }
  });
});
