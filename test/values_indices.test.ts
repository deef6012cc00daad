// max(dim) / min(dim) return PyTorch's (values, indices) pair: destructuring both ways, [0]/[1],
// keepdim, NaN, ties, the gradient through the values, tidy and dispose; max() stays a tensor and
// max(a, b) is maximum, as torch.max's three forms.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { argmaxRef, argminRef, maxRef, minRef } from './ref/reduce.js';
import { expectTensorClose, expectTensorEqual, levelsNd, poisonPool, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

describe('max(dim) and min(dim): (values, indices)', () => {
  it('values and int32 indices against the float64 reference, odd shapes, every dim, keepdim both ways', async () => {
    const cases: [number[], number][] = [
      [[7], 0],
      [[33, 5], 1],
      [[33, 5], -2],
      [[3, 130, 7], 1],
      [[4, 1, 6], -1],
    ];
    for (const [i, [shape, dim]] of cases.entries()) {
      for (const keepdim of [false, true]) {
        for (const x of [randomNd(shape, 40 + i), levelsNd(shape, 60 + i, [-1, 0, 2])]) {
          poisonPool();
          const t = toTensor(x);
          const what = `[${shape}] dim ${dim} keepdim ${keepdim}`;
          const [values, indices] = t.max(dim, keepdim);
          expect(indices.dtype).toBe('int32');
          await expectTensorClose(values, maxRef(dim, keepdim).forward(x), `max values ${what}`);
          await expectTensorEqual(indices, argmaxRef(x, dim, keepdim), `max indices ${what}`);
          const m = sg.min(t, dim, { keepdim });
          await expectTensorClose(m.values, minRef(dim, keepdim).forward(x), `min values ${what}`);
          await expectTensorEqual(m.indices, argminRef(x, dim, keepdim), `min indices ${what}`);
        }
      }
    }
  });

  it('destructures as an array and as an object, indexes as [0] and [1], length 2', () => {
    const x = sg.tensor([
      [1, 5, 2],
      [7, 0, 7],
    ]);
    const r = x.max(1);
    const [v, i] = r;
    const { values, indices } = r;
    expect([v, i]).toEqual([values, indices]);
    expect([r[0], r[1], r.length]).toEqual([values, indices, 2]);
    expect([...r]).toEqual([values, indices]);
    expect(r).toBeInstanceOf(sg.ValuesIndices);
    expect(String(r)).toBe(
      'ValuesIndices(values=Tensor(shape=[2], dtype=float32), indices=Tensor(shape=[2], dtype=int32))',
    );
  });

  it('NaN wins and its index is the first NaN; ties give the first index', async () => {
    const x = sg.tensor([
      [3, NaN, 1, NaN],
      [2, 9, 9, 0],
      [-Infinity, -Infinity, -Infinity, -Infinity],
    ]);
    const [v, i] = x.max(1);
    const got = Array.from(await v.data());
    expect([Number.isNaN(got[0]), got[1], got[2]]).toEqual([true, 9, -Infinity]);
    expect(await i.toArray()).toEqual([1, 1, 0]);
    const [vn, iv] = x.min(-1, true);
    expect(vn.shape).toEqual([3, 1]);
    expect(await iv.toArray()).toEqual([[1], [3], [0]]);
  });

  it('the gradient flows through the values to the selected element (first on ties)', async () => {
    const x = sg.tensor(
      [
        [3, 1, 3],
        [0, -2, -2],
      ],
      { requiresGrad: true },
    );
    const { values } = x.max(1);
    const { values: low } = x.min(1, true);
    values
      .mul(sg.tensor([1, 2]))
      .sum()
      .add(low.sum().mul(10))
      .backward();
    expect(await x.grad!.toArray()).toEqual([
      [1, 10, 0],
      [2, 10, 0],
    ]);
  });

  it('tidy keeps a returned pair, frees an unreturned index; dispose() frees both', () => {
    const x = sg.rand(4, 5);
    const before = sg.memory().liveTensors;
    const r = sg.tidy(() => x.mul(2).max(0));
    expect(sg.memory().liveTensors).toBe(before + 2);
    r.dispose();
    expect(sg.memory().liveTensors).toBe(before);
    const v = sg.tidy(() => x.max(1).values);
    expect(sg.memory().liveTensors).toBe(before + 1);
    v.dispose();
    expect(sg.memory().liveTensors).toBe(before);
  });
});

describe("torch.max's other forms", () => {
  it('max() and min() of all elements are 0-d tensors; amax/amin give values only', async () => {
    const x = sg.tensor([
      [1, 5],
      [-3, 2],
    ]);
    const m = x.max();
    expect(m).toBeInstanceOf(sg.Tensor);
    expect([m.shape, await m.item(), await sg.min(x).item()]).toEqual([[], 5, -3]);
    expect(await x.amax(0).toArray()).toEqual([1, 5]);
    expect(await sg.amin(x, 1, true).toArray()).toEqual([[1], [-3]]);
    expect(x.max(null).shape).toEqual([]);
  });

  it('max(a, b) and min(a, b) are maximum and minimum; keepdim with a tensor is an error', async () => {
    const a = sg.tensor([1, 5, -2]);
    const b = sg.tensor([[3], [0]]);
    expect(await a.max(b).toArray()).toEqual([
      [3, 5, 3],
      [1, 5, 0],
    ]);
    expect(await sg.min(a, b).toArray()).toEqual([
      [1, 3, -2],
      [0, 0, -2],
    ]);
    expect(() => (sg.max as (...a: unknown[]) => unknown)(a, b, true)).toThrow(/^max: keepdim has no meaning/);
    expect(() => a.max(1)).toThrow(/^max: dimension 1/);
  });
});
