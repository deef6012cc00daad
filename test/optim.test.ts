// Optimiser steps against a float64 re-implementation of PyTorch's documented update rules,
// and both against real PyTorch trajectories (test/fixtures/nn.json).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'nn.json'), 'utf8')).optim;

beforeAll(async () => {
  await sg.init();
});

type Options = Record<string, number | boolean | number[]>;

/** PyTorch's SGD and Adam/AdamW update rules (docs of torch.optim, 1.13), in float64. */
function reference(kind: string, o: Options, p0: number[], grads: number[][]): number[][] {
  const p = [...p0];
  const n = p.length;
  const buf = new Array(n).fill(0);
  const m = new Array(n).fill(0);
  const v = new Array(n).fill(0);
  const vmax = new Array(n).fill(0);
  const out: number[][] = [];
  const lr = o.lr as number;
  grads.forEach((g0, step) => {
    const t = step + 1;
    for (let i = 0; i < n; i++) {
      let g = g0[i];
      if (kind === 'sgd') {
        const wd = (o.weight_decay as number) ?? 0;
        const mu = (o.momentum as number) ?? 0;
        const damp = (o.dampening as number) ?? 0;
        g += wd * p[i];
        if (mu) {
          buf[i] = step === 0 ? g : mu * buf[i] + (1 - damp) * g;
          g = o.nesterov ? g + mu * buf[i] : buf[i];
        }
        p[i] -= lr * g;
      } else {
        const [b1, b2] = (o.betas as number[]) ?? [0.9, 0.999];
        const eps = (o.eps as number) ?? 1e-8;
        const wd = (o.weight_decay as number) ?? (kind === 'adamw' ? 0.01 : 0);
        if (kind === 'adamw') p[i] *= 1 - lr * wd;
        else g += wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        let vHat = v[i];
        if (o.amsgrad) vHat = vmax[i] = Math.max(vmax[i], v[i]);
        p[i] -= ((lr / (1 - b1 ** t)) * m[i]) / (Math.sqrt(vHat) / Math.sqrt(1 - b2 ** t) + eps);
      }
    }
    out.push([...p]);
  });
  return out;
}

function make(name: string, params: sg.nn.Parameter[], o: Options): sg.optim.Optimizer<{ lr: number }> {
  const common = { lr: o.lr as number, weightDecay: o.weight_decay as number | undefined };
  if (name.startsWith('sgd'))
    return new sg.optim.SGD(params, {
      ...common,
      momentum: o.momentum as number,
      dampening: o.dampening as number,
      nesterov: o.nesterov as boolean,
    });
  const adam = {
    ...common,
    betas: o.betas as [number, number] | undefined,
    eps: o.eps as number | undefined,
    amsgrad: o.amsgrad as boolean | undefined,
  };
  for (const k of Object.keys(adam) as Array<keyof typeof adam>) if (adam[k] === undefined) delete adam[k];
  return name.startsWith('adamw') ? new sg.optim.AdamW(params, adam) : new sg.optim.Adam(params, adam);
}

describe('optimisers', () => {
  for (const [name, c] of Object.entries(fixture.cases) as Array<[string, { options: Options; steps: number[][] }]>) {
    it(`${name}: GPU steps match the float64 rules and PyTorch over ${c.steps.length} steps`, async () => {
      const kind = name.startsWith('sgd') ? 'sgd' : name.startsWith('adamw') ? 'adamw' : 'adam';
      const ref = reference(kind, c.options, fixture.p0, fixture.grads);
      const p = sg.nn.parameter(sg.tensor(fixture.p0));
      const opt = make(name, [p], c.options);
      for (let s = 0; s < fixture.grads.length; s++) {
        p.grad = sg.keep(sg.tensor(fixture.grads[s]));
        opt.step();
        const got = await p.data();
        for (let i = 0; i < got.length; i++) {
          expect(Math.abs(ref[s][i] - c.steps[s][i])).toBeLessThan(1e-5 * (1 + Math.abs(c.steps[s][i]))); // the rules are PyTorch's
          expect(Math.abs(got[i] - ref[s][i])).toBeLessThan(1e-5 * (1 + Math.abs(ref[s][i])));
        }
        p.grad.dispose();
      }
    });
  }

  it('parameter groups with their own learning rates; frozen and grad-less parameters are skipped', async () => {
    const a = sg.nn.parameter(sg.tensor([1, 1]));
    const b = sg.nn.parameter(sg.tensor([1, 1]));
    const c = sg.nn.parameter(sg.tensor([1, 1]));
    const opt = new sg.optim.SGD([{ params: [a], lr: 0.5 }, { params: [b, c] }], { lr: 0.1 });
    expect(opt.lrs).toEqual([0.5, 0.1]);
    for (const p of [a, b, c]) p.grad = sg.keep(sg.tensor([1, 2]));
    c.requiresGrad = false;
    opt.step();
    expect(Array.from(await a.data())).toEqual([0.5, 0]);
    expect(Array.from(await b.data()).map((v) => +v.toFixed(6))).toEqual([0.9, 0.8]);
    expect(Array.from(await c.data())).toEqual([1, 1]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(() => new sg.optim.SGD([{ params: [a] }, { params: [a] }])).toThrow(/more than one parameter group/);
  });

  it('stateDict / loadStateDict resume Adam exactly', async () => {
    const run = async (split: boolean) => {
      const p = sg.nn.parameter(sg.tensor(fixture.p0));
      let opt = new sg.optim.Adam([p], { lr: 0.05 });
      for (let s = 0; s < fixture.grads.length; s++) {
        if (split && s === 2) {
          const state = await opt.stateDict();
          opt = new sg.optim.Adam([p], { lr: 0.05 });
          opt.loadStateDict(state);
        }
        p.grad = sg.keep(sg.tensor(fixture.grads[s]));
        opt.step();
      }
      return Array.from(await p.data());
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

const schedules = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'nn.json'), 'utf8'));

describe('learning-rate schedulers match PyTorch', () => {
  const makers: Record<string, (o: sg.optim.Optimizer<{ lr: number }>) => { step(metric?: number): void }> = {
    StepLR: (o) => new sg.optim.lrScheduler.StepLR(o, 3, 0.5),
    MultiStepLR: (o) => new sg.optim.lrScheduler.MultiStepLR(o, [2, 5, 9], 0.1),
    ExponentialLR: (o) => new sg.optim.lrScheduler.ExponentialLR(o, 0.9),
    CosineAnnealingLR: (o) => new sg.optim.lrScheduler.CosineAnnealingLR(o, 10, 0.001),
    ReduceLROnPlateau: (o) => new sg.optim.lrScheduler.ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(name, () => {
      const p = sg.nn.parameter(sg.zeros([1]));
      const q = sg.nn.parameter(sg.zeros([1]));
      const opt = new sg.optim.SGD(
        [
          { params: [p], lr: 0.1 },
          { params: [q], lr: 0.02 },
        ],
        { lr: 0.1, momentum: 0.9 },
      );
      const sched = make(opt);
      const want: number[][] = schedules.schedulers[name];
      want.forEach((lrs, epoch) => {
        stepWith(sched, schedules.schedulers.plateau_metrics[epoch]);
        lrs.forEach((lr, i) => expect(opt.lrs[i]).toBeCloseTo(lr, 12));
      });
    });
  }
});

describe('learning-rate schedulers resume from their state dict', () => {
  const makers: Record<
    string,
    (o: sg.optim.Optimizer<{ lr: number }>) => {
      step(metric?: number): void;
      stateDict(): object;
      loadStateDict(s: never): void;
    }
  > = {
    StepLR: (o) => new sg.optim.lrScheduler.StepLR(o, 3, 0.5),
    CosineAnnealingLR: (o) => new sg.optim.lrScheduler.CosineAnnealingLR(o, 10, 0.001),
    ReduceLROnPlateau: (o) => new sg.optim.lrScheduler.ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: stopped halfway, saved as JSON, restored into a new optimizer, it continues as PyTorch`, () => {
      const want: number[][] = schedules.schedulers[name];
      const metrics: number[] = schedules.schedulers.plateau_metrics;
      const fresh = () => {
        const opt = new sg.optim.SGD(
          [
            { params: [sg.nn.parameter(sg.zeros([1]))], lr: 0.1 },
            { params: [sg.nn.parameter(sg.zeros([1]))], lr: 0.02 },
          ],
          { lr: 0.1 },
        );
        return { opt, sched: make(opt) };
      };
      const half = Math.floor(want.length / 2);
      const first = fresh();
      for (let e = 0; e < half; e++) stepWith(first.sched, metrics[e]);
      const saved = JSON.parse(JSON.stringify({ sched: first.sched.stateDict(), lrs: first.opt.lrs }));
      const second = fresh();
      second.opt.paramGroups.forEach((g, i) => (g.options.lr = saved.lrs[i])); // as the optimizer's own state dict does
      second.sched.loadStateDict(saved.sched as never);
      for (let e = half; e < want.length; e++) {
        stepWith(second.sched, metrics[e]);
        want[e].forEach((lr, i) => expect(second.opt.lrs[i]).toBeCloseTo(lr, 12));
      }
    });
  }
});

describe('gradient clipping', () => {
  it('clipGradNorm_ returns the total norm and scales every gradient, as PyTorch', async () => {
    const c = schedules.clip;
    const a = sg.nn.parameter(sg.zeros([3]));
    const b = sg.nn.parameter(sg.zeros([2, 2]));
    a.grad = sg.keep(sg.tensor(c.grads[0]));
    b.grad = sg.keep(sg.tensor(c.grads[1], { shape: [2, 2] }));
    const norm = await sg.nn.utils.clipGradNorm_([a, b], c.max_norm).item();
    expect(norm).toBeCloseTo(c.norm, 5);
    const got = [...(await a.grad.data()), ...(await b.grad.data())];
    [...c.clipped[0], ...c.clipped[1]].forEach((v: number, i: number) => expect(got[i]).toBeCloseTo(v, 6));
  });

  it('clipGradValue_ clamps elements', async () => {
    const a = sg.nn.parameter(sg.zeros([4]));
    a.grad = sg.keep(sg.tensor([-3, -0.5, 0.5, 3]));
    sg.nn.utils.clipGradValue_([a], 1);
    expect(await a.grad.toArray()).toEqual([-1, -0.5, 0.5, 1]);
  });
});

/** `step(metric)` for ReduceLROnPlateau, `step()` for the epoch-based schedules (which take no argument). */
function stepWith(sched: { step(...args: never[]): void }, metric: number): void {
  if (sched instanceof sg.optim.lrScheduler.ReduceLROnPlateau) sched.step(metric);
  else (sched as { step(): void }).step();
}
