// Bad input gets a clear error, thrown before any GPU work, naming the op and the shapes.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

describe('errors', () => {
  it('shape mismatches name the op and both shapes', () => {
    const a = sg.zeros([2, 3]);
    const b = sg.zeros([4, 5]);
    expect(() => a.add(b)).toThrow('add: shapes [2, 3] and [4, 5] cannot be broadcast together (dimension 0: 2 vs 4)');
    expect(() => a.mul(b)).toThrow(/^mul: shapes \[2, 3\] and \[4, 5\]/);
    expect(() => sg.where(sg.zeros([3]), a, b)).toThrow(/where: shapes/);
    expect(() => a.eq(b)).toThrow(/eq: shapes/);
    expect(() => sg.cat([a, b], 0)).toThrow(/cat: shapes \[2, 3\] and \[4, 5\]/);
    expect(() => sg.matmul(a, b)).toThrow('matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)');
  });

  it('no GPU work is recorded before a shape error', () => {
    sg.flush();
    const before = sg.memory();
    expect(() => sg.zeros([2, 3]).add(sg.zeros([4]))).toThrow();
    // Only the two operands were made; no output tensor was allocated for the failed op.
    expect(sg.memory().liveTensors).toBe(before.liveTensors + 2);
  });

  it('dtypes an op does not accept', () => {
    const i = sg.tensor([1, 2], { dtype: 'int32' });
    expect(() => i.exp()).toThrow('exp: expected a float32 tensor, got [2] int32');
    expect(() => i.div(i)).toThrow(/div: expected a float32 tensor/);
    expect(() => i.add(sg.tensor([1, 2]))).toThrow(/add: dtypes differ/);
    expect(() => sg.matmul(i, i)).toThrow(/matmul: expected a float32 tensor/);
  });

  it('disposed tensors', async () => {
    const t = sg.zeros([2]);
    t.dispose();
    expect(() => t.add(1)).toThrow(/\[2\] float32 was disposed/);
    await expect(t.data()).rejects.toThrow(/disposed/);
  });

  it('invalid dims and reshapes', async () => {
    const t = sg.zeros([2, 3]);
    expect(() => t.sum(2)).toThrow('sum: dimension 2 is out of range for a tensor of rank 2');
    expect(() => t.transpose(0, 5)).toThrow(/transpose: dimension 5/);
    expect(() => t.reshape([4, 2])).toThrow('reshape: shape [4, 2] is invalid for a tensor of shape [2, 3] (6 elements)');
    expect(() => t.reshape([-1, -1])).toThrow(/only one dimension can be -1/);
    expect(() => t.permute([0, 0])).toThrow(/not a permutation/);
    expect(() => sg.expand(t, [3, 3])).toThrow(/expand: cannot expand \[2, 3\] to \[3, 3\]/);
    expect(() => t.slice(0, 0, 1, 0)).toThrow(/step must be a positive integer/);
    expect(() => sg.cat([], 0)).toThrow(/non-empty/);
    await expect(t.item()).rejects.toThrow(/one element/);
  });

  it('a rank above 8 is refused', () => {
    expect(() => sg.zeros([1, 1, 1, 1, 1, 1, 1, 1, 2]).add(1)).toThrow(/rank 9 exceed/);
  });
});
