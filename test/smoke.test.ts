import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

describe('smoke', () => {
  it('adds and reduces', async () => {
    const a = sg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const b = sg.tensor([10, 20, 30]);
    const c = a.add(b).mul(2);
    expect(await c.toArray()).toEqual([
      [22, 44, 66],
      [28, 50, 72],
    ]);
    const s = c.sum();
    expect(await s.item()).toBe(282);
    s.backward();
    expect(await a.grad!.toArray()).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
    expect(await sg.mean(a, 1).toArray()).toEqual([2, 5]);
    expect(await a.max(1).values.toArray()).toEqual([3, 6]);
    expect(await a.argmax(1).toArray()).toEqual([2, 2]);
    expect(await a.transpose(0, 1).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(await a.slice(1, 1).toArray()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(await sg.cat([a, b.unsqueeze(0)], 0).toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [10, 20, 30],
    ]);
    const big = sg.ones([1 << 20]);
    expect(await big.sum().item()).toBe(1 << 20);
    const r = sg.randn([10000]);
    const m = await r.mean().item();
    expect(Math.abs(m)).toBeLessThan(0.05);
  });
});
