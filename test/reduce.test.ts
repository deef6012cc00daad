// Reductions against float64 references: whole tensor, single and multiple dims, keepdim,
// negative dims, the per-thread, one-pass and two-pass code paths, argmax ties, max gradients.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { coords, nd, reduceRef, size, type Nd } from './ref/ndarray.js';
import { checkOp, expectClose, expectTensorClose, poisonPool, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

const sumRef = (x: Nd, dims: number[], keepdim: boolean) => reduceRef(x, dims, (a, v) => a + v, 0, keepdim);
const allDims = (x: Nd) => x.shape.map((_, i) => i);
const norm = (d: number, rank: number) => (d < 0 ? d + rank : d);

const CASES: Array<[number[], number[] | undefined]> = [
  [[7], undefined],
  [[33, 5], [1]],
  [[33, 5], [0]],
  [[4, 130], [-1]],
  [[3, 4, 5], [0, 2]],
  [[3, 4, 5], [1]],
  [[2, 3, 4, 5], [1, 2]],
  [[2, 1, 6], [1]],
  [[5000], [0]],       // one workgroup pass
  [[40, 300], [0]],    // strided reduced dim, workgroup pass
  [[70000], undefined], // two passes (partials, then their sum)
];

describe('sum and mean', () => {
  for (const op of ['sum', 'mean'] as const) {
    for (const keepdim of [false, true]) {
      it(`${op} (keepdim ${keepdim})`, async () => {
        for (const [i, [shape, dims]] of CASES.entries()) {
          const x = randomNd(shape, 100 + i);
          const d = dims === undefined ? allDims(x) : dims.map((v) => norm(v, shape.length));
          const count = size(d.map((k) => shape[k]));
          const ref = (t: Nd) => {
            const s = sumRef(t, d, keepdim);
            if (dims === undefined && !keepdim) s.shape = [];
            return op === 'mean' ? { shape: s.shape, data: s.data.map((v) => v / count) } : s;
          };
          const gpu = (t: sg.Tensor) => (op === 'sum' ? t.sum(dims, { keepdim }) : t.mean(dims, { keepdim }));
          // Large sums accumulate float32 rounding: compare with an absolute tolerance scaled by sqrt(count).
          const atol = 1e-6 * Math.sqrt(count) * (op === 'sum' ? 1 : 1 / count) + 1e-6;
          await checkOp(`${op} ${JSON.stringify(shape)} dims ${dims}`, [x], gpu, ref, { atol, rtol: 1e-4 });
        }
      });
    }
  }

  it('int32 sums are exact', async () => {
    const x = sg.tensor([[1, 2, 3], [4, 5, 2000000]], { dtype: 'int32' });
    expect(await x.sum().item()).toBe(2000015);
    expect(await x.sum(1).toArray()).toEqual([6, 2000009]);
  });

  it('sumToShape undoes broadcasting', async () => {
    const x = randomNd([4, 3, 5], 7);
    const want = sumRef(x, [0, 2], true); // [1, 3, 1]
    await expectTensorClose(sg.sumToShape(toTensor(x), [3, 1]), { shape: [3, 1], data: want.data }, 'sumToShape');
  });

  it('empty reductions give the identity', async () => {
    expect(await sg.zeros([0]).sum().item()).toBe(0);
    expect(await sg.zeros([2, 0]).sum(1).toArray()).toEqual([0, 0]);
  });
});

describe('max and argmax', () => {
  /** Reference max along one dim (first index on ties), with its gradient routed to that index. */
  function maxRef(x: Nd, dim: number | undefined, keepdim: boolean): Nd {
    const dims = dim === undefined ? allDims(x) : [norm(dim, x.shape.length)];
    const r = reduceRef(x, dims, Math.max, -Infinity, keepdim);
    if (dim === undefined && !keepdim) r.shape = [];
    return r;
  }

  it('max forward and gradient, whole tensor and along each dim', async () => {
    for (const [i, [shape, dim]] of ([[[7], undefined], [[33, 5], 1], [[33, 5], 0], [[3, 4, 5], -1], [[3, 4, 5], 1], [[6, 300], 1], [[70000], 0]] as Array<[number[], number | undefined]>).entries()) {
      for (const keepdim of [false, true]) {
        const x = randomNd(shape, 200 + i); // distinct random values: no ties
        await checkOp(`max ${JSON.stringify(shape)} dim ${dim}`, [x], (t) => t.max(dim, { keepdim }), (t) => maxRef(t, dim, keepdim));
      }
    }
  });

  it('argmax returns the first maximal index, as torch.argmax', async () => {
    const x = sg.tensor([[1, 5, 5, 2], [7, 7, 7, 7], [-1, -3, -1, -2]]);
    expect(await x.argmax(1).toArray()).toEqual([1, 0, 0]);
    expect(await x.argmax(0).toArray()).toEqual([1, 1, 1, 1]);
    expect(await x.argmax().item()).toBe(4);
    expect(x.argmax(1).dtype).toBe('int32');
    expect(x.argmax(1, { keepdim: true }).shape).toEqual([3, 1]);
  });

  it('argmax against a reference on odd shapes', async () => {
    for (const [i, [shape, dim]] of ([[[33, 5], 1], [[3, 130, 7], 1], [[9], 0], [[4, 1, 6], -1]] as Array<[number[], number]>).entries()) {
      const x = randomNd(shape, 300 + i);
      const d = norm(dim, shape.length);
      const outShape = shape.filter((_, k) => k !== d);
      const want = nd(outShape);
      const best = new Float64Array(size(outShape)).fill(-Infinity);
      for (let j = 0; j < x.data.length; j++) {
        const c = coords(j, shape);
        const o = c.filter((_, k) => k !== d).reduce((acc, v, k) => acc * outShape[k] + v, 0);
        if (x.data[j] > best[o]) {
          best[o] = x.data[j];
          want.data[o] = c[d];
        }
      }
      poisonPool();
      expectClose(await toTensor(x).argmax(dim).data(), want.data, `argmax ${shape}`);
    }
  });

  it('max gradient on ties goes to the first maximal element', async () => {
    const x = sg.tensor([[3, 1, 3]], { requiresGrad: true });
    x.max(1).sum().backward();
    expect(await x.grad!.toArray()).toEqual([[1, 0, 0]]);
  });
});
