// Multi-tensor optimiser steps (optim/multi_tensor.ts, shaders/optim/02_*_multi_tensor.wgsl):
// many parameters of odd sizes in groups with their own options, frozen and grad-less ones
// among them, against a float64 re-implementation of PyTorch's rules and bit for bit against
// the one-parameter kernels; launches per group; tied parameters; memory flat.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { setMultiTensor, launchRuns } from '../src/optim/multi_tensor.js';
import { rng as makeRng } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});
afterEach(() => setMultiTensor(null));

// Sizes around the workgroup (256) and slot boundaries, none a multiple of 4 but some.
const SIZES = [1, 3, 257, 255, 1000, 4099, 7, 512, 33, 2, 769, 6];
const STEPS = 3;

type Options = { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean };
type AdamOpts = { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean };

/** PyTorch's SGD / Adam / AdamW rules in float64 for one parameter over its gradients. */
function reference(kind: string, o: Options & AdamOpts, p0: number[], grads: number[][]): number[] {
  const p = [...p0];
  const n = p.length;
  const [buf, m, v, vmax] = [0, 0, 0, 0].map(() => new Array(n).fill(0));
  grads.forEach((g0, step) => {
    const t = step + 1;
    for (let i = 0; i < n; i++) {
      let g = g0[i];
      if (kind === 'sgd') {
        const mu = o.momentum ?? 0;
        g += (o.weightDecay ?? 0) * p[i];
        if (mu) {
          buf[i] = step === 0 ? g : mu * buf[i] + (1 - (o.dampening ?? 0)) * g;
          g = o.nesterov ? g + mu * buf[i] : buf[i];
        }
        p[i] -= o.lr * g;
      } else {
        const [b1, b2] = o.betas ?? [0.9, 0.999];
        const wd = o.weightDecay ?? (kind === 'adamw' ? 0.01 : 0);
        if (kind === 'adamw') p[i] *= 1 - o.lr * wd;
        else g += wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        let vHat = v[i];
        if (o.amsgrad) vHat = vmax[i] = Math.max(vmax[i], v[i]);
        p[i] -= ((o.lr / (1 - b1 ** t)) * m[i]) / (Math.sqrt(vHat) / Math.sqrt(1 - b2 ** t) + (o.eps ?? 1e-8));
      }
    }
  });
  return p;
}

const rng = makeRng(14);
const p0 = SIZES.map((n) => Array.from({ length: n }, () => rng() * 2 - 1));
const grads = SIZES.map((n) => Array.from({ length: STEPS }, () => Array.from({ length: n }, () => rng() * 2 - 1)));
/** Parameter 4 is frozen; parameter 9 never gets a gradient; parameter 6 has none on step 1. */
const hasGrad = (j: number, step: number) => j !== 4 && j !== 9 && !(j === 6 && step === 1);

const CASES: Array<[string, Options & AdamOpts, Options & AdamOpts]> = [
  ['sgd', { lr: 0.1 }, { lr: 0.05, weightDecay: 0.1 }],
  ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, { lr: 0.2, momentum: 0.8, nesterov: true }],
  ['adam', { lr: 0.01, weightDecay: 0.1 }, { lr: 0.05, betas: [0.8, 0.99], amsgrad: true }],
  ['adamw', { lr: 0.01 }, { lr: 0.02, weightDecay: 0.1, amsgrad: true, eps: 1e-6 }],
];

function optimizer(kind: string, groups: Array<{ params: sg.nn.Parameter[] } & Options & AdamOpts>) {
  if (kind === 'sgd') return new sg.optim.SGD(groups);
  return kind === 'adam' ? new sg.optim.Adam(groups) : new sg.optim.AdamW(groups);
}

/** Runs STEPS steps over two groups (parameters 0-7 and 8-11); returns the parameters and the launches of the last step. */
async function train(kind: string, o1: Options & AdamOpts, o2: Options & AdamOpts, multi: boolean, largest?: number) {
  setMultiTensor(multi, largest);
  const params = p0.map((v) => sg.nn.parameter(sg.tensor(v)));
  params[4].requiresGrad = false;
  const opt = optimizer(kind, [
    { params: params.slice(0, 8), ...o1 },
    { params: params.slice(8), ...o2 },
  ]);
  let kernels: string[] = [];
  for (let s = 0; s < STEPS; s++) {
    params.forEach((p, j) => (p.grad = hasGrad(j, s) ? sg.keep(sg.tensor(grads[j][s])) : null));
    if (s < STEPS - 1) opt.step();
    else kernels = (await sg.profile(() => opt.step(), { timing: 'sync', peaks: false })).launches.map((l) => l.kernel);
    params.forEach((p) => p.grad?.dispose());
  }
  const out = await Promise.all(params.map(async (p) => Array.from((await p.data()) as Float32Array)));
  opt.dispose();
  params.forEach((p) => p.dispose());
  return { out, kernels };
}

describe('multi-tensor optimiser steps', () => {
  for (const [kind, o1, o2] of CASES) {
    it(`${kind} ${JSON.stringify(o1)} / ${JSON.stringify(o2)}: float64 rules, bit for bit the one-parameter kernels, ceil(P / slots) launches per group`, async () => {
      const live = sg.memory().liveTensors;
      const multi = await train(kind, o1, o2, true);
      const single = await train(kind, o1, o2, false);
      expect(sg.memory().liveTensors).toBe(live);
      SIZES.forEach((_, j) => {
        const o = j < 8 ? o1 : o2;
        const gs = grads[j].filter((_, s) => hasGrad(j, s));
        const ref = reference(kind, o, p0[j], gs);
        multi.out[j].forEach((x, i) => expect(Math.abs(x - ref[i])).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]))));
        expect(multi.out[j]).toEqual(single.out[j]);
      });
      // Last step: group 1 has 7 parameters with gradients (4 frozen), group 2 has 3 (9 has none).
      const slots = kind === 'sgd' ? 5 : 3;
      const name = kind === 'sgd' ? 'sgd_multi_tensor' : 'adam_multi_tensor';
      expect(multi.kernels.filter((k) => k === name).length).toBe(Math.ceil(7 / slots) + Math.ceil(3 / slots));
      expect(multi.kernels.filter((k) => k.endsWith('_step'))).toEqual([]);
      expect(single.kernels.filter((k) => k.endsWith('_step')).length).toBe(10);
      // Parameters over the size limit keep their own launch: 4099 and 512 of group 1, 769 of group 2.
      const mixed = await train(kind, o1, o2, true, 500);
      SIZES.forEach((_, j) => expect(mixed.out[j]).toEqual(single.out[j]));
      expect(mixed.kernels.filter((k) => k.endsWith('_step')).length).toBe(3);
      expect(mixed.kernels.filter((k) => k === name).length).toBe(Math.ceil(5 / slots) + Math.ceil(2 / slots));
      expect(sg.memory().liveTensors).toBe(live);
    });
  }

  it('tied parameters (one storage, two Parameters) go to separate launches, as the one-parameter kernels updated them', async () => {
    const run = async (multi: boolean) => {
      setMultiTensor(multi);
      const a = sg.nn.parameter(sg.tensor([1, 2, 3]));
      const b = new sg.nn.Parameter(a);
      const opt = new sg.optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
      for (let s = 0; s < 2; s++) {
        a.grad = sg.keep(sg.tensor([1, 1, 1]));
        b.grad = sg.keep(sg.tensor([0.5, -1, 2]));
        opt.step();
        a.grad.dispose();
        b.grad.dispose();
      }
      const out = Array.from(await a.data());
      opt.dispose();
      a.dispose();
      b.dispose();
      return out;
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('launchRuns: at most `slots` per launch, a new launch where a written buffer would repeat', () => {
    const buf = (label: string) => ({ label }) as unknown as GPUBuffer;
    const [p1, p2, p3, g] = ['p1', 'p2', 'p3', 'g'].map(buf);
    const item = (w: GPUBuffer) => ({ n: 1, written: [w, null], grad: g });
    expect(launchRuns([item(p1), item(p2), item(p3)], 2).map((r) => r.length)).toEqual([2, 1]);
    expect(launchRuns([item(p1), item(p2), item(p1)], 5).map((r) => r.length)).toEqual([2, 1]);
    expect(launchRuns([item(p1), { n: 1, written: [g, null], grad: p3 }], 5).map((r) => r.length)).toEqual([1, 1]);
  });
});
