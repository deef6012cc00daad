// Bad input gets a clear error that names the op and the shapes or dtypes involved, thrown
// before any GPU work: no tensor is allocated (and so no kernel recorded) for a failed call.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { liveTensorsAfter } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

/** `fn` throws `message`, having made no tensor (so no output buffer and no kernel launch). */
function expectEarlyError(fn: () => unknown, message: string | RegExp): void {
  let thrown: unknown = null;
  const made = liveTensorsAfter(() => {
    try {
      fn();
    } catch (e) {
      thrown = e;
    }
  });
  expect(thrown, `expected an error matching ${message}`).toBeInstanceOf(Error);
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
  expect(made, `tensors made before the error "${(thrown as Error).message}"`).toBe(0);
}

describe('shape mismatches', () => {
  const a = () => sg.zeros([2, 3]);
  const b = () => sg.zeros([4, 5]);

  it('binary ops and comparisons name the op and both shapes', () => {
    const x = a();
    const y = b();
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const) {
      expectEarlyError(
        () => sg[op](x, y),
        `${op}: shapes [2, 3] and [4, 5] cannot be broadcast together (dimension 0: 2 vs 4)`,
      );
    }
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      expectEarlyError(
        () => sg[op](x, y),
        `${op}: shapes [2, 3] and [4, 5] cannot be broadcast together (dimension 0: 2 vs 4)`,
      );
    }
    const [v4, u, w] = [sg.zeros([4]), sg.zeros([5, 1, 3]), sg.zeros([2, 2, 1])];
    expectEarlyError(() => x.add(v4), 'add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)');
    expectEarlyError(() => u.mul(w), /^mul: shapes \[5, 1, 3\] and \[2, 2, 1\]/);
  });

  it('where, including with number branches', () => {
    const x = a();
    const y = b();
    const [c3, c4] = [sg.zeros([3]), sg.zeros([4])];
    expectEarlyError(() => sg.where(c3, x, y), /^where: shapes \[2, 3\] and \[4, 5\]/);
    expectEarlyError(() => sg.where(c4, x, 0), /^where: shapes \[4\] and \[2, 3\]/);
    expectEarlyError(() => sg.where(c4, 1, x), /^where: shapes \[4\] and \[2, 3\]/);
  });

  it('cat, expand, sumToShape, in-place ops', () => {
    const x = a();
    const y = b();
    expectEarlyError(() => sg.cat([x, y], 0), 'cat: shapes [2, 3] and [4, 5] do not match except in dimension 0');
    const z = sg.zeros([2, 3, 1]);
    expectEarlyError(() => sg.cat([x, z], 0), /^cat: shapes \[2, 3\] and \[2, 3, 1\]/);
    expectEarlyError(() => sg.expand(x, [3, 3]), 'expand: cannot expand [2, 3] to [3, 3]');
    expectEarlyError(() => sg.expand(x, [3]), 'expand: cannot expand [2, 3] to [3]');
    expectEarlyError(() => sg.broadcastTo(x, [2, 4]), 'expand: cannot expand [2, 3] to [2, 4]');
    expectEarlyError(() => sg.sumToShape(x, [1, 2, 3]), /^sumToShape: cannot reduce \[2, 3\] to \[1, 2, 3\]/);
    expectEarlyError(() => x.copy_(y), 'copy_: cannot copy [4, 5] float32 into [2, 3] float32');
    expectEarlyError(() => x.add_(y), /^add: shapes \[2, 3\] and \[4, 5\]/);
  });
});

describe('dtypes', () => {
  const i = () => sg.tensor([1, 2], { dtype: 'int32' });

  it('float-only ops refuse int32 and say so', () => {
    const t = i();
    for (const op of ['exp', 'log', 'sqrt', 'sigmoid', 'tanh'] as const) {
      expectEarlyError(() => sg[op](t), `${op}: expected a float32 tensor, got [2] int32`);
    }
    expectEarlyError(() => t.pow(2), 'pow: expected a float32 tensor, got [2] int32');
    expectEarlyError(() => t.div(t), 'div: expected a float32 tensor, got [2] int32');
    expectEarlyError(() => t.div(2), 'div: expected a float32 tensor, got [2] int32');
    expectEarlyError(() => t.mean(), 'mean: expected a float32 tensor, got [2] int32');
    expectEarlyError(() => t.max(), 'max: expected a float32 tensor, got [2] int32');
    expectEarlyError(() => t.argmax(), 'argmax: expected a float32 tensor, got [2] int32');
    expectEarlyError(() => sg.where(t, 1, 0), 'where: expected a float32 tensor, got [2] int32');
  });

  it('mixed dtypes are refused, with a hint to convert', () => {
    const t = i();
    const f = sg.tensor([1, 2]);
    expectEarlyError(() => t.add(f), 'add: dtypes differ: [2] int32 and [2] float32 (convert with .float() or .int())');
    expectEarlyError(() => f.mul(t), /^mul: dtypes differ: \[2\] float32 and \[2\] int32/);
    expectEarlyError(() => t.lt(f), /^lt: dtypes differ/);
    expectEarlyError(() => sg.where(f, f, t), /^where: dtypes differ/);
    expectEarlyError(() => sg.cat([f, t]), 'cat: dtypes differ: [2] float32 and [2] int32');
    expectEarlyError(() => f.copy_(t), 'copy_: cannot copy [2] int32 into [2] float32');
  });

  it('int32 tensors take integer numbers only (no silent truncation of 1.5 to 1)', () => {
    const t = i();
    expectEarlyError(
      () => t.add(1.5),
      'add: the number 1.5 is not an integer, so it cannot be combined with [2] int32 (convert with .float())',
    );
    expectEarlyError(() => sg.sub(0.5, t), /^sub: the number 0\.5 is not an integer/);
    expectEarlyError(() => t.ge(2.5), /^ge: the number 2\.5 is not an integer/);
    const mask = sg.ones([2]);
    expectEarlyError(() => sg.where(mask, t, 0.5), /^where: the number 0\.5 is not an integer/);
  });

  it('gradients only for float32', () => {
    expect(() => sg.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(
      'tensor: only float32 tensors can require gradients, got int32',
    );
  });
});

describe('disposed tensors', () => {
  it('any use of a disposed tensor names it; disposing twice is harmless', async () => {
    const t = sg.zeros([2, 3]);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    const message = 'shadergrad: tensor [2, 3] float32 was disposed and cannot be used';
    expect(() => t.add(1)).toThrow(message);
    expect(() => t.exp()).toThrow(message);
    expect(() => t.sum()).toThrow(message);
    expect(() => t.reshape([6])).toThrow(message);
    expect(() => t.transpose(0, 1)).toThrow(message);
    expect(() => sg.cat([t, t])).toThrow(message);
    await expect(t.data()).rejects.toThrow(message);
    await expect(t.item()).rejects.toThrow(/one element|disposed/);
  });

  it('a view outlives its disposed base', async () => {
    const base = sg.tensor([1, 2, 3, 4]);
    const view = base.reshape([2, 2]);
    base.dispose();
    expect(await view.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => base.reshape([4])).toThrow(/disposed/);
  });
});

describe('dimensions and shapes', () => {
  const t = () => sg.zeros([2, 3]);

  it('out-of-range and non-integer dims name the op', () => {
    const x = t();
    expectEarlyError(() => x.sum(2), 'sum: dimension 2 is out of range for a tensor of rank 2');
    expectEarlyError(() => x.sum(-3), 'sum: dimension -3 is out of range for a tensor of rank 2');
    expectEarlyError(() => x.mean([0, 5]), 'mean: dimension 5 is out of range for a tensor of rank 2');
    expectEarlyError(() => x.sum(1.5), "sum: argument 'dim' must be an integer or a list of integers or null, got 1.5");
    expectEarlyError(() => x.max(2), /^max: dimension 2/);
    expectEarlyError(() => x.argmax(-3), /^argmax: dimension -3/);
    expectEarlyError(() => x.transpose(0, 5), /^transpose: dimension 5/);
    expectEarlyError(() => x.unsqueeze(3), /^unsqueeze: dimension 3 is out of range for a tensor of rank 3/);
    expectEarlyError(() => x.unsqueeze(-4), /^unsqueeze: dimension -4/);
    expectEarlyError(() => x.squeeze(2), /^squeeze: dimension 2/);
    expectEarlyError(() => x.flatten(0, 5), /^flatten: dimension 5/);
    expectEarlyError(() => x.flatten(1, 0), 'flatten: startDim 1 comes after endDim 0');
    expectEarlyError(() => x.slice(2), /^slice: dimension 2/);
    expectEarlyError(() => sg.cat([x, x], 2), /^cat: dimension 2/);
    expectEarlyError(() => sg.split(x, 1, -3), /^split: dimension -3/);
    const s = sg.tensor(1);
    expectEarlyError(() => s.sum(1), /^sum: dimension 1 is out of range for a tensor of rank 0/);
  });

  it('permutations must be permutations', () => {
    const x = t();
    expectEarlyError(() => x.permute([0, 0]), 'permute: [0, 0] is not a permutation of the 2 dimensions of [2, 3]');
    expectEarlyError(() => x.permute([1]), /^permute: \[1\] is not a permutation/);
    expectEarlyError(() => x.permute([0, 1, 2]), /^permute: dimension 2|^permute: \[0, 1, 2\]/);
  });

  it('reshape to a wrong size, two -1s, negative sizes', () => {
    const x = t();
    expectEarlyError(
      () => x.reshape([4, 2]),
      'reshape: shape [4, 2] is invalid for a tensor of shape [2, 3] (6 elements)',
    );
    expectEarlyError(() => x.view([7]), 'reshape: shape [7] is invalid for a tensor of shape [2, 3] (6 elements)');
    expectEarlyError(() => x.reshape([4, -1]), /^reshape: shape \[4, -1\] is invalid/);
    expectEarlyError(() => x.reshape([-1, -1]), 'reshape: only one dimension can be -1, got [-1, -1]');
    expectEarlyError(() => x.reshape([-2, -3]), /^reshape: shape \[-2, -3\] is invalid/);
    expectEarlyError(
      () => sg.zeros([2, -1]),
      'zeros: trying to create a tensor with negative dimension -1 (dimension 1): [2, -1]',
    );
    expectEarlyError(
      () => sg.zeros([1.5]),
      "zeros: argument 'size' must be a list of integers or integers, but found 1.5 at position 1",
    );
  });

  it('slice steps, split sizes, cat of nothing or of 0-d tensors', () => {
    const x = t();
    expectEarlyError(() => x.slice(0, 0, 1, 0), 'slice: step must be a positive integer, got 0');
    expectEarlyError(() => x.slice(0, 0, 1, -1), 'slice: step must be a positive integer, got -1');
    expectEarlyError(() => x.slice(0, 0, 1, 1.5), 'slice: step must be a positive integer, got 1.5');
    const s = sg.tensor(1);
    expectEarlyError(() => s.slice(0), 'slice: a 0-d tensor has no dimension to slice');
    expectEarlyError(() => sg.split(x, 0), 'split: size must be a positive integer, got 0');
    expectEarlyError(() => sg.split(x, -2, 1), 'split: size must be a positive integer, got -2');
    expectEarlyError(() => sg.cat([], 0), 'cat: expected a non-empty list of tensors');
    expectEarlyError(
      () => sg.cat([s, s]),
      'cat: zero-dimensional tensors cannot be concatenated (unsqueeze them first)',
    );
  });

  it('a rank above 8 works when dimensions merge, and is refused when they cannot', async () => {
    // Size-1 and contiguous dimensions merge before a kernel sees them.
    expect(await sg.ones([1, 1, 1, 1, 1, 1, 1, 1, 2]).add(1).toArray()).toEqual([[[[[[[[[2, 2]]]]]]]]]);
    // Broadcasting along every other dimension keeps all nine apart.
    const a = sg.zeros([2, 2, 2, 2, 2, 2, 2, 2, 2]);
    const b = sg.zeros([2, 1, 2, 1, 2, 1, 2, 1, 2]);
    expect(() => a.add(b)).toThrow('shadergrad: tensors of rank 9 exceed the maximum rank 8');
  });
});

describe('other misuse', () => {
  it('tensor() data that does not fit', () => {
    expect(() => sg.tensor([[1, 2], [3]])).toThrow('tensor: nested arrays are ragged (rows of different lengths)');
    expect(() => sg.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      'tensor: 3 values cannot have shape [2, 2] (4 elements)',
    );
  });

  it('item() of a tensor with several elements, reductions of empty tensors', async () => {
    await expect(sg.zeros([2]).item()).rejects.toThrow(
      'shadergrad: item() needs a tensor with one element, got shape [2]',
    );
    const [e0, e20] = [sg.zeros([0]), sg.zeros([2, 0])];
    expectEarlyError(() => e0.max(), /^max: cannot reduce over a dimension of size 0 \(input \[0\]\)/);
    expectEarlyError(() => e20.argmax(), /^argmax: cannot reduce over a dimension of size 0 \(input \[2, 0\]\)/);
  });

  it('two numbers, arange with step 0', () => {
    expectEarlyError(() => sg.add(1, 2), 'add: at least one operand must be a tensor');
    expectEarlyError(() => sg.arange(0, 5, 0), 'arange: step must be nonzero');
  });
});
