// Shape ops against float64 references: views, permutes, expand, slices with steps and negative
// indices, concatenation along any dim; gradients by central differences.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { coords, flatIndex, nd, permuteRef, size, type Nd } from './ref/ndarray.js';
import { checkOp, expectClose, randomNd, toTensor } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

describe('views', () => {
  it('reshape / view with -1, flatten, unsqueeze, squeeze keep values and pass gradients', async () => {
    const x = randomNd([2, 3, 4], 1);
    const same = (shape: number[]) => (t: Nd) => ({ shape, data: t.data });
    await checkOp('reshape', [x], (t) => t.reshape([4, -1]), same([4, 6]));
    await checkOp('view', [x], (t) => t.view([24]), same([24]));
    await checkOp('flatten(1)', [x], (t) => t.flatten(1), same([2, 12]));
    await checkOp('flatten(0, 1)', [x], (t) => t.flatten(0, 1), same([6, 4]));
    await checkOp('unsqueeze(-1)', [x], (t) => t.unsqueeze(-1), same([2, 3, 4, 1]));
    await checkOp('unsqueeze(1)', [x], (t) => t.unsqueeze(1), same([2, 1, 3, 4]));
    const y = randomNd([1, 5, 1], 2);
    await checkOp('squeeze()', [y], (t) => t.squeeze(), same([5]));
    await checkOp('squeeze(0)', [y], (t) => t.squeeze(0), same([5, 1]));
    await checkOp('squeeze(1) (not size 1: no-op)', [y], (t) => t.squeeze(1), same([1, 5, 1]));
  });

  it('views share storage', () => {
    const x = sg.zeros([4, 6]);
    expect(x.reshape([24]).buffer).toBe(x.buffer);
    expect(x.contiguous().buffer).toBe(x.buffer);
    expect(x.detach().buffer).toBe(x.buffer);
  });
});

describe('permute and transpose', () => {
  it('against the reference, with gradients', async () => {
    const cases: Array<[number[], number[]]> = [[[3, 5], [1, 0]], [[2, 3, 4], [2, 0, 1]], [[7, 1, 33], [1, 2, 0]], [[2, 3, 4, 5], [3, 1, 0, 2]]];
    for (const [i, [shape, perm]] of cases.entries()) {
      await checkOp(`permute ${shape} ${perm}`, [randomNd(shape, 10 + i)], (t) => t.permute(perm), (t) => permuteRef(t, perm));
    }
    const x = randomNd([3, 4, 5], 20);
    await checkOp('transpose(0, 2)', [x], (t) => t.transpose(0, 2), (t) => permuteRef(t, [2, 1, 0]));
    await checkOp('transpose(-1, -2)', [x], (t) => t.transpose(-1, -2), (t) => permuteRef(t, [0, 2, 1]));
    await checkOp('T', [randomNd([7, 3], 21)], (t) => t.T, (t) => permuteRef(t, [1, 0]));
  });
});

describe('expand', () => {
  it('broadcasts size-1 and leading dims; the gradient sums back', async () => {
    const expandRef = (shape: number[]) => (t: Nd): Nd => {
      const out = nd(shape);
      const off = shape.length - t.shape.length;
      for (let i = 0; i < out.data.length; i++) {
        const c = coords(i, shape).slice(off).map((v, d) => (t.shape[d] === 1 ? 0 : v));
        out.data[i] = t.data[flatIndex(c, t.shape)];
      }
      return out;
    };
    for (const [i, [from, to]] of ([[[3, 1], [3, 4]], [[1, 5], [2, 4, 5]], [[], [3, 2]], [[2, 1, 3], [2, 7, 3]]] as Array<[number[], number[]]>).entries()) {
      await checkOp(`expand ${from} -> ${to}`, [randomNd(from, 30 + i)], (t) => sg.expand(t, to), expandRef(to));
    }
  });
});

describe('slice', () => {
  /** Python slice semantics along one dim. */
  function sliceRef(dim: number, start: number, end: number | undefined, step: number) {
    return (t: Nd): Nd => {
      const d = dim < 0 ? dim + t.shape.length : dim;
      const n = t.shape[d];
      const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
      const picked: number[] = [];
      for (let i = clamp(start); i < (end === undefined ? n : clamp(end)); i += step) picked.push(i);
      const shape = t.shape.map((v, k) => (k === d ? picked.length : v));
      const out = nd(shape);
      for (let i = 0; i < out.data.length; i++) {
        const c = coords(i, shape);
        c[d] = picked[c[d]];
        out.data[i] = t.data[flatIndex(c, t.shape)];
      }
      return out;
    };
  }

  it('with steps, negative indices and clamping, and gradients', async () => {
    const x = randomNd([5, 7, 3], 40);
    const cases: Array<[number, number, number | undefined, number]> = [
      [0, 1, 4, 1], [1, 2, undefined, 1], [1, -3, -1, 1], [2, 0, 3, 2], [1, 0, 7, 3], [0, -100, 100, 1], [1, 5, 2, 1], [-1, 1, 2, 1],
    ];
    for (const [dim, start, end, step] of cases) {
      await checkOp(`slice(${dim}, ${start}, ${end}, ${step})`, [x], (t) => t.slice(dim, start, end, step), sliceRef(dim, start, end, step));
    }
  });
});

describe('cat and split', () => {
  it('cat along each dim, with gradients to every input', async () => {
    for (const dim of [0, 1, 2, -1]) {
      const d = dim < 0 ? dim + 3 : dim;
      const shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]].map((s, i) => s.map((v, k) => (k === d ? v + i : v)));
      const inputs = shapes.map((s, i) => randomNd(s, 50 + i));
      const catRef = (...ts: Nd[]): Nd => {
        const total = ts.reduce((n, t) => n + t.shape[d], 0);
        const shape = ts[0].shape.map((v, k) => (k === d ? total : v));
        const out = nd(shape);
        for (let i = 0; i < out.data.length; i++) {
          const c = coords(i, shape);
          let j = 0;
          while (c[d] >= ts[j].shape[d]) c[d] -= ts[j++].shape[d];
          out.data[i] = ts[j].data[flatIndex(c, ts[j].shape)];
        }
        return out;
      };
      await checkOp(`cat dim ${dim}`, inputs, (...ts) => sg.cat(ts, dim), catRef);
    }
  });

  it('split into pieces that cat back together', async () => {
    const x = randomNd([7, 2], 60);
    const pieces = sg.split(toTensor(x), 3, 0);
    expect(pieces.map((p) => p.shape)).toEqual([[3, 2], [3, 2], [1, 2]]);
    expectClose(await sg.cat(pieces, 0).data(), x.data, 'split then cat');
  });

  it('int32 tensors move through shape ops unchanged', async () => {
    const x = sg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' });
    expect(await x.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(await x.slice(1, 1).toArray()).toEqual([[2, 3], [5, 6]]);
    expect(await sg.cat([x, x], 0).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
    expect(size([2, 3])).toBe(6);
  });
});
