// In-place random fills (src/ops/random_inplace.ts, shaders/random_inplace.wgsl) against the
// generator written out in plain JavaScript (test/ref/random.ts), against sg.uniform / sg.normal
// (the same numbers), in chunks, into poisoned buffers, and their errors.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { uniform_, normal_ } from '../src/ops/random_inplace.js';
import { setBindingLimitForTesting } from '../src/gpu/chunks.js';
import { expectClose, poisonPool } from './helpers.js';
import { randomRef } from './ref/random.js';

beforeAll(async () => {
  await sg.init();
});

afterEach(() => setBindingLimitForTesting(null));

describe('uniform_ and normal_', () => {
  // Sizes around the 64 x 64 elements one workgroup writes, and below one workgroup's lanes.
  for (const n of [1, 5, 63, 4097, 10007]) {
    it(`match the reference generator and sg.uniform / sg.normal (${n} elements, poisoned buffer)`, async () => {
      poisonPool();
      sg.manualSeed(7);
      const u = uniform_(sg.Tensor.empty([n]), -2, 3);
      const v = normal_(sg.Tensor.empty([n]), 0.5, 2);
      const seed = 7; // manualSeed(7) restarts the stream count at 0: uniform_ draws stream 0, normal_ stream 1
      const gotU = await u.data();
      const gotV = await v.data();
      expectClose(gotU, randomRef(n, seed, 0, 'uniform', -2, 3), 'uniform_', { rtol: 1e-6, atol: 1e-6 });
      expectClose(gotV, randomRef(n, seed, 1, 'normal', 0.5, 2), 'normal_', { rtol: 1e-5, atol: 1e-5 });
      sg.manualSeed(7);
      const fresh = [sg.uniform([n], -2, 3), sg.normal([n], 0.5, 2)];
      expect(Array.from(gotU)).toEqual(Array.from(await fresh[0].data()));
      expect(Array.from(gotV)).toEqual(Array.from(await fresh[1].data()));
      for (const t of [u, v, ...fresh]) t.dispose();
    });
  }

  it('fill a tensor larger than one storage binding in chunks, with the same numbers', async () => {
    const n = 3 * 4096 + 77;
    sg.manualSeed(11);
    const whole = await normal_(sg.Tensor.empty([n]), 0, 1).data();
    setBindingLimitForTesting(4096 * 4);
    sg.manualSeed(11);
    const t = normal_(sg.Tensor.empty([n]), 0, 1);
    expect(Array.from(await t.data())).toEqual(Array.from(whole));
    t.dispose();
  });

  it('draw new numbers each time, in place (same storage), with the right statistics', async () => {
    const t = sg.zeros([2, 50001]);
    const storage = t.storage;
    const a = Array.from(await uniform_(t, 1, 2).data());
    const b = Array.from(await uniform_(t, 1, 2).data());
    expect(t.storage).toBe(storage);
    expect(a).not.toEqual(b);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...a)).toBeLessThan(2);
    const z = Array.from(await normal_(t, 3, 0.5).data());
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const std = Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean - 3)).toBeLessThan(0.01);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.01);
    t.dispose();
  });

  it('name the op and the shape on bad input, before any GPU work', () => {
    const i = sg.zeros([2, 3], { dtype: 'int32' });
    expect(() => uniform_(i)).toThrow(/uniform_: needs a float32 tensor, got int32 of shape \[2, 3\]/);
    const f = sg.zeros([4]);
    expect(() => normal_(f, 0, -1)).toThrow(/normal_: expects std >= 0.0, got -1 for a tensor of shape \[4\]/);
    expect(() => uniform_(f, 2, 1)).toThrow(/uniform_: expects low <= high/);
    i.dispose();
    f.dispose();
  });
});
