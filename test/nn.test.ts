// The module system against real PyTorch (test/fixtures/nn.json, written by
// tools/fixtures/make_nn_fixtures.py): printed form, parameter names, state_dict keys and
// shapes, parameter counts; Sequential indexing and replacement; freezing; state loading.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const { nn } = sg;
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'nn.json'), 'utf8'));

beforeAll(async () => {
  await sg.init();
});

/** The reference MNIST network, written as a user would. */
class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU({ inplace: true }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, 1, 1),
    new nn.ReLU(true),
    new nn.MaxPool2d(2, 2),
  );
  classifier = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(128, 10),
  );

  forward(x: sg.Tensor): sg.Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

class Misc extends nn.Module {
  conv = new nn.Conv2d(4, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: 2, groups: 2, bias: false });
  pool = new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
  avg = new nn.AvgPool2d(2);
  adaptive = new nn.AdaptiveAvgPool2d([7, 7]);
  adaptive1 = new nn.AdaptiveAvgPool2d(1);
  drop = new nn.Dropout({ p: 0.25 });
  head = new nn.Linear(10, 3, { bias: false });
  act = new nn.Sigmoid();
  id = new nn.Identity();
  flat = new nn.Flatten(0);
  sm = new nn.Softmax(1);

  forward(x: sg.Tensor): sg.Tensor {
    return x;
  }
}

const count = (m: sg.nn.Module) => m.parameters().reduce((n, p) => n + p.size, 0);

describe('modules match PyTorch', () => {
  for (const [name, make] of [
    ['Net', () => new Net()],
    ['Misc', () => new Misc()],
  ] as const) {
    it(`${name}: toString(), parameter names, state_dict keys and shapes, parameter count`, () => {
      const model = make();
      const want = fixture.models[name];
      expect(model.toString()).toBe(want.repr);
      expect(model.namedParameters().map(([k]) => k)).toEqual(want.named_parameters);
      expect([...model.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(want.state_dict);
      expect(count(model)).toBe(want.num_parameters);
    });
  }

  it('initialisation follows PyTorch: weights and biases within 1/sqrt(fan_in)', async () => {
    sg.manualSeed(0);
    const conv = new nn.Conv2d(16, 8, 3);
    const bound = 1 / Math.sqrt(16 * 9);
    const w = await conv.weight.data();
    expect(w.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...w)).toBeGreaterThan(bound * 0.9);
    const b = await conv.bias!.data();
    expect(b.every((v) => Math.abs(v) <= bound)).toBe(true);
  });
});

describe('Sequential', () => {
  it('indexes, replaces (re-registering parameters), slices with the original names, iterates', () => {
    const net = new Net();
    const before = count(net);
    expect(net.classifier[4]).toBeInstanceOf(nn.Linear);
    expect(net.classifier.length).toBe(5);
    net.classifier[4] = new nn.Linear(128, 3);
    expect(count(net)).toBe(before - (128 * 10 + 10) + (128 * 3 + 3));
    expect(net.namedParameters().map(([k]) => k)).toContain('classifier.4.weight');
    expect((net.classifier[4] as sg.nn.Linear).outFeatures).toBe(3);
    const tail = net.classifier.slice(3);
    expect(tail.namedChildren().map(([k]) => k)).toEqual(['3', '4']);
    expect(tail[4]).toBe(net.classifier[4]);
    expect([...net.features].length).toBe(6);
    expect(net.features.at(-1)).toBeInstanceOf(nn.MaxPool2d);
  });

  it('runs a forward pass with the right shapes', () => {
    const net = new Net();
    const out = net.forward(sg.rand([2, 1, 28, 28]));
    expect(out.shape).toEqual([2, 10]);
  });
});

describe('freezing, modes, state', () => {
  it('requiresGrad_(false) freezes: frozen parameters get no gradient and stay bit-identical after a step', async () => {
    sg.manualSeed(1);
    const net = new Net();
    net.features.requiresGrad_(false);
    const frozenBefore = await net.features[0].namedParameters()[0][1].data();
    const headBefore = await (net.classifier[4] as sg.nn.Linear).weight.data();
    const opt = new sg.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    const loss = sg.crossEntropy(net.forward(sg.rand([4, 1, 28, 28])), sg.tensor([1, 2, 3, 4], { dtype: 'int32' }));
    loss.backward();
    expect(net.features.parameters().every((p) => p.grad === null)).toBe(true);
    opt.step();
    expect(Array.from(await net.features[0].namedParameters()[0][1].data())).toEqual(Array.from(frozenBefore));
    expect(Array.from(await (net.classifier[4] as sg.nn.Linear).weight.data())).not.toEqual(Array.from(headBefore));
  });

  it('train() / eval() reach every submodule; dropout is the identity in eval', async () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    const x = sg.rand([1, 1, 28, 28]);
    const a = await net.forward(x).data();
    const b = await net.forward(x).data();
    expect(Array.from(a)).toEqual(Array.from(b));
    net.train();
    expect(net.classifier[3].training).toBe(true);
  });

  it('loadStateDict copies values; strict mode names missing, unexpected and mis-shaped keys and loads nothing', async () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    expect(Array.from(await b.classifier[1].namedParameters()[0][1].data())).toEqual(
      Array.from(await a.classifier[1].namedParameters()[0][1].data()),
    );
    const c = new Net();
    const before = await c.features[0].namedParameters()[0][1].data();
    const bad = new Map(a.stateDict());
    bad.delete('classifier.4.bias');
    bad.set('extra.weight', sg.zeros([1]));
    bad.set('classifier.1.weight', sg.zeros([5, 5]));
    let message = '';
    try {
      c.loadStateDict(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Error(s) in loading state_dict for Net');
    expect(message).toContain('Missing key(s) in state_dict: "classifier.4.bias"');
    expect(message).toContain('Unexpected key(s) in state_dict: "extra.weight"');
    expect(message).toContain(
      'size mismatch for classifier.1.weight: copying a param with shape [5, 5] from checkpoint, the shape in current model is [128, 3136]',
    );
    expect(Array.from(await c.features[0].namedParameters()[0][1].data())).toEqual(Array.from(before));
    const result = c.loadStateDict(new Map([...a.stateDict()].filter(([k]) => k !== 'classifier.4.bias')), {
      strict: false,
    });
    expect(result.missingKeys).toEqual(['classifier.4.bias']);
  });

  it('a bad input names the layer and the shapes', () => {
    const net = new Net();
    expect(() => net.forward(sg.rand([2, 3, 28, 28]))).toThrow(
      /Conv2d: given groups=1, weight of size \[32, 1, 3, 3\], expected input \[2, 3, 28, 28\] to have 1 channels, but got 3 channels instead/,
    );
    expect(() => net.forward(sg.rand([1, 28, 28]))).toThrow(
      /Conv2d: expected a 4-D input \[N, C, H, W\], got shape \[1, 28, 28\]/,
    );
    expect(() => new nn.Linear(4, 2).forward(sg.rand([3, 5]))).toThrow(
      /Linear: input of shape \[3, 5\] does not match weight \[2, 4\]/,
    );
    expect(() => new nn.MaxPool2d(2).forward(sg.rand([3, 4, 4]))).toThrow(/MaxPool2d: expected a 4-D input/);
    expect(() => new nn.Conv2d(3, 4, 3, { padding: 1, colour: 2 } as never)).toThrow(/Conv2d: unknown option 'colour'/);
  });
});
