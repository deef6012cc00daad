// Factories and the random number generator: tensor() from every kind of data, zeros/ones/full
// on odd sizes into poisoned buffers, arange against a float64 reference (including int32 past
// 2^24), and rand/randn/uniform/normal: seeded reproducibility, ranges and statistics.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { nd } from './ref/ndarray.js';
import { arangeRef, lagCorrelation, moments, normalCdf } from './ref/create.js';
import { expectClose, expectTensorEqual, f32, poisonPool } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

describe('the test helpers', () => {
  it('poisonPool() makes unwritten elements read as NaN', async () => {
    for (const n of [1, 7, 33, 257, 5000, 65537]) {
      poisonPool(4 * n);
      const t = sg.Tensor.empty([n]);
      const data = await t.data();
      expect(data.every(Number.isNaN), `empty([${n}]) after poisoning`).toBe(true);
      t.dispose();
    }
  });
});

describe('tensor()', () => {
  it('from nested arrays, flat arrays with a shape, typed arrays and numbers', async () => {
    expect(
      sg.tensor([
        [1, 2],
        [3, 4],
      ]).shape,
    ).toEqual([2, 2]);
    expect(
      await sg
        .tensor([
          [[1], [2]],
          [[3], [4]],
        ])
        .toArray(),
    ).toEqual([
      [[1], [2]],
      [[3], [4]],
    ]);
    const scalar = sg.tensor(5);
    expect(scalar.shape).toEqual([]);
    expect(scalar.ndim).toBe(0);
    expect(await scalar.item()).toBe(5);
    expect(await scalar.toArray()).toBe(5);
    expect(await sg.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sg.tensor([]).shape).toEqual([0]);
    expect(await sg.tensor([]).toArray()).toEqual([]);
    const i = sg.tensor(new Int32Array([1, -2]));
    expect(i.dtype).toBe('int32');
    expect(await i.toArray()).toEqual([1, -2]);
    expect(await sg.tensor(new Uint8Array([0, 255])).toArray()).toEqual([0, 255]);
    expect(await sg.tensor([1.9, -1.9, 3], { dtype: 'int32' }).toArray()).toEqual([1, -1, 3]);
    expect(sg.tensor([1, 2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('float32 values round-trip exactly; float64 data is rounded to float32', async () => {
    const v = [0.1, -3.25, 1e-20, 3e38, -0, 1.5e-40, Infinity, -Infinity];
    const got = Array.from(await sg.tensor(new Float64Array(v)).data());
    expect(got).toEqual(Array.from(f32(v)));
    expect(Number.isNaN((await sg.tensor([NaN]).data())[0])).toBe(true);
    const ints = [2147483647, -2147483648, 0, 16777217];
    expect(Array.from(await sg.tensor(new Int32Array(ints)).data())).toEqual(ints);
  });
});

describe('zeros, ones, full', () => {
  const SHAPES = [[], [1], [7], [33, 5], [257], [2, 1, 130], [70000]];

  it('fill every element (float32 and int32), on odd sizes', async () => {
    for (const shape of SHAPES) {
      for (const [name, make, value] of [
        ['zeros', (s: number[], o: sg.TensorOptions) => sg.zeros(s, o), 0],
        ['ones', (s: number[], o: sg.TensorOptions) => sg.ones(s, o), 1],
        ['full -7.25', (s: number[], o: sg.TensorOptions) => sg.full(s, -7.25, o), -7.25],
        ['full -7', (s: number[], o: sg.TensorOptions) => sg.full(s, -7, o), -7],
      ] as const) {
        for (const dtype of ['float32', 'int32'] as const) {
          if (dtype === 'int32' && !Number.isInteger(value)) continue;
          poisonPool(4 * shape.reduce((a, b) => a * b, 1));
          const t = make(shape, { dtype });
          expect(t.dtype).toBe(dtype);
          await expectTensorEqual(
            t,
            nd(shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(value)),
            `${name} [${shape}] ${dtype}`,
          );
          t.dispose();
        }
      }
    }
  });

  it('special values, int32 extremes, zerosLike/onesLike keep shape and dtype', async () => {
    expect(Array.from(await sg.full([3], -Infinity).data())).toEqual([-Infinity, -Infinity, -Infinity]);
    expect((await sg.full([2], NaN).data()).every(Number.isNaN)).toBe(true);
    expect(await sg.full([2], 2147483647, { dtype: 'int32' }).toArray()).toEqual([2147483647, 2147483647]);
    expect(await sg.full([2], -2147483648, { dtype: 'int32' }).toArray()).toEqual([-2147483648, -2147483648]);
    const i = sg.full([2, 3], 4, { dtype: 'int32' });
    const z = sg.zerosLike(i);
    expect([z.shape, z.dtype]).toEqual([[2, 3], 'int32']);
    expect(await z.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const o = sg.onesLike(sg.zeros([1, 2]));
    expect([o.shape, o.dtype]).toEqual([[1, 2], 'float32']);
    expect(await o.toArray()).toEqual([[1, 1]]);
  });

  it('requiresGrad option', () => {
    expect(sg.zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(sg.ones([2]).requiresGrad).toBe(false);
    expect(() => sg.zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow(
      /only float32 tensors can require gradients, got int32/,
    );
  });
});

describe('arange', () => {
  it('against the reference, both signs of step, float and int32', async () => {
    const cases: Array<[number, number | undefined, number | undefined, sg.DType]> = [
      [5, undefined, undefined, 'int32'],
      [0, undefined, undefined, 'int32'],
      [2, 8, 3, 'int32'],
      [5, 0, -2, 'int32'],
      [-3, 4, 1, 'int32'],
      [0, 1, 0.25, 'float32'],
      [-1, 1, 0.1, 'float32'],
      [10, 0, -0.75, 'float32'],
      [0.5, 3, 1, 'float32'],
      [0, 300, 1, 'int32'],
      [0, 70000, 1, 'int32'],
      [3, 3, 1, 'int32'],
      [5, 1, 1, 'int32'],
      [1, 5, -1, 'int32'],
    ];
    for (const [a, b, step, dtype] of cases) {
      const [start, end] = b === undefined ? [0, a] : [a, b];
      poisonPool(4 * 70000);
      const t = sg.arange(a, b, step);
      expect(t.dtype, `arange(${a}, ${b}, ${step}) dtype`).toBe(dtype);
      const want = arangeRef(start, end, step ?? 1);
      expect(t.shape).toEqual([want.length]);
      expectClose(await t.data(), want, `arange(${a}, ${b}, ${step})`, { rtol: 1e-6, atol: 1e-6 });
    }
  });

  it('a dtype option overrides the inferred one (float math truncated for int32, as PyTorch)', async () => {
    const f = sg.arange(0, 4, 1, { dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    expect(await f.toArray()).toEqual([0, 1, 2, 3]);
    expect(await sg.arange(0, 2.5, 0.5, { dtype: 'int32' }).toArray()).toEqual([0, 0, 1, 1, 2]);
    expect(sg.arange(3, undefined, 1, { requiresGrad: true, dtype: 'float32' }).requiresGrad).toBe(true);
  });

  it('int32 values past 2^24 are exact', async () => {
    const start = 2 ** 24 - 3;
    await expectTensorEqual(sg.arange(start, start + 9), nd([9], arangeRef(start, start + 9, 1)), 'arange past 2^24');
    await expectTensorEqual(
      sg.arange(2e9, 2e9 - 5 * 7, -7),
      nd([5], arangeRef(2e9, 2e9 - 35, -7)),
      'arange near 2^31, step -7',
    );
  });
});

describe('random numbers', () => {
  it('manualSeed makes draws reproducible; consecutive draws and seeds differ', async () => {
    sg.manualSeed(42);
    const a = await sg.rand([1000]).data();
    const b = await sg.rand([1000]).data();
    const n = await sg.randn([1000]).data();
    sg.manualSeed(42);
    expect(Array.from(await sg.rand([1000]).data())).toEqual(Array.from(a));
    expect(Array.from(await sg.rand([1000]).data())).toEqual(Array.from(b));
    expect(Array.from(await sg.randn([1000]).data())).toEqual(Array.from(n));
    sg.manualSeed(43);
    const c = await sg.rand([1000]).data();
    // Different draws are uncorrelated, not merely different.
    const corr = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      const joined = Float64Array.from({ length: 2 * x.length }, (_, i) => (i % 2 ? y[i >> 1] : x[i >> 1]));
      return lagCorrelation(joined, 1);
    };
    expect(Math.abs(corr(a, b))).toBeLessThan(0.1);
    expect(Math.abs(corr(a, c))).toBeLessThan(0.1);
  });

  it('element i of a draw depends only on (seed, draw number, i), not on the shape', async () => {
    sg.manualSeed(7);
    const short = await sg.rand([10]).data();
    sg.manualSeed(7);
    const long = await sg.rand([4, 300]).data();
    expect(Array.from(long.slice(0, 10))).toEqual(Array.from(short));
  });

  it('rand: every element in [0, 1), uniform by mean, std, histogram; neighbours uncorrelated', async () => {
    sg.manualSeed(1);
    poisonPool(4 * 200001);
    const x = await sg.rand([200001]).data();
    expect(x.every((v) => v >= 0 && v < 1)).toBe(true);
    const { mean, std } = moments(x);
    // Standard errors: mean 0.29 / sqrt(n) ~ 0.0006; the bounds are ~8 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(std - Math.sqrt(1 / 12))).toBeLessThan(0.003);
    const histogram = new Array(20).fill(0);
    for (const v of x) histogram[Math.floor(v * 20)]++;
    for (const count of histogram) expect(Math.abs(count / x.length - 0.05)).toBeLessThan(0.004);
    expect(Math.abs(lagCorrelation(x, 1))).toBeLessThan(0.01);
    expect(Math.abs(lagCorrelation(x, 256))).toBeLessThan(0.01);
  });

  it('uniform(low, high) stays in [low, high)', async () => {
    const u = await sg.uniform([10007], -3, 2).data();
    expect(u.every((v) => v >= -3 && v < 2)).toBe(true);
    const { mean, std } = moments(u);
    expect(Math.abs(mean - -0.5)).toBeLessThan(0.05);
    expect(Math.abs(std - 5 / Math.sqrt(12))).toBeLessThan(0.05);
  });

  it('uniform(shape) defaults to [0, 1), as nn.init.uniform_', async () => {
    sg.manualSeed(5);
    const u = await sg.uniform([4099]).data();
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(moments(u).mean - 0.5)).toBeLessThan(0.05);
  });

  it('randn: mean 0, std 1, the normal CDF at -2..2; normal(mean, std)', async () => {
    sg.manualSeed(2);
    poisonPool(4 * 200001);
    const x = await sg.randn([200001]).data();
    expect(x.every(Number.isFinite)).toBe(true);
    const { mean, std } = moments(x);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
    for (const z of [-2, -1, -0.5, 0, 0.5, 1, 2]) {
      const below = x.filter((v) => v < z).length / x.length;
      expect(Math.abs(below - normalCdf(z)), `P(z < ${z})`).toBeLessThan(0.005);
    }
    expect(Math.abs(lagCorrelation(x, 1))).toBeLessThan(0.01);
    const y = await sg.normal([50000], 3, 0.5).data();
    const m = moments(y);
    expect(Math.abs(m.mean - 3)).toBeLessThan(0.02);
    expect(Math.abs(m.std - 0.5)).toBeLessThan(0.02);
  });

  it('odd shapes are filled completely; options apply', async () => {
    for (const shape of [[], [1], [7], [33, 5], [257]]) {
      poisonPool();
      const r = sg.rand(shape);
      expect(r.shape).toEqual(shape);
      expect((await r.data()).every((v) => v >= 0 && v < 1)).toBe(true);
      poisonPool();
      expect((await sg.randn(shape).data()).every(Number.isFinite)).toBe(true);
    }
    expect(sg.randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
});
