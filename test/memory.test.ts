// GPU memory is a contract: a training loop inside `tidy` holds the same bytes after 500 steps
// as after 5, and disposal hands buffers back to the pool.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

describe('memory', () => {
  it('dispose() frees a tensor, and twice is harmless', () => {
    const before = sg.memory();
    const t = sg.zeros([1000]);
    expect(sg.memory().liveTensors).toBe(before.liveTensors + 1);
    expect(sg.memory().bytesInUse).toBe(before.bytesInUse + 4000);
    t.dispose();
    t.dispose();
    expect(sg.memory()).toMatchObject({ liveTensors: before.liveTensors, bytesInUse: before.bytesInUse });
    expect(() => t.add(1)).toThrow(/disposed/);
  });

  it('tidy() disposes intermediates and keeps what it returns', async () => {
    const before = sg.memory().liveTensors;
    const x = sg.ones([4]);
    const { y, pair } = sg.tidy(() => {
      const a = x.mul(2);
      const b = a.add(1);
      return { y: b.exp(), pair: [a.neg(), 3] as const };
    });
    expect(sg.memory().liveTensors).toBe(before + 3);
    expect(await pair[0].toArray()).toEqual([-2, -2, -2, -2]);
    for (const t of [x, y, pair[0]]) t.dispose();
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('views share storage until the last one is disposed', async () => {
    const bytes = sg.memory().bytesInUse;
    const a = sg.arange(6, undefined, 1, { dtype: 'float32' });
    const v = a.reshape([2, 3]);
    a.dispose();
    expect(await v.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    v.dispose();
    expect(sg.memory().bytesInUse).toBe(bytes);
  });

  it('500 training steps inside tidy leave live bytes flat', async () => {
    sg.manualSeed(1);
    const w1 = sg.randn([8, 16], { requiresGrad: true });
    const b1 = sg.zeros([16], { requiresGrad: true });
    const w2 = sg.randn([16, 1], { requiresGrad: true });
    const x = sg.randn([32, 8]);
    const y = sg.randn([32, 1]);
    const params = [w1, b1, w2];
    const step = () =>
      sg.tidy(() => {
        const loss = x.matmul(w1).add(b1).relu().matmul(w2).sub(y).pow(2).mean();
        loss.backward();
        for (const p of params) {
          p.sub_(p.grad!.mul(0.01));
          p.grad!.dispose();
          p.grad = null;
        }
        return loss;
      });
    let first = 0;
    let last = 0;
    const snapshots: sg.MemoryInfo[] = [];
    for (let i = 0; i < 500; i++) {
      const loss = step();
      if (i === 0) first = await loss.item();
      if (i === 499) last = await loss.item();
      loss.dispose();
      if (i === 99 || i === 499) {
        sg.flush();
        snapshots.push(sg.memory());
      }
    }
    expect(snapshots[1].liveTensors).toBe(snapshots[0].liveTensors);
    expect(snapshots[1].bytesInUse).toBe(snapshots[0].bytesInUse);
    // Once warm, the pool reuses buffers instead of growing.
    expect(snapshots[1].pooledBytes).toBeLessThanOrEqual(snapshots[0].pooledBytes * 1.1 + 65536);
    expect(last).toBeLessThan(first);
    for (const t of [...params, x, y]) t.dispose();
  });

  it('backward keeps only the gradients: the temporaries of every backward rule are freed', async () => {
    sg.manualSeed(2);
    const x = sg.randn([2, 3, 5, 5], { requiresGrad: true });
    const w = sg.randn([4, 3, 3, 3], { requiresGrad: true });
    const b = sg.randn([4], { requiresGrad: true });
    const gamma = sg.randn([4], { requiresGrad: true });
    const beta = sg.randn([4], { requiresGrad: true });
    const m = sg.randn([2, 16, 7], { requiresGrad: true });
    const v = sg.randn([7], { requiresGrad: true });
    const leaves = [x, w, b, gamma, beta, m, v];
    // conv (dx, dW, db), batch norm, max, a broadcast product (a sum back to [7]), a batched
    // matmul with a shared right operand (summed over the batch), where with a number, expand.
    const y = sg.batchNorm(sg.conv2d(x, w, b, { padding: 1 }), null, gamma, beta, {
      training: true,
      eps: 1e-5,
      momentum: 0.1,
    });
    const flat = y
      .reshape([2, 4, 25])
      .amax(2)
      .mul(sg.expand(v.slice(0, 0, 1), [2, 4], 0.5));
    const prod = sg.matmul(m.mul(v), sg.where(v.gt(0), v, 0).unsqueeze(1).relu());
    const loss = flat.sum().add(prod.sum(undefined).mul(0.1)).mean();
    const before = sg.memory().liveTensors;
    loss.backward(undefined, { retainGraph: true });
    // With the graph retained, backward adds exactly one tensor per leaf: its .grad.
    expect(sg.memory().liveTensors).toBe(before + leaves.length);
    for (const t of leaves) expect(t.grad!.shape).toEqual(t.shape);
    for (const t of leaves) t.grad!.dispose();
    loss.dispose();
    for (const t of leaves) t.dispose();
  });
});
