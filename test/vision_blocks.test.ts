// torchvision.ops blocks (Permute, StochasticDepth, SqueezeExcitation, Conv2dNormActivation)
// and parameters assigned directly to a module (ViT's class_token, ConvNeXt's layer_scale),
// against PyTorch 1.13 / torchvision 0.14 (test/fixtures/layers/blocks.json): reprs, state-dict
// keys in order, outputs and gradients; ConvNeXt's CNBlock assembled from them; stochastic
// depth's statistics and identity in eval.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { expectClose } from './helpers.js';
import { deterministicInput, setDeterministic } from './ref/deterministic.js';

const { nn } = sg;

beforeAll(async () => {
  await sg.init();
});

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/layers/blocks.json'), 'utf8'));

/** torchvision.models.convnext.CNBlock, written with our layers as a model file would. */
class CNBlock extends nn.Module {
  block: sg.nn.Sequential;
  layer_scale: sg.nn.Parameter;
  stochastic_depth: sg.nn.StochasticDepth;

  constructor(dim: number, layerScale: number, stochasticDepthProb: number) {
    super();
    this.block = new nn.Sequential(
      new nn.Conv2d(dim, dim, 7, { padding: 3, groups: dim, bias: true }),
      new nn.Permute([0, 2, 3, 1]),
      new nn.LayerNorm(dim, { eps: 1e-6 }),
      new nn.Linear(dim, 4 * dim),
      new nn.GELU(),
      new nn.Linear(4 * dim, dim),
      new nn.Permute([0, 3, 1, 2]),
    );
    this.layer_scale = nn.parameter(sg.full([dim, 1, 1], layerScale));
    this.stochastic_depth = new sg.ops.StochasticDepth(stochasticDepthProb, 'row');
  }

  forward(x: sg.Tensor): sg.Tensor {
    return this.stochastic_depth.forward(this.layer_scale.mul(this.block.forward(x))).add(x);
  }
}

/** Parameters straight on a module, between submodules (as ViT's class_token and ConvNeXt's layer_scale). */
class Tiny extends nn.Module {
  conv_proj = new nn.Conv2d(3, 8, 2, { stride: 2 });
  class_token = nn.parameter(sg.zeros([1, 1, 8]));
  ln = new nn.LayerNorm(8, { eps: 1e-6 });
  layer_scale = nn.parameter(sg.full([8], 1e-6));

  forward(x: sg.Tensor): sg.Tensor {
    const patches = this.conv_proj.forward(x).flatten(2).transpose(1, 2);
    const tokens = sg.cat([sg.expand(this.class_token, [x.shape[0], 1, 8]), patches], 1);
    return this.ln.forward(tokens).mul(this.layer_scale);
  }
}

const cases: Record<string, { make: () => sg.nn.Module; input?: (x: sg.Tensor) => sg.Tensor; eval?: boolean }> = {
  se: { make: () => new nn.SqueezeExcitation(8, 2) },
  se_silu_hardsigmoid: {
    make: () => new sg.ops.SqueezeExcitation(6, 3, { activation: nn.SiLU, scaleActivation: nn.Hardsigmoid }),
    input: (x) => x.mul(2),
  },
  cna_hardswish: {
    make: () => new nn.Conv2dNormActivation(4, 6, { kernelSize: 3, stride: 2, activationLayer: nn.Hardswish }),
    eval: true,
  },
  cna_depthwise_plain: {
    make: () => new sg.ops.Conv2dNormActivation(4, 4, { groups: 4, normLayer: null, activationLayer: null }),
  },
  cna_5x5_silu_eps: {
    make: () =>
      new nn.Conv2dNormActivation(3, 5, {
        kernelSize: 5,
        normLayer: (c: number) => new nn.BatchNorm2d(c, { eps: 1e-3 }),
        activationLayer: nn.SiLU,
        bias: true,
      }),
    eval: true,
  },
  cnblock: { make: () => new CNBlock(8, 1e-6, 0.1), eval: true },
  tiny_parameters: { make: () => new Tiny() },
};

describe('blocks against PyTorch 1.13 / torchvision 0.14', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: repr, state-dict keys in order, output and every gradient`, async () => {
      const rec = fixture.cases[name];
      const m = c.make();
      if (c.eval) m.eval();
      expect(m.toString()).toBe(rec.repr);
      expect([...m.stateDict()].map(([k, t]) => [k, t.shape])).toEqual(rec.keys);
      setDeterministic(m);
      const x = sg.tidy(() => (c.input ?? ((t: sg.Tensor) => t.reshape(t.shape)))(deterministicInput(rec.inputs[0])));
      x.requiresGrad = true;
      const y = m.forward(x) as sg.Tensor;
      expect(y.shape).toEqual(rec.out_shape);
      const u = sg.tensor(
        Float32Array.from({ length: y.size }, (_, i) => Math.cos(0.291 * i + 0.5)),
        { shape: y.shape },
      );
      sg.tidy(() => y.mul(u).sum().backward());
      expectClose(await y.data(), rec.out, `${name} output`, { rtol: 1e-4, atol: 1e-5 });
      expectClose(await x.grad!.data(), rec.input_grads[0], `${name} input gradient`, { rtol: 1e-4, atol: 1e-5 });
      const grads = m.namedParameters().filter(([, p]) => p.grad);
      expect(grads.map(([k]) => k).sort()).toEqual(Object.keys(rec.param_grads).sort());
      for (const [key, p] of grads)
        expectClose(await p.grad!.data(), rec.param_grads[key], `${name} d${key}`, { rtol: 1e-4, atol: 1e-5 });
      m.zeroGrad();
      for (const t of [x, y, u, x.grad!]) t.dispose();
    });
  }

  it('parameters on a module load and save by their own names (loadStateDict round trip)', async () => {
    const a = new Tiny();
    const b = new Tiny();
    setDeterministic(a);
    b.loadStateDict(a.stateDict());
    expect(Array.from(await b.class_token.data())).toEqual(Array.from(await a.class_token.data()));
    expect(Array.from(await b.layer_scale.data())).toEqual(Array.from(await a.layer_scale.data()));
    expect(b.namedParameters().map(([k]) => k)).toEqual([
      'class_token',
      'layer_scale',
      'conv_proj.weight',
      'conv_proj.bias',
      'ln.weight',
      'ln.bias',
    ]);
    const partial = new Map([...a.stateDict()].filter(([k]) => k !== 'class_token'));
    expect(() => b.loadStateDict(partial)).toThrow('Missing key(s) in state_dict: "class_token".');
  });

  it('sg.summary lists a module that returns several results (MultiheadAttention) by its output', () => {
    class Block extends nn.Module {
      attn = new nn.MultiheadAttention(8, 2, { batchFirst: true });
      ln = new nn.LayerNorm(8);
      forward(x: sg.Tensor): sg.Tensor {
        return this.ln.forward(this.attn.forward(x, x, x, { needWeights: false })[0]);
      }
    }
    const text = sg.summary(new Block(), [5, 8]);
    // out_proj is not called as a module (PyTorch passes its weights to the functional form).
    expect(text).toMatch(/MultiheadAttention-1 +\[-1, 5, 8\] +0\n +LayerNorm-2 +\[-1, 5, 8\] +16\n/);
  });

  it('print as torchvision prints them', () => {
    const r = fixture.reprs;
    expect(new nn.Permute([0, 2, 3, 1]).toString()).toBe(r.permute);
    expect(new nn.StochasticDepth(0.2, 'row').toString()).toBe(r.stochastic_depth);
    expect(new nn.StochasticDepth(0.125, 'batch').toString()).toBe(r.stochastic_depth_batch);
    expect(new nn.LayerNorm2d(96, { eps: 1e-6 }).toString()).toBe(r.layernorm2d);
    expect(new nn.LayerNorm(768, { eps: 1e-6 }).toString()).toBe(r.layernorm);
    expect(new nn.LayerNorm([3, 4], { elementwiseAffine: false }).toString()).toBe(r.layernorm_no_affine);
    expect(new nn.MultiheadAttention(768, 12, { batchFirst: true }).toString()).toBe(r.mha);
    expect(new nn.Conv2dNormActivation(32, 64, { kernelSize: 1, activationLayer: nn.ReLU6 }).toString()).toBe(
      r.cna_relu6,
    );
  });

  it('Conv2dNormActivation is a Sequential: indexing, outChannels, positional arguments', () => {
    const block = new nn.Conv2dNormActivation(3, 16, 3, 2, null, 1, nn.BatchNorm2d, nn.SiLU);
    expect(block).toBeInstanceOf(nn.Sequential);
    expect(block.length).toBe(3);
    expect(block.at(2)).toBeInstanceOf(nn.SiLU);
    expect(block.outChannels).toBe(16);
    expect((block.at(0) as sg.nn.Conv2d).padding).toEqual([1, 1]);
    const dilated = new nn.Conv2dNormActivation(8, 8, { kernelSize: [3, 5], dilation: 2 });
    expect((dilated.at(0) as sg.nn.Conv2d).padding).toEqual([2, 4]);
  });
});

describe('StochasticDepth', () => {
  it('is the identity in eval mode and for p = 0', async () => {
    const x = sg.randn([4, 3, 2]);
    const m = new nn.StochasticDepth(0.5, 'row').eval();
    expectClose(await m.forward(x).data(), await x.data(), 'eval');
    expectClose(await sg.stochasticDepth(x, 0, 'row').data(), await x.data(), 'p = 0');
    x.dispose();
  });

  it("'row' zeroes whole samples with probability p and scales the rest by 1 / (1 - p); gradient likewise", async () => {
    sg.manualSeed(3);
    const x = sg.ones([400, 3, 2], { requiresGrad: true });
    const y = sg.stochasticDepth(x, 0.25, 'row');
    y.sum().backward();
    const values = await y.data();
    const grads = await x.grad!.data();
    let dropped = 0;
    for (let n = 0; n < 400; n++) {
      const sample = Array.from(values.slice(n * 6, n * 6 + 6));
      expect(new Set(sample).size, `sample ${n} is all one value`).toBe(1);
      expect([0, 1 / 0.75].some((v) => Math.abs(sample[0] - v) < 1e-6)).toBe(true);
      expect(grads[n * 6]).toBeCloseTo(sample[0], 6);
      if (sample[0] === 0) dropped++;
    }
    // 400 draws of p = 0.25: 100 expected, standard deviation 8.7.
    expect(dropped).toBeGreaterThan(65);
    expect(dropped).toBeLessThan(135);
  });

  it("'batch' keeps or drops the whole batch; p = 1 drops everything", async () => {
    const x = sg.ones([5, 4]);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const values = Array.from(await sg.tidy(() => sg.stochasticDepth(x, 0.5, 'batch')).data());
      expect(new Set(values).size).toBe(1);
      seen.add(values[0].toFixed(3));
    }
    expect([...seen].sort()).toEqual(['0.000', '2.000']);
    expect(Array.from(await sg.stochasticDepth(x, 1, 'row').data()).every((v) => v === 0)).toBe(true);
    x.dispose();
  });

  it('rejects bad p and mode', () => {
    const x = sg.ones([2, 2]);
    expect(() => sg.stochasticDepth(x, 1.5, 'row')).toThrow(
      'stochastic_depth: drop probability has to be between 0 and 1, but got 1.5',
    );
    expect(() => sg.stochasticDepth(x, 0.5, 'col' as 'row')).toThrow(
      "stochastic_depth: mode has to be either 'batch' or 'row', but got col",
    );
    expect(() => new nn.StochasticDepth(-0.1, 'row')).toThrow('StochasticDepth: drop probability');
    x.dispose();
  });
});
