// Factories and the random number generator.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { expectClose, poisonPool } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

describe('factories', () => {
  it('tensor() from nested arrays, flat arrays and typed arrays', async () => {
    expect(sg.tensor([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
    expect(sg.tensor(5).shape).toEqual([]);
    expect(await sg.tensor(5).item()).toBe(5);
    expect(sg.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).shape).toEqual([2, 3]);
    expect(sg.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(await sg.tensor(new Float32Array([1.5, 2.5])).toArray()).toEqual([1.5, 2.5]);
    expect(await sg.tensor([[[1], [2]], [[3], [4]]]).toArray()).toEqual([[[1], [2]], [[3], [4]]]);
    expect(sg.tensor([]).shape).toEqual([0]);
    expect(() => sg.tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => sg.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values cannot have shape \[2, 2\]/);
  });

  it('zeros, ones, full (float32 and int32), zerosLike, onesLike', async () => {
    poisonPool();
    expect(await sg.zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(await sg.ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(await sg.full([2], -7.25).toArray()).toEqual([-7.25, -7.25]);
    const fi = sg.full([2], -7, { dtype: 'int32' });
    expect(fi.dtype).toBe('int32');
    expect(await fi.toArray()).toEqual([-7, -7]);
    expect(await sg.zerosLike(fi).toArray()).toEqual([0, 0]);
    expect(await sg.onesLike(sg.zeros([1, 2])).toArray()).toEqual([[1, 1]]);
    const big = await sg.ones([1000]).data();
    expect(big.every((v) => v === 1)).toBe(true);
  });

  it('arange as torch.arange', async () => {
    expect(await sg.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(sg.arange(5).dtype).toBe('int32');
    expect(await sg.arange(2, 8, 3).toArray()).toEqual([2, 5]);
    expect(await sg.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    const f = sg.arange(0, 1, 0.25);
    expect(f.dtype).toBe('float32');
    expect(await f.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(sg.arange(3, 3).shape).toEqual([0]);
  });

  it('requiresGrad option', () => {
    expect(sg.zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => sg.zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow(/only float32/);
  });
});

describe('random numbers', () => {
  it('manualSeed makes draws reproducible; consecutive draws differ', async () => {
    sg.manualSeed(42);
    const a = await sg.rand([1000]).data();
    const b = await sg.rand([1000]).data();
    sg.manualSeed(42);
    const a2 = await sg.rand([1000]).data();
    expect(Array.from(a2)).toEqual(Array.from(a));
    expect(Array.from(b)).not.toEqual(Array.from(a));
  });

  it('rand is uniform on [0, 1), uniform on [low, high)', async () => {
    sg.manualSeed(1);
    const x = Float64Array.from(await sg.rand([200000]).data());
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(x.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    const histogram = new Array(10).fill(0);
    for (const v of x) histogram[Math.floor(v * 10)]++;
    for (const count of histogram) expect(Math.abs(count / x.length - 0.1)).toBeLessThan(0.005);
    const u = Float64Array.from(await sg.uniform([10000], -3, 2).data());
    expect(u.every((v) => v >= -3 && v < 2)).toBe(true);
  });

  it('randn has mean 0 and standard deviation 1; normal(mean, std)', async () => {
    sg.manualSeed(2);
    const x = Float64Array.from(await sg.randn([200000]).data());
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
    // About 68.3% within one standard deviation.
    const within = x.filter((v) => Math.abs(v) < 1).length / x.length;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.005);
    expect(x.every(Number.isFinite)).toBe(true);
    const y = Float64Array.from(await sg.normal([50000], 3, 0.5).data());
    expectClose([y.reduce((s, v) => s + v, 0) / y.length], [3], 'normal mean', 0.01, 0.01);
  });
});
