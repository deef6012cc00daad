// Lifetimes: ops on disposed tensors throw before allocating anything, tidy releases what its
// function made when it throws, modules and optimisers free what they hold.
import { describe, it, expect, beforeAll } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

/** Runs `fn`, expecting an error matching `message`, and returns the GPU memory it left behind. */
function leftBehind(fn: () => unknown, message: RegExp): { tensors: number; bytes: number } {
  const before = sg.memory();
  expect(fn).toThrow(message);
  const after = sg.memory();
  return { tensors: after.liveTensors - before.liveTensors, bytes: after.bytesInUse - before.bytesInUse };
}

describe('an op on a disposed tensor', () => {
  const live = () => sg.ones([4, 4]);
  interface Extra {
    image: sg.Tensor;
    target: sg.Tensor;
  }
  const ops: Record<string, (d: sg.Tensor, l: sg.Tensor, e: Extra) => unknown> = {
    add: (d, l) => sg.add(d, l),
    'add (second operand)': (d, l) => sg.add(l, d),
    'mul scalar': (d) => d.mul(2),
    sub: (d, l) => l.sub(d),
    div: (d, l) => d.div(l),
    maximum: (d, l) => sg.maximum(l, d),
    neg: (d) => d.neg(),
    exp: (d) => sg.exp(d),
    log: (d) => d.log(),
    relu: (d) => d.relu(),
    sigmoid: (d) => d.sigmoid(),
    tanh: (d) => d.tanh(),
    pow: (d) => d.pow(2),
    clone: (d) => d.clone(),
    sum: (d) => d.sum(),
    'sum dim': (d) => d.sum(1),
    mean: (d) => d.mean(0),
    max: (d) => d.max(1),
    argmax: (d) => d.argmax(1),
    matmul: (d, l) => l.matmul(d),
    transpose: (d) => d.transpose(0, 1),
    permute: (d) => d.permute([1, 0]),
    reshape: (d) => d.reshape([16]),
    slice: (d) => d.slice(0, 1, 3),
    cat: (d, l) => sg.cat([l, d], 0),
    expand: (d) => sg.expand(d.reshape([1, 16]), [3, 16]),
    eq: (d, l) => d.eq(l),
    where: (d, l) => sg.where(l, d, l),
    cast: (d) => d.int(),
    softmax: (d) => sg.softmax(d, 1),
    logSoftmax: (d) => sg.logSoftmax(d, 1),
    conv2d: (d, _, e) => sg.conv2d(e.image, d.reshape([1, 1, 4, 4])),
    'conv2d (input)': (d) => sg.conv2d(d.reshape([1, 1, 4, 4]), sg.ones([1, 1, 3, 3])),
    maxPool2d: (d) => sg.maxPool2d(d.reshape([1, 1, 4, 4]), 2),
    avgPool2d: (d) => sg.avgPool2d(d.reshape([1, 1, 4, 4]), 2),
    mseLoss: (d, l) => sg.mseLoss(d, l),
    crossEntropy: (d, _, e) => sg.crossEntropy(d, e.target),
    dropout: (d) => sg.dropout(d, 0.5, true),
    gelu: (d) => sg.gelu(d),
    layerNorm: (d) => sg.layerNorm(d, [4]),
    copy_: (d, l) => l.copy_(d),
    add_: (d, l) => l.add_(d),
    zerosLike: (d) => sg.zerosLike(d),
  };
  for (const [name, op] of Object.entries(ops)) {
    it(`${name} throws naming the disposal and allocates nothing`, () => {
      const d = live();
      const l = live();
      const e = { image: sg.ones([1, 1, 4, 4]), target: sg.tensor([0, 1, 2, 3], { dtype: 'int32' }) };
      d.dispose();
      const left = sg.tidy(() => leftBehind(() => op(d, l, e), /disposed/));
      expect(left).toEqual({ tensors: 0, bytes: 0 });
      for (const t of [l, e.image, e.target]) t.dispose();
    });
  }
});

describe('numbers refused before anything is allocated', () => {
  it('int32 values that overflow, NaN and infinities are refused, as PyTorch does', () => {
    const before = sg.memory().liveTensors;
    for (const v of [3e9, 2 ** 31, -(2 ** 31) - 1, NaN, Infinity, -Infinity])
      expect(() => sg.tensor([1, v], { dtype: 'int32' })).toThrow(
        `tensor: value ${v} (element 1) cannot be converted to type int32 without overflow`,
      );
    expect(() => sg.full([2], 3e9, { dtype: 'int32' })).toThrow(/full: value 3000000000 cannot be converted/);
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('int32 limits and fractions (truncated toward zero) are accepted', async () => {
    const t = sg.tensor([2 ** 31 - 1, -(2 ** 31), 1.5, -2.5], { dtype: 'int32' });
    expect(Array.from(await t.data())).toEqual([2147483647, -2147483648, 1, -2]);
    t.dispose();
  });

  it('shapes with NaN, infinities, fractions or negative sizes are refused by the shape check', () => {
    const before = sg.memory().liveTensors;
    expect(() => sg.zeros([NaN])).toThrow(/NaN/);
    expect(() => sg.ones([2, Infinity])).toThrow(/Infinity/);
    expect(() => sg.zeros([2.5])).toThrow(/2.5/);
    expect(() => sg.zeros([-1])).toThrow(
      'zeros: trying to create a tensor with negative dimension -1 (dimension 0): [-1]',
    );
    expect(() => sg.randn([3, -2])).toThrow(/negative dimension -2/);
    expect(() => sg.tensor([1, 2], { shape: [NaN] })).toThrow();
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('requiresGrad on an int32 tensor is refused in every form', () => {
    const t = sg.tensor([1, 2], { dtype: 'int32' });
    expect(() => {
      t.requiresGrad = true;
    }).toThrow(/only float32 tensors can require gradients/);
    expect(() => t.requiresGrad_()).toThrow(/only float32 tensors can require gradients/);
    expect(() => sg.tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(/only float32/);
    expect(() => sg.zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow(/only float32/);
    expect(t.requiresGrad).toBe(false);
    t.requiresGrad = false;
    t.dispose();
  });
});

describe('tidy, modules and optimisers free what they hold', () => {
  it('tidy releases everything made inside it when its function throws', () => {
    const before = sg.memory();
    expect(() =>
      sg.tidy(() => {
        const a = sg.ones([64, 64]);
        a.mul(2).add(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(sg.memory().liveTensors).toBe(before.liveTensors);
    expect(sg.memory().bytesInUse).toBe(before.bytesInUse);
  });

  function trainedModel(): { model: sg.nn.Module; opt: sg.optim.Adam } {
    const model = new sg.nn.Sequential(
      new sg.nn.Conv2d(2, 4, 3),
      new sg.nn.BatchNorm2d(4),
      new sg.nn.Flatten(),
      new sg.nn.Linear(16, 3),
    );
    const opt = new sg.optim.Adam(model.parameters(), { lr: 0.01 });
    sg.tidy(() => {
      const loss = model.forward(sg.ones([2, 2, 4, 4])).sum();
      loss.backward();
      opt.step();
    });
    return { model, opt };
  }

  it('Module.dispose() frees parameters, gradients and buffers; Optimizer.dispose() its state', () => {
    const before = sg.memory();
    const { model, opt } = trainedModel();
    const params = model.parameters().reduce((n, p) => n + p.size * 4, 0);
    const afterStep = sg.memory().bytesInUse - before.bytesInUse;
    // Parameters, their gradients, Adam's two moments (and amsgrad placeholders), BN buffers.
    expect(afterStep).toBeGreaterThanOrEqual(4 * params);
    opt.dispose();
    opt.dispose();
    const afterOpt = sg.memory().bytesInUse - before.bytesInUse;
    expect(afterStep - afterOpt).toBeGreaterThanOrEqual(2 * params);
    model.dispose();
    model.dispose();
    expect(sg.memory().liveTensors).toBe(before.liveTensors);
    expect(sg.memory().bytesInUse).toBe(before.bytesInUse);
    expect(() => model.forward(sg.ones([1, 2, 4, 4]))).toThrow(/disposed/);
  });

  it('an optimiser dropped without dispose() frees its state when garbage-collected', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const model = new sg.nn.Linear(64, 64);
    const base = sg.memory().bytesInUse;
    (() => {
      const opt = new sg.optim.Adam(model.parameters());
      sg.tidy(() => {
        model
          .forward(sg.ones([2, 64]))
          .sum()
          .backward();
        opt.step();
      });
    })();
    const withState = sg.memory().bytesInUse;
    model.zeroGrad();
    expect(withState - base).toBeGreaterThan(2 * 64 * 65 * 4);
    for (let i = 0; i < 20 && sg.memory().bytesInUse > base; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sg.memory().bytesInUse).toBe(base);
    model.dispose();
  });
});

describe('shutdown and init', () => {
  it('concurrent sg.init() calls share one start; a second call is harmless', async () => {
    const a = sg.init();
    const b = sg.init();
    expect(await a).toEqual(await b);
  });

  it('after sg.shutdown(): a clear error, dispose() a no-op, and old tensors name sg.shutdown()', async () => {
    const old = sg.tensor([1, 2, 3]);
    await sg.shutdown();
    expect(() => sg.zeros([2])).toThrow(/shut down \(sg.shutdown\(\)\); call sg.init\(\) again/);
    expect(() => old.dispose()).not.toThrow();
    const [x, y] = await Promise.all([sg.init(), sg.init()]);
    expect(x).toEqual(y);
    const stale = sg.tensor([1]);
    await sg.shutdown();
    await sg.init();
    expect(() => stale.mul(2)).toThrow(/made before sg.shutdown\(\)/);
    await expect(stale.data()).rejects.toThrow(/made before sg.shutdown\(\)/);
    expect(() => stale.dispose()).not.toThrow();
    expect(() => old.dispose()).not.toThrow();
    const fresh = sg.tensor([7, 8]).mul(2);
    expect(Array.from(await fresh.data())).toEqual([14, 16]);
    fresh.dispose();
  });
});
