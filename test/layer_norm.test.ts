// LayerNorm over the last dims and ConvNeXt's channels-first LayerNorm2d against a float64
// reference (test/ref/layer_norm.ts) on odd widths around the workgroup size, widths of real
// models (96 ... 1280), every kernel (one workgroup per row; one invocation per position; version
// 02's invocation per row on vec4s),
// with and without affine parameters; and against PyTorch 1.13 (test/fixtures/layers/layer_norm.json).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { setLayerNormKernel } from '../src/ops/layer_norm.js';
import { setBindingLimitForTesting } from '../src/gpu/chunks.js';
import { channelsFirst, lastDims, layerNormRef } from './ref/layer_norm.js';
import { checkOp, expectClose, randomNd, toTensor } from './helpers.js';
import { deterministicInput, setDeterministic } from './ref/deterministic.js';

beforeAll(async () => {
  await sg.init();
});

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/layers/layer_norm.json'), 'utf8'));

describe('layerNorm over the last dims', () => {
  afterAll(() => setLayerNormKernel(null));
  // [input shape, trailing dims normalised]: tiny rows, odd widths, model widths, more rows than
  // fit one dispatch row, a 2-D normalized shape.
  const cases: Array<[number[], number]> = [
    [[3, 5], 1],
    [[2, 3, 7], 1],
    [[4, 1], 1],
    [[5, 96], 1],
    [[2, 3, 257], 1],
    [[3, 768], 1],
    [[2, 1001], 1],
    [[2, 1280], 1],
    [[2, 3, 4], 2],
    [[70, 9], 1],
    [[3, 2, 5, 3], 3],
  ];
  for (const [shape, dims] of cases) {
    const normalized = shape.slice(shape.length - dims);
    // Every kernel for contiguous rows: one workgroup per row (GPUs), one invocation per row (CPU
    // adapters), and version 02's invocation per row on vec4s (D a multiple of 4; others fall back).
    for (const kernel of ['rows', 'columns', 'vec4_rows'] as const) {
      it(`[${shape}] over [${normalized}], affine and not, ${kernel} kernel`, async () => {
        setLayerNormKernel(kernel);
        const x = randomNd(shape, shape.length * 31 + shape[shape.length - 1], -2, 3);
        const w = randomNd(normalized, 5, 0.5, 1.5);
        const b = randomNd(normalized, 6, -0.5, 0.5);
        await checkOp(
          `layer_norm [${shape}]`,
          [x, w, b],
          (t, wt, bt) => sg.layerNorm(t, normalized, wt, bt, 1e-5),
          layerNormRef(lastDims(dims), 1e-5, true),
        );
        await checkOp(
          `layer_norm [${shape}] no affine`,
          [x],
          (t) => sg.layerNorm(t, normalized, null, null, 1e-6),
          layerNormRef(lastDims(dims), 1e-6, false),
        );
      });
    }
  }
});

describe('layerNorm version 02 (vec4 rows)', () => {
  afterAll(() => setLayerNormKernel(null));
  it('runs where D divides by 4 and falls back to one float per load otherwise', async () => {
    setLayerNormKernel('vec4_rows');
    for (const [d, kernel] of [
      [768, 'layernorm_02_vec4_rows'],
      [1001, 'layernorm_forward'],
    ] as const) {
      const [x, w, b] = [randomNd([5, d], d, -2, 3), randomNd([d], 5, 0.5, 1.5), randomNd([d], 6, -0.5, 0.5)];
      const [tx, tw, tb] = [x, w, b].map((t) => toTensor(t));
      let y: sg.Tensor | null = null;
      const p = await sg.profile(() => void (y = sg.keep(sg.layerNorm(tx, [d], tw, tb))), {
        timing: 'sync',
        peaks: false,
      });
      expect(p.launches.map((l) => l.kernel)).toEqual([kernel]);
      const want = layerNormRef(lastDims(1), 1e-5, true).forward(x, w, b);
      expectClose(await y!.data(), want.data, `layer_norm [5, ${d}]`);
      for (const t of [tx, tw, tb, y!]) t.dispose();
    }
  });
});

describe('layerNorm2d over the channels of NCHW (no permuted copies)', () => {
  const shapes = [
    [2, 5, 3, 3],
    [1, 96, 7, 7],
    [3, 4, 1, 1],
    [2, 3, 17, 16],
    [1, 1, 2, 3],
  ];
  for (const shape of shapes) {
    it(`[${shape}]`, async () => {
      const x = randomNd(shape, shape[1] * 7 + shape[2], -2, 2);
      const w = randomNd([shape[1]], 8, 0.5, 1.5);
      const b = randomNd([shape[1]], 9, -0.5, 0.5);
      await checkOp(
        `layer_norm2d [${shape}]`,
        [x, w, b],
        (t, wt, bt) => sg.layerNorm2d(t, wt, bt, 1e-6),
        layerNormRef(channelsFirst, 1e-6, true),
      );
    });
  }

  it('equals permute + layerNorm + permute, forward and backward', async () => {
    const x = sg.randn([2, 6, 5, 3], { requiresGrad: true });
    const w = sg.uniform([6], 0.5, 1.5, { requiresGrad: true });
    const direct = sg.layerNorm2d(x, w, null, 1e-6);
    direct.pow(2).sum().backward();
    const [gx, gw] = [x.grad!, w.grad!];
    x.grad = null;
    w.grad = null;
    const viaPermute = sg.layerNorm(x.permute([0, 2, 3, 1]), [6], w, null, 1e-6).permute([0, 3, 1, 2]);
    viaPermute.pow(2).sum().backward();
    expectClose(await direct.data(), await viaPermute.data(), 'forward');
    expectClose(await gx.data(), await x.grad!.data(), 'dx');
    expectClose(await gw.data(), await w.grad!.data(), 'dweight');
  });
});

describe('LayerNorm and LayerNorm2d modules against PyTorch 1.13', () => {
  const make: Record<string, () => sg.nn.LayerNorm> = {
    last_dim: () => new sg.nn.LayerNorm(6),
    two_dims_no_affine: () => new sg.nn.LayerNorm([4, 6], { elementwiseAffine: false }),
    vit_width: () => new sg.nn.LayerNorm(768, { eps: 1e-6 }),
    odd_width: () => new sg.nn.LayerNorm(1001, 1e-6),
    layernorm2d: () => new sg.nn.LayerNorm2d(5, { eps: 1e-6 }),
    layernorm2d_wide: () => new sg.nn.LayerNorm2d(96, { eps: 1e-6 }),
  };
  const inputs: Record<string, (x: sg.Tensor) => sg.Tensor> = {
    two_dims_no_affine: (x) => x.mul(3).add(1),
    odd_width: (x) => x.add(0.5),
  };

  for (const [name, build] of Object.entries(make)) {
    it(`${name}: repr, keys, output and gradients`, async () => {
      const rec = fixture.cases[name];
      const m = build();
      expect(m.toString()).toBe(rec.repr);
      expect([...m.stateDict()].map(([k, t]) => [k, t.shape])).toEqual(rec.keys);
      setDeterministic(m);
      const x = sg.tidy(() =>
        (inputs[name] ?? ((t: sg.Tensor) => t.reshape(t.shape)))(deterministicInput(rec.inputs[0])),
      );
      x.requiresGrad = true;
      const y = m.forward(x);
      const n = y.size;
      const u = sg.tensor(
        Float32Array.from({ length: n }, (_, i) => Math.cos(0.291 * i + 0.5)),
        { shape: y.shape },
      );
      y.mul(u).sum().backward();
      expectClose(await y.data(), rec.out, `${name} forward`, { rtol: 1e-4, atol: 1e-5 });
      expectClose(await x.grad!.data(), rec.input_grads[0], `${name} dx`, { rtol: 1e-4, atol: 1e-5 });
      for (const [key, p] of m.namedParameters())
        expectClose(await p.grad!.data(), rec.param_grads[key], `${name} d${key}`, { rtol: 1e-4, atol: 1e-5 });
      m.zeroGrad();
      for (const t of [x, y, u, x.grad!]) t.dispose();
    });
  }
});

describe('inputs larger than one storage binding', () => {
  afterAll(() => setBindingLimitForTesting(null));

  it('run in runs of leading indices, with the same output and gradients', async () => {
    // [7, 3, 9, 11] floats are 8,316 bytes: a 2 KiB limit runs them one leading index at a time.
    const run = async (limit: number | null) => {
      setBindingLimitForTesting(limit);
      sg.manualSeed(4);
      const x = sg.randn([7, 3, 9, 11], { requiresGrad: true });
      const w = sg.uniform([3], 0.5, 1.5, { requiresGrad: true });
      const y2d = sg.layerNorm2d(x, w, null);
      const y = sg.layerNorm(x, [11], null, null);
      y2d.pow(2).sum().add(y.mul(y2d).sum()).backward();
      setBindingLimitForTesting(null);
      return Promise.all([y2d.data(), y.data(), x.grad!.data(), w.grad!.data()]);
    };
    const whole = await run(null);
    const split = await run(2048);
    for (const [i, what] of ['layerNorm2d', 'layerNorm', 'dx', 'dweight'].entries())
      expectClose(split[i], whole[i], what);
  });
});

describe('errors and memory', () => {
  it('name the op and both shapes, before any GPU work', () => {
    const x = sg.zeros([2, 3, 4]);
    const w = sg.ones([5]);
    expect(() => sg.layerNorm(x, [5])).toThrow(
      'layer_norm: input of shape [2, 3, 4] does not end with normalized shape [5]',
    );
    expect(() => sg.layerNorm(x, [4], w)).toThrow(
      'layer_norm: weight of shape [5] does not match normalized shape [4] of input [2, 3, 4]',
    );
    expect(() => sg.layerNorm2d(x)).toThrow('layer_norm2d: expected a 4D input [N, C, H, W], got shape [2, 3, 4]');
    expect(() => new sg.nn.LayerNorm2d(3).forward(sg.zeros([1, 4, 2, 2]))).toThrow(
      'LayerNorm2d: input of shape [1, 4, 2, 2] has 4 channels, expected 3',
    );
    x.dispose();
    w.dispose();
  });

  it('free their statistics with the graph', () => {
    const m = new sg.nn.LayerNorm(16);
    const x = sg.randn([4, 16], { requiresGrad: true });
    const before = sg.memory().liveTensors;
    sg.tidy(() => m.forward(x).sum().backward());
    m.zeroGrad();
    x.grad!.dispose();
    expect(sg.memory().liveTensors).toBe(before);
    x.dispose();
  });
});
