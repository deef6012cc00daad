// Bounded work in flight (src/gpu/inflight.ts): a training loop that never reads a value back
// keeps a bounded number of unfinished batches and flat host and GPU memory. Counts, not timing.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

function smallCnn(): { step: () => void; dispose: () => void } {
  const { nn, optim } = sg;
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(4 * 5 * 5, 10),
  );
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = sg.randn([8, 1, 11, 11]);
  const y = sg.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: 'int32' });
  return {
    step: () =>
      sg.tidy(() => {
        const loss = sg.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }),
    dispose: () => {
      for (const t of [x, y, ...model.parameters()]) t.dispose();
      opt.zeroGrad();
    },
  };
}

describe('work in flight', () => {
  it('stays bounded and memory stays flat over 300 steps with no readback', async () => {
    const net = smallCnn();
    let maxPending = 0;
    const rssAt: number[] = [];
    const liveAt: number[] = [];
    for (let step = 1; step <= 300; step++) {
      net.step();
      await sg.throttle();
      maxPending = Math.max(maxPending, sg.pendingBatches());
      if (step % 100 === 0) {
        rssAt.push(process.memoryUsage().rss);
        liveAt.push(sg.memory().liveTensors + sg.memory().bytesInUse);
      }
    }
    expect(maxPending).toBeLessThanOrEqual(2);
    // GPU memory: exactly flat. Host memory: the unbounded loop grew ~250 KB per step (50 MB
    // over 200 steps); allow 25 MB of noise (garbage collection, allocator).
    expect(new Set(liveAt).size).toBe(1);
    expect(rssAt[2] - rssAt[0]).toBeLessThan(25e6);
    await sg.synchronize();
    expect(sg.pendingBatches()).toBe(0);
    net.dispose();
  });

  it('counts a submit as finished without any readback once the event loop turns', async () => {
    const t = sg.ones([1000]).mul(3);
    sg.flush();
    expect(sg.pendingBatches()).toBeGreaterThan(0);
    for (let i = 0; i < 2000 && sg.pendingBatches() > 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(sg.pendingBatches()).toBe(0);
    t.dispose();
  });

  it('a DataLoader bounds the work in flight by itself', async () => {
    const { nn, optim } = sg;
    const model = new nn.Linear(6, 3);
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const n = 96;
    const x = { data: Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i)), shape: [n, 6] };
    const y = { data: Float32Array.from({ length: n }, (_, i) => i % 3), shape: [n] };
    const loader = new sg.data.DataLoader(new sg.data.TensorDataset(x, y), { batchSize: 2 });
    let maxPending = 0;
    for await (const batch of loader) {
      maxPending = Math.max(maxPending, sg.pendingBatches());
      sg.tidy(() => {
        const loss = sg.crossEntropy(model.forward(batch.x), batch.y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
      batch.dispose();
    }
    expect(maxPending).toBeLessThanOrEqual(2);
    for (const p of model.parameters()) p.dispose();
  });

  it('warns once when a loop never yields to the event loop', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const t = sg.zeros([4]);
    for (let i = 0; i < 300; i++) {
      t.add_(1);
      sg.flush();
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/has not yielded to the event loop.*sg.throttle\(\)/s);
    warn.mockRestore();
    t.dispose();
  });

  it('stops a loop that never yields with an error at 1,024 unfinished batches, losing no work', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await sg.synchronize(); // the test above left its batches in flight
    expect(sg.pendingBatches()).toBe(0);
    const t = sg.zeros([4]);
    let steps = 0;
    expect(() => {
      for (; steps < 5000; steps++) {
        t.add_(1);
        sg.flush();
      }
    }).toThrow(/\d{4} submitted command batches are unfinished.*sg\.throttle\(\)/s);
    warn.mockRestore();
    expect(steps).toBeGreaterThanOrEqual(1023);
    expect(steps).toBeLessThan(5000);
    // The add of the throwing step was submitted too: every recorded add ran.
    expect(Array.from(await t.data())).toEqual([steps + 1, steps + 1, steps + 1, steps + 1]);
    expect(sg.pendingBatches()).toBe(0);
    t.dispose();
  });

  it('setMaxInFlight checks its argument', () => {
    expect(() => sg.setMaxInFlight(0)).toThrow(/integer >= 1/);
    expect(sg.setMaxInFlight(sg.setMaxInFlight(3))).toBe(3);
  });
});
