// PyTorch habits that used to do something silently wrong, now as PyTorch or a clear error:
// x.sum([]) (every dim), softmax without a dim, where(x > 0, ...), a missing operand, x.T on
// n-D tensors (dims reversed), x.t(), x.numel(), x.dim().
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

describe('PyTorch habits', () => {
  it('sum([]) and mean([]) reduce every dim, as torch 1.13', async () => {
    const x = sg.arange(6).float().reshape(2, 3);
    expect(await x.sum([]).item()).toBe(15);
    expect(await x.mean([]).item()).toBe(2.5);
    expect(x.sum([], true).shape).toEqual([1, 1]);
  });

  it('x.T reverses the dims, x.t() transposes up to 2-D, numel() and dim()', async () => {
    const x = sg.arange(24).float().reshape(2, 3, 4);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(await x.T.slice(0, 1, 2).slice(1, 2, 3).toArray()).toEqual([[[9, 21]]]); // x[:, 2, 1]
    const m = sg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(await m.t().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(await m.T.toArray()).toEqual(await m.t().toArray());
    expect(sg.tensor([1, 2]).t().shape).toEqual([2]);
    expect(sg.tensor(3).T.shape).toEqual([]);
    expect(() => x.t()).toThrow('t: expects a tensor with <= 2 dimensions, but the tensor is 3-D');
    expect([x.numel(), x.dim()]).toEqual([24, 3]);
  });

  const errors: [string, () => unknown, RegExp][] = [
    [
      'softmax without dim',
      () => (sg.softmax as (x: sg.Tensor) => sg.Tensor)(sg.ones(2, 3)),
      /^softmax: missing argument 'dim'/,
    ],
    ['x.logSoftmax()', () => (sg.ones(2, 3).logSoftmax as () => sg.Tensor)(), /^log_softmax: missing argument 'dim'/],
    [
      'where(x > 0, x, 0)',
      () => sg.where(false as never, sg.ones(2), 0),
      /^where: argument 'condition' must be a Tensor .*got false/,
    ],
    ['x.add(undefined)', () => sg.ones(2).add(undefined as never), /^add: missing argument 'other'/],
    ['x.pow()', () => (sg.ones(2).pow as () => sg.Tensor)(), /^pow: missing argument 'exponent'/],
  ];
  it.each(errors)('%s is a clear error', (_, call, message) => {
    expect(call).toThrow(message);
  });
});
