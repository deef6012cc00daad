// Two launches of the transformer training step made cheaper: a Linear layer's bias (its
// gradient as the column sums ones @ g, sg.nn.functional.linear's `+ b`), and the merge of
// attention's heads (heads [B, H, S, Dh] -> [B, S, H Dh] with attention_heads.wgsl), each
// against a float64 reference on odd shapes, gradients included.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { addBias, columnSums } from '../src/ops/bias.js';
import { mergeHeads } from '../src/ops/attention_heads.js';
import { addBiasRef } from './ref/bias.js';
import { mergeHeadsRef } from './ref/attention.js';
import { checkOp, expectTensorClose, randomNd, toTensor } from './helpers.js';
import { nd } from './ref/ndarray.js';

beforeAll(async () => {
  await sg.init();
});

describe('addBias (x + b over the last dim; db by ones @ g)', () => {
  const shapes = [[3, 5], [2, 7, 9], [40, 12], [1, 33, 3], [130, 4], [17]];
  for (const shape of shapes) {
    it(`[${shape}]`, async () => {
      const n = shape[shape.length - 1];
      await checkOp(`add_bias [${shape}]`, [randomNd(shape, n), randomNd([n], n + 1)], addBias, addBiasRef());
    });
  }

  it('column sums of a large gradient (the product path) match the float64 sums', async () => {
    const g = randomNd([1024, 3072 / 4 + 3], 11);
    const n = g.shape[1];
    const want = nd([n]);
    for (let i = 0; i < g.data.length; i++) want.data[i % n] += g.data[i];
    const t = toTensor(g);
    const sums = columnSums(t);
    await expectTensorClose(sums, want, 'columnSums [1024, 771]', { rtol: 1e-4, atol: 1e-4 });
    t.dispose();
    sums.dispose();
  });

  it('refuses a bias that does not fit, before any GPU work', () => {
    const x = sg.zeros([2, 3]);
    const b = sg.zeros([4]);
    const before = sg.memory().liveTensors;
    expect(() => addBias(x, b)).toThrow('add_bias: bias [4] does not fit input [2, 3]');
    expect(sg.memory().liveTensors).toBe(before);
    x.dispose();
    b.dispose();
  });
});

describe('mergeHeads (heads side by side)', () => {
  const shapes = [
    [1, 1, 1, 1],
    [2, 3, 5, 4],
    [3, 12, 7, 5],
    [1, 2, 65, 8],
  ];
  for (const shape of shapes) {
    it(`[${shape}]`, async () => {
      await checkOp(`merge_heads [${shape}]`, [randomNd(shape, shape[2])], mergeHeads, mergeHeadsRef());
    });
  }

  it('refuses other ranks', () => {
    const x = sg.zeros([2, 3, 4]);
    expect(() => mergeHeads(x)).toThrow('merge_heads: expected heads [B, H, S, Dh], got [2, 3, 4]');
    x.dispose();
  });
});
