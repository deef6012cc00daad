// PyTorch's spellings of sizes in the factories: zeros(2, 3) as zeros([2, 3]), options last, and
// the bad mixes torch refuses; empty, zerosLike/onesLike with options; randint against an exact
// re-implementation of random.wgsl's integer draw, its range, histogram and errors.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { getRngState } from '../src/ops/create.js';
import { randintRef } from './ref/random.js';
import { poisonPool } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

describe('sizes as separate numbers', () => {
  it('zeros, ones, empty, rand, randn take (2, 3) as [2, 3], options last', async () => {
    const made = [
      sg.zeros(2, 3),
      sg.ones(2, 3),
      sg.empty(2, 3),
      sg.rand(2, 3),
      sg.randn(2, 3),
      sg.zeros([2, 3]),
      sg.zeros(2, 3, { dtype: 'int32' }),
      sg.ones(5, { requiresGrad: true }),
      sg.zeros([]),
      sg.zeros(0, 3),
      sg.rand(7),
    ];
    expect(made.map((t) => t.shape)).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
      [2, 3],
      [2, 3],
      [2, 3],
      [2, 3],
      [5],
      [],
      [0, 3],
      [7],
    ]);
    expect(made[6].dtype).toBe('int32');
    expect(made[7].requiresGrad).toBe(true);
    expect(await made[1].toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(await sg.ones(3, { dtype: 'int32' }).toArray()).toEqual([1, 1, 1]);
    expect(sg.empty(4, { dtype: 'int32' }).dtype).toBe('int32');
    for (const t of made) t.dispose();
  });

  it('zerosLike and onesLike take dtype and requiresGrad', async () => {
    const x = sg.rand(2, 3);
    const z = sg.zerosLike(x, { dtype: 'int32' });
    expect([z.shape, z.dtype]).toEqual([[2, 3], 'int32']);
    expect(await z.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(sg.onesLike(x, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(sg.onesLike(z).dtype).toBe('int32');
    expect(() => sg.zerosLike(x, { shape: [1] } as never)).toThrow(/^zerosLike: unknown option 'shape'/);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['zeros(2, [3])', () => sg.zeros(2, [3] as never), /^zeros: argument 'size' .* found \[3\] at position 2/],
    ['zeros(2.5)', () => sg.zeros(2.5), /^zeros: argument 'size' .* found 2.5 at position 1/],
    [
      'zeros(-1)',
      () => sg.zeros(-1),
      /^zeros: trying to create a tensor with negative dimension -1 \(dimension 0\): \[-1\]/,
    ],
    [
      'ones(2, -3)',
      () => sg.ones(2, -3),
      /^ones: trying to create a tensor with negative dimension -3 \(dimension 1\): \[2, -3\]/,
    ],
    ['zeros()', () => (sg.zeros as () => sg.Tensor)(), /^zeros: missing argument 'size'/],
    ['zeros([2], 3)', () => sg.zeros([2], 3 as never), /^zeros: after a list of sizes only an options object/],
    ['zeros([2], {}, {})', () => (sg.zeros as (...a: unknown[]) => sg.Tensor)([2], {}, {}), /^zeros: after a list/],
    ['rand(2, "3")', () => sg.rand(2, '3' as never), /^rand: argument 'size' .* found "3" at position 2/],
    ['randn(NaN)', () => sg.randn(NaN), /^randn: argument 'size' .* found NaN/],
    ['empty(2, {dtype: "int64"})', () => sg.empty(2, { dtype: 'int64' as never }), /^empty: option 'dtype' must be/],
    ['zeros(2, {shape: [3]})', () => sg.zeros(2, { shape: [3] }), /^zeros: unknown option 'shape'/],
    ['zeros(2, {dtyp: "int32"})', () => sg.zeros(2, { dtyp: 'int32' } as never), /^zeros: unknown option 'dtyp'/],
    ['rand(2, {dtype: "int32"})', () => sg.rand(2, { dtype: 'int32' }), /^rand: int32 is not a floating dtype/],
    [
      'ones(2, {dtype: "int32", requiresGrad})',
      () => sg.ones(2, { dtype: 'int32', requiresGrad: true }),
      /^ones: only float32/,
    ],
  ];
  it.each(bad)('%s is a clear error, before any GPU work', (_, call, message) => {
    const before = sg.memory().liveTensors;
    expect(call).toThrow(message);
    expect(sg.memory().liveTensors).toBe(before);
  });
});

describe('randint', () => {
  it('draws low + (hash mod (high - low)) for each element, int32 by default', async () => {
    for (const [low, high, shape] of [
      [0, 10, [3, 7]],
      [-5, 6, [257]],
      [-(2 ** 31), 2 ** 31 - 1, [33]],
      [100, 101, [5]],
    ] as [number, number, number[]][]) {
      poisonPool(4 * 300);
      const { seed, stream } = getRngState();
      const t = low === 0 ? sg.randint(high, shape) : sg.randint(low, high, shape);
      expect([t.shape, t.dtype]).toEqual([shape, 'int32']);
      const n = shape.reduce((a, b) => a * b, 1);
      expect(Array.from(await t.data()), `randint(${low}, ${high}, [${shape}])`).toEqual(
        randintRef(seed, stream, n, low, high),
      );
      t.dispose();
    }
  });

  it('is uniform over [low, high), reproducible with manualSeed; float32 on request', async () => {
    sg.manualSeed(3);
    const a = await sg.randint(-3, 4, [7000]).data();
    const counts = new Array(7).fill(0);
    for (const v of a) counts[v + 3]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150); // ~5 sigma
    sg.manualSeed(3);
    expect(Array.from(await sg.randint(-3, 4, [7000]).data())).toEqual(Array.from(a));
    const f = sg.randint(0, 10, [6], { dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    for (const v of await f.data()) expect(Number.isInteger(v) && v >= 0 && v < 10).toBe(true);
    expect(sg.randint(0, 10, [2], { dtype: 'float32', requiresGrad: true }).requiresGrad).toBe(true);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['randint(5, 5, [2])', () => sg.randint(5, 5, [2]), /from=5 >= to=5/],
    ['randint(5, 3, [2])', () => sg.randint(5, 3, [2]), /from=5 >= to=3/],
    ['randint(2.5, [2])', () => sg.randint(2.5, [2]), /^randint: argument 'high' must be an integer, got 2.5/],
    ['randint(5, 2)', () => sg.randint(5, 2 as never), /^randint: expected \(high, size, options\?\)/],
    ['randint(0, 2 ** 32, [2])', () => sg.randint(0, 2 ** 32, [2]), /does not fit int32/],
    [
      'randint(5, [2], {requiresGrad})',
      () => sg.randint(5, [2], { requiresGrad: true }),
      /only float32 tensors can require/,
    ],
    ['randint(5, [2], {shape})', () => sg.randint(5, [2], { shape: [2] } as never), /unknown option 'shape'/],
    ['randint(5, [-2])', () => sg.randint(5, [-2]), /negative dimension -2/],
  ];
  it.each(bad)('%s is a clear error, before any GPU work', (_, call, message) => {
    const before = sg.memory().liveTensors;
    expect(call).toThrow(message);
    expect(sg.memory().liveTensors).toBe(before);
  });
});
