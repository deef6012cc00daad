// The modern half of the zoo (EfficientNet B0-B7 and V2, MobileNet V2/V3, ConvNeXt, ViT) against
// torchvision 0.14 / PyTorch 1.13 (test/fixtures/zoo/modern_*.json, written by
// tools/fixtures/make_zoo_modern_fixtures.py): printed form, state_dict keys and shapes,
// parameter counts, initialisation, eval-mode logits against PyTorch's float64 ones with
// deterministic weights, training-mode cross-entropy gradients, and torchsummary's table for the
// tutorial's efficientnet_b0.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { expectClose } from './helpers.js';
import { setDeterministic, deterministicInput as input } from './ref/deterministic.js';
import { normalCdf } from './ref/create.js';

const { models, nn } = sg;
const read = (file: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'zoo', file), 'utf8'));
type Options = Record<string, unknown>;
interface Entry {
  name: string;
  options: Options;
  file: string;
}
interface Structure {
  repr: string;
  keys: Array<[string, number[]]>;
  parameters: number;
}
interface Sample {
  shape: number[];
  step: number;
  values: number[];
  norm: number;
}

const MODERN = [
  'efficientnet_b0',
  'efficientnet_b1',
  'efficientnet_b2',
  'efficientnet_b3',
  'efficientnet_b4',
  'efficientnet_b5',
  'efficientnet_b6',
  'efficientnet_b7',
  'efficientnet_v2_s',
  'efficientnet_v2_m',
  'efficientnet_v2_l',
  'mobilenet_v2',
  'mobilenet_v3_small',
  'mobilenet_v3_large',
  'convnext_tiny',
  'convnext_small',
  'convnext_base',
  'convnext_large',
  'vit_b_16',
  'vit_b_32',
  'vit_l_16',
  'vit_l_32',
  'vit_h_14',
];

/** A model from the fixtures' name and (camelCase) options: a builder of sg.models, or the VisionTransformer class. */
function build(name: string, options: Options): sg.nn.Module {
  if (name === 'VisionTransformer')
    return new models.VisionTransformer(options as unknown as sg.models.VisionTransformerOptions);
  const builder = (models as unknown as Record<string, (o: Options) => sg.nn.Module>)[name];
  return builder(options);
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const std = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
};
/** Every `step`-th value, as the fixture stores large tensors. */
const strided = (v: ArrayLike<number>, step: number) =>
  Array.from({ length: Math.ceil(v.length / step) }, (_, i) => v[i * step]);
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));

beforeAll(async () => {
  await sg.init();
});

describe('modern zoo structure matches torchvision 0.14', () => {
  const index: Entry[] = read('modern_structure.json').models;

  it('every model is in sg.models.names and has a fixture', () => {
    for (const name of MODERN) expect(models.names, name).toContain(name);
    expect(new Set(index.map((e) => e.name))).toEqual(new Set([...MODERN, 'VisionTransformer']));
  });

  for (const entry of index) {
    it(`${entry.name}(${JSON.stringify(entry.options)}): repr, state_dict keys and shapes, parameter count`, async () => {
      const want: Structure = read(entry.file);
      const before = sg.memory().liveTensors;
      const model = build(entry.name, entry.options);
      try {
        expect(model.toString()).toBe(want.repr);
        expect([...model.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(want.keys);
        expect(models.countParameters(model)).toBe(want.parameters);
        expect(model.namedParameters().map(([k]) => k)).toEqual(
          want.keys.map(([k]) => k).filter((k) => !/running_|num_batches/.test(k)),
        );
      } finally {
        models.disposeModel(model);
      }
      expect(sg.memory().liveTensors).toBe(before);
      await sg.synchronize();
      sg.emptyCache();
    });
  }

  it('models.get builds them by name, with options', async () => {
    const model = await models.get('mobilenet_v3_small', { numClasses: 4, dropout: 0.1 });
    try {
      expect(model).toBeInstanceOf(models.MobileNetV3);
      expect(model.toString()).toContain('(3): Linear(in_features=1024, out_features=4, bias=True)');
      expect(model.toString()).toContain('(2): Dropout(p=0.1, inplace=True)');
    } finally {
      models.disposeModel(model);
    }
    // A builder given weights loads them (and so returns a Promise), as torchvision's.
    const file = join(tmpdir(), `sg-mnv3-${process.pid}.safetensors`);
    const saved = models.mobilenet_v3_small({ numClasses: 3 });
    await sg.io.save(file, saved.stateDict());
    const loaded = await models.mobilenet_v3_small({ numClasses: 3, weights: file });
    const [w0, w1] = [saved, loaded].map((m) => new Map(m.stateDict()).get('features.4.block.2.fc1.weight')!);
    expect(Array.from(await w1.data())).toEqual(Array.from(await w0.data()));
    models.disposeModel(saved);
    models.disposeModel(loaded);
    rmSync(file);
    // torchvision's norm_layer may be a class or a partial: both forms build the same tree.
    const [a, b] = [
      models.mobilenet_v2({ widthMult: 0.5, normLayer: nn.BatchNorm2d }),
      models.mobilenet_v2({ widthMult: 0.5, normLayer: (c) => new nn.BatchNorm2d(c) }),
    ];
    expect(a.toString()).toBe(b.toString());
    models.disposeModel(a);
    models.disposeModel(b);
    expect(() => models.efficientnet_b0({ numClass: 3 } as never)).toThrow(/EfficientNet: unknown option 'numClass'/);
    expect(
      () =>
        new models.VisionTransformer({
          imageSize: 30,
          patchSize: 8,
          numLayers: 1,
          numHeads: 1,
          hiddenDim: 8,
          mlpDim: 8,
        }),
    ).toThrow(/indivisible by patch size/);
  });
});

describe('initialisation as torchvision', () => {
  it('efficientnet_b0: kaiming_normal_(fan_out) convolutions, linear U(-1/sqrt(out), 1/sqrt(out)), zero biases', async () => {
    sg.manualSeed(3);
    const model = models.efficientnet_b0();
    try {
      const conv = (model.features[6] as sg.nn.Sequential)[0] as sg.models.MBConv; // block.0.0: 1x1 [672, 112, 1, 1]
      const w = Array.from(await ((conv.block[0] as sg.nn.Sequential)[0] as sg.nn.Conv2d).weight.data());
      expect(std(w) / Math.sqrt(2 / 672)).toBeCloseTo(1, 1);
      const fc = model.classifier[1] as sg.nn.Linear;
      const lin = await fc.weight.data();
      expect(maxAbs(lin)).toBeLessThanOrEqual(1 / Math.sqrt(1000));
      expect(maxAbs(lin)).toBeGreaterThan(0.99 / Math.sqrt(1000));
      expect(maxAbs(await fc.bias!.data())).toBe(0);
    } finally {
      models.disposeModel(model);
    }
  });

  it('convnext_tiny: trunc_normal_(0.02) weights, layer_scale 1e-6; vit: zero head, N(0, 0.02) position embeddings', async () => {
    const model = models.convnext_tiny({ numClasses: 10 });
    try {
      const block = (model.features[1] as sg.nn.Sequential)[0] as sg.models.CNBlock;
      expect(std(Array.from(await (block.block[3] as sg.nn.Linear).weight.data()))).toBeCloseTo(0.02, 3);
      expect(Array.from(await block.layer_scale.data())).toEqual(Array(96).fill(Math.fround(1e-6)));
    } finally {
      models.disposeModel(model);
    }
    const vit = new models.VisionTransformer({
      imageSize: 32,
      patchSize: 8,
      numLayers: 1,
      numHeads: 2,
      hiddenDim: 64,
      mlpDim: 32,
    });
    try {
      expect(maxAbs(await (vit.heads as unknown as { head: sg.nn.Linear }).head.weight.data())).toBe(0);
      expect(std(Array.from(await vit.encoder.pos_embedding.data()))).toBeCloseTo(0.02, 2);
      expect(maxAbs(await vit.class_token.data())).toBe(0);
    } finally {
      models.disposeModel(vit);
    }
  });
});

describe('truncNormal_ (trunc_normal_)', () => {
  it('redraws values outside tight bounds: all inside, with the truncated normal mean and variance', async () => {
    const p = new nn.Parameter(sg.zeros([40001]));
    const [mean, sigma, a, b] = [0.2, 1, -0.5, 1.5];
    models.truncNormal_(p, mean, sigma, a, b);
    const v = Array.from(await p.data());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(a);
    expect(Math.max(...v)).toBeLessThanOrEqual(b);
    // Truncated normal on [alpha, beta] (in std units): mean mu + sigma (phi(alpha) - phi(beta)) / Z,
    // variance sigma^2 (1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2).
    const phi = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    const [al, be] = [(a - mean) / sigma, (b - mean) / sigma];
    const z = normalCdf(be) - normalCdf(al);
    const wantMean = mean + (sigma * (phi(al) - phi(be))) / z;
    const wantVar = sigma ** 2 * (1 + (al * phi(al) - be * phi(be)) / z - ((phi(al) - phi(be)) / z) ** 2);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    expect(Math.abs(m - wantMean)).toBeLessThan(0.01);
    expect(Math.abs(std(v) ** 2 - wantVar)).toBeLessThan(0.01);
    p.dispose();
  });
});

const forwardCases: ForwardCase[] = read('modern_forward.json').models;
const gradCases = read('modern_grads.json').models;
interface ForwardCase {
  name: string;
  options: Options;
  input: number[];
  output_shape: number[];
  output: number[];
}

/** Eval-mode logits of `model` (deterministic weights set) on the case's input, against PyTorch's float64 ones. */
async function checkEvalForward(model: sg.nn.Module, c: ForwardCase): Promise<void> {
  model.eval();
  const x = input(c.input);
  const y = sg.noGrad(() => model.forward(x) as sg.Tensor);
  try {
    expect(y.shape).toEqual(c.output_shape);
    // float32 against float64 through up to 50 layers: measured max |error| / max |logit| is
    // 7e-8 (small ViT) to 2.9e-6 (efficientnet_v2_s); the bound is 1e-4 of the largest logit.
    expectClose(await y.data(), c.output, `${c.name} eval logits`, { rtol: 1e-3, atol: 1e-4 * maxAbs(c.output) });
  } finally {
    x.dispose();
    y.dispose();
  }
}

describe('eval-mode forward against PyTorch float64 (deterministic weights)', () => {
  // The models of the gradient tests are checked there too, built once (ViT-B/32 costs seconds).
  for (const c of forwardCases.filter((f) => !gradCases.some((g: { name: string }) => g.name === f.name))) {
    it(`${c.name}(${JSON.stringify(c.options)}) on [${c.input.join(', ')}]`, async () => {
      const model = build(c.name, c.options);
      try {
        setDeterministic(model);
        await checkEvalForward(model, c);
      } finally {
        models.disposeModel(model);
      }
    });
  }
});

describe('eval-mode forward, then training-mode cross-entropy gradients, against PyTorch float64', () => {
  // Training mode with dropout 0 and stochastic depth 0, so that PyTorch's pass is deterministic:
  // batch norm normalises with the batch statistics (and its backward runs through them).
  for (const c of gradCases) {
    const evalCase = forwardCases.find((f) => f.name === c.name)!;
    it(`${c.name}: eval logits on [${evalCase.input.join(', ')}]; ${JSON.stringify(c.options)} training on [${c.input.join(', ')}]`, async () => {
      const model = build(c.name, { ...c.options, ...(c.name === 'efficientnet_b0' ? { dropout: 0 } : {}) });
      setDeterministic(model);
      await checkEvalForward(model, evalCase);
      model.train();
      const x = input(c.input);
      x.requiresGrad = true;
      const labels = sg.tensor(Int32Array.from(c.labels));
      const logits = model.forward(x) as sg.Tensor;
      const loss = sg.crossEntropy(logits, labels);
      loss.backward();
      try {
        expectClose(await logits.data(), c.logits, 'logits', { rtol: 1e-3, atol: 1e-4 * maxAbs(c.logits) });
        expectClose([await loss.item()], [c.loss], 'loss', { rtol: 1e-4 });
        const params = new Map(model.namedParameters());
        const check = async (what: string, got: sg.Tensor, want: Sample) => {
          expect([...got.shape], what).toEqual(want.shape);
          const g = await got.data();
          // Within 5e-3 of the gradient's own scale (batch norm's backward subtracts nearly equal
          // terms). Measured max |error| / max |grad|: up to 1.5e-3 for efficientnet_b0, whose last
          // batch norms see 2 x 2 x 2 values at 64 px; below 5e-5 for the other three models.
          expectClose(strided(g, want.step), want.values, what, { rtol: 5e-3, atol: 5e-3 * maxAbs(want.values) });
          expect(Math.abs(norm(g) - want.norm) / want.norm, `${what}: norm`).toBeLessThan(5e-3);
        };
        for (const [name, want] of Object.entries(c.grads as Record<string, Sample>))
          await check(`grad of ${name}`, params.get(name)!.grad!, want);
        await check('grad of the input', x.grad!, c.input_grad);
      } finally {
        x.grad?.dispose();
        for (const t of [x, labels, logits, loss]) t.dispose();
        models.disposeModel(model);
      }
    });
  }
});

/** The small models of modern_pth.json, built with the model classes as the fixture script builds them. */
const TINY: Record<string, () => sg.nn.Module> = {
  efficientnet_tiny: () =>
    new models.EfficientNet(
      [
        models.fusedMBConvConfig(1, 3, 1, 8, 8, 1),
        models.fusedMBConvConfig(4, 3, 2, 8, 16, 1),
        models.mbConvConfig(4, 3, 2, 16, 16, 2),
        models.mbConvConfig(6, 5, 1, 16, 24, 1),
      ],
      { dropout: 0.2, numClasses: 5, lastChannel: 48, normLayer: (c) => new nn.BatchNorm2d(c, { eps: 1e-3 }) },
    ),
  mobilenet_v3_tiny: () =>
    new models.MobileNetV3(
      [
        models.invertedResidualConfig(8, 3, 8, 8, true, 'RE', 2, 1, 1.0),
        models.invertedResidualConfig(8, 5, 24, 16, false, 'HS', 2, 1, 1.0),
        models.invertedResidualConfig(16, 5, 48, 16, true, 'HS', 1, 1, 1.0),
      ],
      32,
      { numClasses: 4 },
    ),
  convnext_tiny_blocks: () =>
    new models.ConvNeXt(
      [
        { inputChannels: 8, outChannels: 16, numLayers: 1 },
        { inputChannels: 16, outChannels: null, numLayers: 2 },
      ],
      { numClasses: 3 },
    ),
  vit_small: () =>
    new models.VisionTransformer({
      imageSize: 32,
      patchSize: 8,
      numLayers: 2,
      numHeads: 4,
      hiddenDim: 32,
      mlpDim: 64,
      numClasses: 10,
    }),
};

describe("torch.save files of randomly initialised models load and give PyTorch's float64 logits", () => {
  for (const c of read('modern_pth.json').models) {
    it(`${c.file} (${c.name})`, async () => {
      const model = TINY[c.name]();
      const state = await sg.io.load(join(__dirname, 'fixtures', 'zoo', c.file));
      const x = input(c.input);
      try {
        expect(model.toString()).toBe(c.repr);
        model.loadStateDict(state);
        model.eval();
        const y = sg.noGrad(() => model.forward(x) as sg.Tensor);
        expectClose(await y.data(), c.output, `${c.name} logits`, { rtol: 1e-3, atol: 1e-4 * maxAbs(c.output) });
        y.dispose();
      } finally {
        for (const t of state.values()) t.dispose();
        x.dispose();
        models.disposeModel(model);
      }
    });
  }
});

describe("the tutorial's efficientnet_b0", () => {
  it('frozen features and a 3-class head: torchsummary table at [3, 224, 224], batch size 64', async () => {
    const model = models.efficientnet_b0();
    try {
      model.features.requiresGrad_(false);
      for (const p of model.classifier[1].parameters()) p.dispose(); // the old head
      model.classifier[1] = new nn.Linear(1280, 3);
      expect(sg.summary(model, [3, 224, 224], { batchSize: 64 })).toBe(
        read('modern_summary.json').efficientnet_b0_frozen_3_classes,
      );
    } finally {
      models.disposeModel(model);
    }
  });
});
