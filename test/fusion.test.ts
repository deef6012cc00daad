// Fused layers (src/ops/fused.ts, src/nn/fusion.ts): the fused ops against float64 references
// (test/ref/fused.ts) on odd shapes with poisoned outputs, every convolution version; module
// sequences with fusion on and off (`sg.setFusion`) agreeing within float32 rounding in eval and
// in training (outputs and every parameter's gradient); the folded batch norm's cache following
// in-place writes, optimiser steps and train()/eval(); summary's hooks; no leaks.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { addRelu, conv2dActivation, linearActivation } from '../src/ops/fused.js';
import { setConvVersion, CONV_VERSIONS } from '../src/ops/conv.js';
import { activationRef } from './ref/activation.js';
import { FUSED_ACTS, addReluRef, convActRef, linearActRef, type FusedAct } from './ref/fused.js';
import { awayFrom, checkOp, expectClose, randomNd } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

afterEach(() => {
  sg.setFusion(true);
  setConvVersion(null);
});

const ACTS: FusedAct[] = ['relu', 'relu6', 'silu', 'hardswish'];

/** Odd sizes throughout: channels, planes and batch that divide neither 4 nor 8. */
const CONVS = [
  { x: [2, 3, 7, 9], w: [5, 3, 3, 3], stride: 1, padding: 1 },
  { x: [1, 6, 11, 6], w: [7, 6, 1, 1], stride: 1, padding: 0 },
  { x: [3, 2, 9, 10], w: [9, 2, 3, 3], stride: 2, padding: 1 },
  { x: [1, 4, 13, 13], w: [3, 4, 7, 7], stride: 2, padding: 3 },
  { x: [2, 3, 16, 16], w: [5, 3, 3, 3], stride: 2, padding: 1 }, // 8x8 output planes: the vec4 path of strided convs
  { x: [2, 8, 6, 6], w: [5, 8, 1, 1], stride: 1, padding: 0 }, // pointwise, C and H W multiples of 4: the matmul on x itself
];

describe('fused ops against float64 references', () => {
  for (const version of [null, ...CONV_VERSIONS]) {
    it(`conv2dActivation (conv + bias + act) with ${version ?? "the adapter's choice"}: forward, and relu/relu6 gradients`, async () => {
      setConvVersion(version);
      for (const [k, c] of CONVS.entries()) {
        const o = {
          stride: [c.stride, c.stride] as [number, number],
          padding: [c.padding, c.padding] as [number, number],
          dilation: [1, 1] as [number, number],
          groups: 1,
        };
        for (const act of ACTS) {
          // Inputs in [-3, 3] so relu6 clips at 6 as well as at 0.
          const inputs = [randomNd(c.x, 10 + k, -3, 3), randomNd(c.w, 20 + k), randomNd([c.w[0]], 30 + k)];
          const options = { stride: c.stride, padding: c.padding };
          const f = (x: sg.Tensor, w: sg.Tensor, b: sg.Tensor) => conv2dActivation(x, w, b, options, act);
          // silu and hardswish fuse only without autograd: their gradient runs the unfused ops.
          await checkOp(`${act} conv ${c.x}x${c.w} s${c.stride}`, inputs, f, convActRef(o, act), {
            tol: { rtol: 1e-4, atol: 1e-4 },
            gradTol: { rtol: 1e-4, atol: 1e-3 },
          });
          const ts = inputs.map((t) => sg.tensor(t.data, { shape: t.shape }));
          const y = sg.noGrad(() => f(ts[0], ts[1], ts[2]));
          const want = convActRef(o, act).forward(...inputs);
          expectClose(await y.data(), want.data, `${act} conv (no grad) ${c.x}`, { rtol: 1e-4, atol: 1e-4 });
          for (const t of [...ts, y]) t.dispose();
        }
      }
    });
  }

  it('addRelu: forward and gradients, vec4 and odd sizes, and values exactly at the kink', async () => {
    for (const [k, shape] of [[7], [4], [1029], [2, 3, 5, 7], [2, 8, 6, 6]].entries()) {
      const a = awayFrom(randomNd(shape, 40 + k), [0], 1e-3);
      const b = randomNd(shape, 50 + k);
      await checkOp(`addRelu ${shape}`, [a, b], addRelu, addReluRef, { fd: false });
      // Exactly 0 sums: gradient 0 there, as PyTorch's relu.
      const zero = { shape: a.shape, data: a.data.map((v) => -v) };
      await checkOp(`addRelu at 0 ${shape}`, [a, zero], addRelu, addReluRef, { fd: false });
    }
    // The reference's own gradient by central differences, away from the kink.
    const a = randomNd([3, 5], 61);
    const b = { shape: [3, 5], data: a.data.map((v, i) => 0.3 + 0.1 * Math.sin(i) - v * 0.5) };
    await checkOp('addRelu fd', [a, b], addRelu, addReluRef);
  });

  it('addRelu of broadcasting operands runs as add then relu', async () => {
    const a = sg.randn([2, 3, 4]);
    const b = sg.randn([3, 1]);
    const fused = addRelu(a, b);
    const plain = sg.relu(sg.add(a, b));
    expectClose(await fused.data(), await plain.data(), 'broadcast addRelu');
    for (const t of [a, b, fused, plain]) t.dispose();
  });

  it('linearActivation: forward and gradients on odd and vec4 widths', async () => {
    for (const [k, [m, kk, n]] of [
      [5, 7, 3],
      [4, 9, 8],
      [33, 6, 12],
      [1, 5, 1],
    ].entries()) {
      for (const act of ACTS) {
        const inputs = [randomNd([m, kk], 70 + k, -2, 2), randomNd([n, kk], 80 + k), randomNd([n], 90 + k)];
        const f = (x: sg.Tensor, w: sg.Tensor, b: sg.Tensor) => linearActivation(x, w, b, act);
        await checkOp(`linear ${act} ${m}x${kk}x${n}`, inputs, f, linearActRef(act), {
          gradTol: { rtol: 1e-4, atol: 1e-4 },
        });
      }
    }
  });

  it('relu (float32) by the vectorised activation kernel matches its reference, odd and vec4 sizes', async () => {
    for (const [k, shape] of [[7], [8], [1025], [3, 1029], [2, 4, 6, 6]].entries()) {
      const x = awayFrom(randomNd(shape, 100 + k), [0], 1e-3);
      await checkOp(`relu ${shape}`, [x], sg.relu, activationRef(FUSED_ACTS.relu));
    }
  });
});

// ---- modules: fusion on against fusion off ----

/** Gives a batch norm layer non-trivial running statistics and affine parameters. */
function perturbBatchNorm(bn: sg.nn.BatchNorm2d, seed: number): void {
  const c = bn.numFeatures;
  sg.tidy(() => {
    bn.running_mean.copy_(sg.tensor(randomNd([c], seed).data, { shape: [c] }));
    bn.running_var.copy_(sg.tensor(randomNd([c], seed + 1, 0.5, 2).data, { shape: [c] }));
    bn.weight!.copy_(sg.tensor(randomNd([c], seed + 2, 0.5, 1.5).data, { shape: [c] }));
    bn.bias!.copy_(sg.tensor(randomNd([c], seed + 3).data, { shape: [c] }));
  });
}

/** The model's output with fusion on and off, as arrays. */
async function bothWays(model: sg.nn.Module, x: sg.Tensor): Promise<[Float32Array, Float32Array]> {
  const run = async (on: boolean) => {
    sg.setFusion(on);
    const y = sg.tidy(() => sg.noGrad(() => model.forward(x) as sg.Tensor));
    const data = (await y.data()) as Float32Array;
    y.dispose();
    return data;
  };
  return [await run(true), await run(false)];
}

const close = { rtol: 1e-4, atol: 1e-5 };

describe('module sequences: fused and unfused forwards agree', () => {
  for (const [name, Act] of [
    ['ReLU', sg.nn.ReLU],
    ['ReLU6', sg.nn.ReLU6],
    ['SiLU', sg.nn.SiLU],
    ['Hardswish', sg.nn.Hardswish],
  ] as const) {
    it(`eval: Conv2d -> BatchNorm2d (folded) -> ${name}, and Conv2d(bias) -> ${name}`, async () => {
      const model = new sg.nn.Sequential(
        new sg.nn.Conv2d(3, 6, 3, { padding: 1, bias: false }),
        new sg.nn.BatchNorm2d(6),
        new Act(),
        new sg.nn.Conv2d(6, 5, 3, { stride: 2 }),
        new Act(),
        new sg.nn.Conv2d(5, 7, 1),
        new sg.nn.BatchNorm2d(7),
      ).eval();
      perturbBatchNorm(model[1] as sg.nn.BatchNorm2d, 1);
      perturbBatchNorm(model[6] as sg.nn.BatchNorm2d, 5);
      const x = sg.randn([2, 3, 9, 11]);
      const [fused, plain] = await bothWays(model, x);
      expectClose(fused, plain, `${name} sequence`, close);
      x.dispose();
    });
  }

  it('eval: Conv2dNormActivation and a Linear -> ReLU head', async () => {
    const model = new sg.nn.Sequential(
      new sg.nn.Conv2dNormActivation(3, 5, { kernelSize: 3 }),
      new sg.nn.Flatten(),
      new sg.nn.Linear(5 * 7 * 7, 9),
      new sg.nn.ReLU(),
      new sg.nn.Linear(9, 3),
    ).eval();
    perturbBatchNorm((model[0] as sg.nn.Sequential)[1] as sg.nn.BatchNorm2d, 9);
    const x = sg.randn([3, 3, 7, 7]);
    const [fused, plain] = await bothWays(model, x);
    expectClose(fused, plain, 'Conv2dNormActivation + Linear head', close);
    x.dispose();
  });

  it('ResNet-18 (eval, 32x32, batch norm statistics perturbed) and in training: outputs and gradients agree', async () => {
    const model = (await sg.models.get('resnet18', { numClasses: 10 })) as sg.models.ResNet;
    try {
      model.modules().forEach((m, i) => m instanceof sg.nn.BatchNorm2d && perturbBatchNorm(m, 100 + 7 * i));
      model.eval();
      const x = sg.randn([2, 3, 32, 32]);
      const [fused, plain] = await bothWays(model, x);
      expectClose(fused, plain, 'resnet18 eval', { rtol: 1e-3, atol: 1e-4 });
      // Training: batch statistics (no folding), the residual add + relu fused; same loss and gradients.
      model.train();
      const grads = async (on: boolean) => {
        sg.setFusion(on);
        model.zeroGrad();
        const loss = sg.tidy(() => {
          const l = sg.pow(model.forward(x) as sg.Tensor, 2).mean();
          l.backward();
          return l;
        });
        const out = [await loss.item(), ...(await Promise.all(model.parameters().map((p) => p.grad!.data())))];
        loss.dispose();
        return out;
      };
      // Training mode updates the running statistics: both runs start from the same ones.
      const saved = model.buffers().map((b) => b.clone());
      const on = await grads(true);
      model.buffers().forEach((b, i) => b.copy_(saved[i]));
      const off = await grads(false);
      expect(on[0] as number).toBeCloseTo(off[0] as number, 5);
      for (let i = 1; i < on.length; i++)
        expectClose(on[i] as Float32Array, off[i] as Float32Array, `gradient ${i}`, { rtol: 1e-3, atol: 1e-5 });
      for (const t of [x, ...saved]) t.dispose();
    } finally {
      sg.models.disposeModel(model);
    }
  });

  it('training: Conv2d -> ReLU -> Linear -> ReLU6 gradients agree with fusion on and off', async () => {
    const model = new sg.nn.Sequential(
      new sg.nn.Conv2d(3, 5, 3, { padding: 1 }),
      new sg.nn.ReLU(),
      new sg.nn.Conv2d(5, 4, 3, { stride: 2 }),
      new sg.nn.ReLU6(),
      new sg.nn.Flatten(),
      new sg.nn.Linear(4 * 4 * 5, 6),
      new sg.nn.ReLU6(),
      new sg.nn.Linear(6, 2),
    );
    const x = sg.randn([3, 3, 9, 11], { requiresGrad: true });
    const run = async (on: boolean) => {
      sg.setFusion(on);
      model.zeroGrad();
      x.grad?.dispose();
      x.grad = null;
      const loss = sg.tidy(() => {
        const l = sg.pow(sg.add(model.forward(x), 1), 2).mean();
        l.backward();
        return l;
      });
      const out = [
        await loss.data(),
        await x.grad!.data(),
        ...(await Promise.all(model.parameters().map((p) => p.grad!.data()))),
      ];
      loss.dispose();
      return out;
    };
    const on = await run(true);
    const off = await run(false);
    // Fusion did happen: the graph's nodes are the fused ops.
    const names = (on: boolean) => {
      sg.setFusion(on);
      return sg.tidy(() => {
        const first = new sg.nn.Sequential(model[0], model[1]).forward(x);
        const head = new sg.nn.Sequential(model[5], model[6]).forward(sg.randn([2, 80]));
        return [first.gradFn!.name, head.gradFn!.name];
      });
    };
    expect(names(true)).toEqual(['conv2d_relu', 'linear_bias_relu6']);
    expect(names(false)).toEqual(['relu', 'relu6']);
    on.forEach((v, i) => expectClose(v, off[i], `tensor ${i}`, close));
    x.grad?.dispose();
    x.dispose();
  });
});

describe('the folded batch norm cache', () => {
  it('follows copy_ into the weights, an optimiser step, load_state_dict, and train()/eval()', async () => {
    const conv = new sg.nn.Conv2d(3, 4, 3, { padding: 1 });
    const bn = new sg.nn.BatchNorm2d(4);
    const model = new sg.nn.Sequential(conv, bn, new sg.nn.ReLU()).eval();
    perturbBatchNorm(bn, 3);
    const x = sg.randn([2, 3, 5, 6]);
    const check = async (what: string) => {
      const [fused, plain] = await bothWays(model, x);
      expectClose(fused, plain, what, close);
    };
    await check('first forward');
    sg.tidy(() => conv.weight.copy_(sg.randn(conv.weight.shape)));
    await check('after conv.weight.copy_');
    sg.tidy(() => bn.running_var.copy_(sg.rand([4]).add(0.5)));
    await check('after running_var.copy_');
    // An optimiser step writes the parameters in place.
    const opt = new sg.optim.SGD(model.parameters(), { lr: 0.5 });
    sg.setFusion(false);
    model.train();
    sg.tidy(() => (model.forward(x) as sg.Tensor).sum().backward());
    expect(conv.weight.grad).not.toBeNull();
    opt.step();
    model.eval();
    await check('after train-mode forward and an optimiser step');
    const state = new Map(
      [...model.stateDict()].map(([k, t]) => [k, sg.tidy(() => (t.dtype === 'float32' ? t.add(0.25) : t.clone()))]),
    );
    model.loadStateDict(state);
    for (const t of state.values()) t.dispose();
    await check('after loadStateDict');
    for (const p of model.parameters()) p.grad?.dispose();
    x.dispose();
  });

  it('does not leak: repeated forwards keep the live tensor count, releaseFusionCache frees the folds', async () => {
    const model = new sg.nn.Sequential(new sg.nn.Conv2d(3, 4, 3), new sg.nn.BatchNorm2d(4), new sg.nn.ReLU()).eval();
    const x = sg.randn([1, 3, 6, 6]);
    const before = sg.memory().liveTensors;
    sg.tidy(() => void sg.noGrad(() => model.forward(x)));
    const withCache = sg.memory().liveTensors;
    expect(withCache).toBe(before + 2); // W' and b'
    for (let i = 0; i < 3; i++) sg.tidy(() => void sg.noGrad(() => model.forward(x)));
    expect(sg.memory().liveTensors).toBe(withCache);
    sg.models.disposeModel(model);
    expect(sg.memory().liveTensors).toBe(before - model.stateDict().size);
    x.dispose();
  });

  it('model.dispose() frees the folded weights with the parameters', async () => {
    const model = new sg.nn.Sequential(new sg.nn.Conv2d(3, 4, 3), new sg.nn.BatchNorm2d(4), new sg.nn.ReLU()).eval();
    const x = sg.randn([1, 3, 6, 6]);
    const before = sg.memory();
    sg.tidy(() => void sg.noGrad(() => model.forward(x)));
    expect(sg.memory().liveTensors).toBe(before.liveTensors + 2); // W' and b'
    model.dispose();
    const after = sg.memory();
    expect(after.liveTensors).toBe(before.liveTensors - model.stateDict().size);
    expect(after.bytesInUse).toBeLessThan(before.bytesInUse);
    model.dispose(); // twice is safe
    expect(sg.memory().liveTensors).toBe(after.liveTensors);
    x.dispose();
  });

  it('summary sees every layer with fusion on (its hooks turn fusion off for the wrapped modules)', () => {
    const model = new sg.nn.Sequential(new sg.nn.Conv2d(3, 4, 3), new sg.nn.BatchNorm2d(4), new sg.nn.ReLU()).eval();
    sg.setFusion(false);
    const plain = sg.summary(model, [3, 8, 8]);
    sg.setFusion(true);
    expect(sg.summary(model, [3, 8, 8])).toBe(plain);
    expect(plain).toContain('BatchNorm2d-2');
    sg.models.disposeModel(model);
  });
});
