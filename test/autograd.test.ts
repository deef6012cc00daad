// Autograd semantics: accumulation, explicit gradients, detach, noGrad, graph freeing, shared
// subexpressions, broadcasting, frozen inputs.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

describe('autograd', () => {
  it('accumulates gradients across backward calls', async () => {
    const x = sg.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    expect(await x.grad!.toArray()).toEqual([5, 5, 5]);
  });

  it('backward(gradient) on a non-scalar', async () => {
    const x = sg.tensor([1, 2, 3], { requiresGrad: true });
    x.pow(2).backward(sg.tensor([1, 0.5, 2]));
    expect(await x.grad!.toArray()).toEqual([2, 2, 12]);
  });

  it('backward on a non-scalar without a gradient is an error', () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/only for scalar outputs.*\[2\]/);
    expect(() => x.mul(2).backward(sg.zeros([3]))).toThrow(/does not match/);
    expect(() => sg.tensor([1]).backward()).toThrow(/does not require grad/);
  });

  it('a tensor used twice gets the sum of both paths (x * x, diamond)', async () => {
    const x = sg.tensor([3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(await x.grad!.toArray()).toEqual([6]);
    const y = sg.tensor([2], { requiresGrad: true });
    const a = y.mul(3);
    const b = y.exp();
    a.mul(b).sum().backward(); // d/dy (3y e^y) = 3e^y + 3y e^y
    expect((await y.grad!.data())[0]).toBeCloseTo(3 * Math.exp(2) * 3, 4);
  });

  it('gradients of broadcast operands are reduced to their shapes', async () => {
    const w = sg.ones([3, 4], { requiresGrad: true });
    const b = sg.ones([4], { requiresGrad: true });
    const s = sg.ones([], { requiresGrad: true });
    w.add(b).mul(s).sum().backward();
    expect(b.grad!.shape).toEqual([4]);
    expect(await b.grad!.toArray()).toEqual([3, 3, 3, 3]);
    expect(await s.grad!.item()).toBe(24);
  });

  it('detach() cuts the graph; noGrad records nothing', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    const y = sg.noGrad(() => x.mul(2).add(1));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(sg.isGradEnabled()).toBe(true);
  });

  it('inputs that do not require grad get no gradient (and no kernels)', async () => {
    const frozen = sg.tensor([1, 2]);
    const live = sg.tensor([3, 4], { requiresGrad: true });
    frozen.mul(live).sum().backward();
    expect(frozen.grad).toBeNull();
    expect(await live.grad!.toArray()).toEqual([1, 2]);
  });

  it('the graph is freed after backward unless retainGraph', async () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    const loss = h.sum();
    loss.backward();
    expect(h.gradFn).toBeNull();
    expect(loss.gradFn).toBeNull();
    const x2 = sg.tensor([1, 2], { requiresGrad: true });
    const loss2 = x2.mul(2).sum();
    loss2.backward(undefined, { retainGraph: true });
    loss2.backward();
    expect(await x2.grad!.toArray()).toEqual([4, 4]);
  });

  it('deep chains do not overflow the stack', async () => {
    let x = sg.tensor([1], { requiresGrad: true });
    const leaf = x;
    for (let i = 0; i < 3000; i++) x = x.add(0);
    x.sum().backward();
    expect(await leaf.grad!.toArray()).toEqual([1]);
  });

  it('requiresGrad_ and leaf tensors', () => {
    const x = sg.zeros([2]).requiresGrad_();
    expect(x.requiresGrad).toBe(true);
    expect(x.gradFn).toBeNull();
    expect(x.add(1).gradFn?.name).toBe('add');
  });
});
