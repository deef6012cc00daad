// Peak memory (`memory().peakBytes`, `resetPeakMemory()`) and the buffer pool's trim policy:
// a pooled buffer not reused within a number of submits is destroyed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { poolStats, setPoolTrimAfter, bucketSize } from '../src/gpu/pool.js';

beforeAll(async () => {
  await sg.init();
});
afterAll(() => setPoolTrimAfter(32));

describe('peak memory', () => {
  it('records the most bytes live since the last reset', () => {
    sg.resetPeakMemory();
    const base = sg.memory().bytesInUse;
    expect(sg.memory().peakBytes).toBe(base);
    const a = sg.zeros([1000]); // 4000 bytes
    const b = sg.zeros([500]); // 2000 bytes
    a.dispose();
    b.dispose();
    const c = sg.zeros([100]);
    expect(sg.memory().bytesInUse).toBe(base + 400);
    expect(sg.memory().peakBytes).toBe(base + 6000);
    sg.resetPeakMemory();
    expect(sg.memory().peakBytes).toBe(base + 400);
    c.dispose();
    expect(sg.memory().peakBytes).toBe(base + 400);
  });

  it('counts the temporaries of a computation, not only its result', () => {
    const x = sg.ones([256]);
    sg.resetPeakMemory();
    const base = sg.memory().bytesInUse;
    const y = sg.tidy(() => x.exp().add(1).mul(2)); // exp and add temporaries live at once with y
    expect(sg.memory().bytesInUse).toBe(base + 1024);
    expect(sg.memory().peakBytes).toBeGreaterThanOrEqual(base + 2 * 1024);
    x.dispose();
    y.dispose();
  });
});

describe('buffer pool trim', () => {
  it('destroys pooled buffers not reused within the trim window, keeps reused ones', () => {
    setPoolTrimAfter(3);
    sg.emptyCache();
    // The one-off size is larger than the batch's uniform buffer (src/gpu/uniform_arena.ts, 128 KiB),
    // which every batch reuses and the pool rightly keeps.
    const [onceBytes, reusedBytes] = [bucketSize(123456 * 4), bucketSize(777 * 4)];
    sg.zeros([123456]).dispose(); // a size used once
    sg.flush();
    expect(poolStats().pooledBytes).toBeGreaterThanOrEqual(onceBytes);
    for (let i = 0; i < 6; i++) {
      sg.zeros([777]).dispose(); // a size used at every step
      sg.flush();
    }
    const pooled = poolStats().pooledBytes;
    expect(pooled).toBeLessThan(onceBytes); // the one-off buffer is gone
    expect(pooled).toBeGreaterThanOrEqual(reusedBytes); // the reused one stays
  });

  it('keeps a training loop from growing the pool', () => {
    setPoolTrimAfter(8);
    sg.emptyCache();
    const w = sg.randn([64, 32], { requiresGrad: true });
    let first = 0;
    for (let step = 0; step < 20; step++) {
      sg.tidy(() => {
        const batch = step % 4 === 3 ? 5 : 16; // a ragged last batch now and then
        const loss = sg.randn([batch, 64]).matmul(w).relu().mean();
        loss.backward();
        w.grad!.dispose();
        w.grad = null;
      });
      sg.flush();
      if (step === 9) first = poolStats().pooledBytes;
    }
    expect(poolStats().pooledBytes).toBeLessThanOrEqual(first * 1.25);
    w.dispose();
  });
});
