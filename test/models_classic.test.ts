// The classic half of the zoo against torchvision 0.14 / PyTorch 1.13 (test/fixtures/zoo/classic_*.json,
// written by tools/fixtures/make_zoo_classic_fixtures.py): ResNet-101/152, ResNeXt, Wide ResNet,
// DenseNet, GoogLeNet, Inception v3, ShuffleNet V2. Printed form, state_dict keys and shapes,
// parameter counts; eval-mode logits with deterministic weights against float64; the training-mode
// outputs of the auxiliary heads and a cross-entropy gradient; torchsummary's rows; DenseNet's
// published key style.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { expectClose } from './helpers.js';
import { setDeterministic, setHashed, deterministicInput as input } from './ref/deterministic.js';
import { summaryCommand } from '../tools/cli/summary.js';
import { printCommand } from '../tools/cli/print.js';
import { pretrainedOptions, afterPretrained } from '../src/models/pretrained.js';

const { models } = sg;
const read = (file: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'zoo', file), 'utf8'));
const FAMILIES = ['resnet', 'densenet', 'inception', 'shufflenet'];
const structure = FAMILIES.flatMap((f) => read(`classic_structure_${f}.json`).models as Entry[]);
const forwardCases = read('classic_forward.json').models;
const trainCases = read('classic_train.json').models;
const summaries = read('classic_summary.json').models;
const densenetKeys = read('classic_densenet_published_keys.json');

interface Entry {
  name: string;
  options: Record<string, unknown>;
  repr: string;
  keys: Array<[string, number[]]>;
  parameters: number;
}
interface Sampled {
  size: number;
  index: number[];
  values: number[];
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

beforeAll(async () => {
  await sg.init();
});

describe('classic zoo structure matches torchvision 0.14', () => {
  for (const entry of structure) {
    it(`${entry.name}(${JSON.stringify(entry.options)}): repr, state_dict keys and shapes, parameter count`, async () => {
      const before = sg.memory().liveTensors;
      const model = await models.get(entry.name, entry.options);
      try {
        expect(model.toString()).toBe(entry.repr);
        expect([...model.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(entry.keys);
        expect(models.countParameters(model)).toBe(entry.parameters);
        expect(model.namedParameters().map(([k]) => k)).toEqual(
          entry.keys.map(([k]) => k).filter((k) => !/running_|num_batches/.test(k)),
        );
      } finally {
        models.disposeModel(model);
      }
      expect(sg.memory().liveTensors).toBe(before);
      await sg.synchronize();
      sg.emptyCache();
    });
  }

  it('every classic model is in models.names, with the parameter counts torchvision quotes', () => {
    const counts = Object.fromEntries(
      structure.filter((e) => !Object.keys(e.options).length).map((e) => [e.name, e.parameters]),
    );
    for (const name of Object.keys(counts)) expect(models.names).toContain(name);
    expect(counts).toMatchObject({
      resnet101: 44_549_160,
      resnet152: 60_192_808,
      resnext50_32x4d: 25_028_904,
      resnext101_32x8d: 88_791_336,
      resnext101_64x4d: 83_455_272,
      wide_resnet50_2: 68_883_240,
      wide_resnet101_2: 126_886_696,
      densenet121: 7_978_856,
      densenet161: 28_681_000,
      densenet169: 14_149_480,
      densenet201: 20_013_928,
      googlenet: 13_004_888,
      inception_v3: 27_161_264,
      shufflenet_v2_x0_5: 1_366_792,
      shufflenet_v2_x1_0: 2_278_604,
      shufflenet_v2_x1_5: 3_503_624,
      shufflenet_v2_x2_0: 7_393_996,
    });
  });
});

describe('classic zoo: eval-mode logits against PyTorch float64 (deterministic weights)', () => {
  for (const c of forwardCases) {
    it(`${c.name}(${JSON.stringify(c.options)}) on [${c.input.join(', ')}]`, async () => {
      const model = (await models.get(c.name, c.options)).eval();
      setDeterministic(model);
      const x = input(c.input);
      const y = models.logitsOf(sg.noGrad(() => model.forward(x)));
      try {
        expect(y.shape).toEqual(c.output_shape);
        // float32 against float64, 50 to 170 layers deep: within 1e-3 of the largest logit.
        expectClose(await y.data(), c.output, `${c.name} logits`, { rtol: 1e-3, atol: 1e-3 * maxAbs(c.output) });
      } finally {
        x.dispose();
        y.dispose();
        models.disposeModel(model);
      }
    });
  }
});

/** Cross-entropy as torchvision's reference training uses it with auxiliary heads: CE(logits) + 0.3 sum CE(aux). */
function auxLoss(logits: sg.Tensor, aux: sg.Tensor[], labels: sg.Tensor): sg.Tensor {
  return aux.reduce(
    (loss, a) => sg.add(loss, sg.mul(sg.crossEntropy(a, labels), 0.3)),
    sg.crossEntropy(logits, labels),
  );
}

describe('classic zoo: training mode with the auxiliary heads against PyTorch float64', () => {
  for (const c of trainCases) {
    it(`${c.name}(${JSON.stringify(c.options)}) at [${c.input.join(', ')}]: outputs, loss and gradients`, async () => {
      const model = (await models.get(c.name as string, c.options)).train();
      setHashed(model);
      if (model instanceof models.Inception3) {
        // only the heads' gradients are compared (see the fixture script): skip the trunk's backward
        model.requiresGrad_(false);
        model.AuxLogits!.requiresGrad_(true);
        model.fc.requiresGrad_(true);
      }
      const x = input(c.input);
      const labels = sg.tensor(Int32Array.from(c.labels));
      const out = model.forward(x) as Record<string, sg.Tensor>;
      // torchvision's field order: GoogLeNetOutputs(logits, aux_logits2, aux_logits1), InceptionOutputs(logits, aux_logits).
      expect(Object.keys(out)).toEqual(
        c.name === 'googlenet' ? ['logits', 'auxLogits2', 'auxLogits1'] : ['logits', 'auxLogits'],
      );
      const aux = Object.values(out).slice(1);
      const loss = auxLoss(out.logits, aux, labels);
      loss.backward();
      try {
        const rel = { rtol: 5e-3 };
        expectClose(await out.logits.data(), c.logits, 'logits', { ...rel, atol: 5e-3 * maxAbs(c.logits) });
        for (const [i, a] of aux.entries())
          expectClose(await a.data(), c.aux[i], `aux ${i}`, { ...rel, atol: 5e-3 * maxAbs(c.aux[i]) });
        expectClose([await loss.item()], [c.loss], 'loss', { rtol: 1e-4 });
        const params = new Map(model.namedParameters());
        for (const [name, want] of Object.entries(c.grads as Record<string, Sampled>)) {
          const grad = await params.get(name)!.grad!.data();
          expect(grad.length, name).toBe(want.size);
          // Batch-norm gradients subtract nearly equal terms: compare against the gradient's scale.
          // GoogLeNet at 64 x 64 trains its last batch norms on 2 x 2 planes (8 values per
          // channel): they amplify float32 rounding about 1e4-fold, so the summation order of
          // its first convolution alone (the implicit kernel against the im2col product, outputs
          // equal within 1e-5) moves its early gradients by up to 2.2% of their scale.
          const scale = c.name.startsWith('googlenet') ? 3e-2 : 5e-3;
          expectClose(
            want.index.map((i) => grad[i]),
            want.values,
            `grad of ${name}`,
            {
              ...rel,
              atol: scale * maxAbs(want.values),
            },
          );
        }
      } finally {
        for (const t of [x, labels, loss, ...Object.values(out)]) t.dispose();
        models.disposeModel(model);
      }
    });
  }

  it('in eval mode, or without auxLogits, forward gives the logits alone', async () => {
    const model = models.googlenet({ auxLogits: false, numClasses: 3, initWeights: false });
    const x = sg.rand([2, 3, 32, 32]);
    try {
      const train = sg.noGrad(() => model.train().forward(x));
      const evalOut = sg.noGrad(() => model.eval().forward(x));
      expect(train).toBeInstanceOf(sg.Tensor);
      expect((evalOut as sg.Tensor).shape).toEqual([2, 3]);
      expect(models.logitsOf(train)).toBe(train);
      (train as sg.Tensor).dispose();
      (evalOut as sg.Tensor).dispose();
    } finally {
      x.dispose();
      models.disposeModel(model);
    }
  });
});

describe("classic zoo: sg.summary gives torchsummary's rows and totals", () => {
  for (const s of summaries) {
    it(`${s.name} at [${s.input.join(', ')}]`, async () => {
      const model = await models.get(
        s.name,
        s.name === 'googlenet' || s.name === 'inception_v3' ? { initWeights: false } : {},
      );
      try {
        const text = sg.summary(model, s.input);
        const rows = (s.rows as Array<[string, number[], number]>).map(
          ([name, shape, params]) =>
            `${name.padStart(20)}  ${`[${shape.join(', ')}]`.padStart(25)} ${params.toLocaleString('en-US').padStart(15)}`,
        );
        const lines = text.split('\n');
        expect(lines.slice(3, 3 + rows.length)).toEqual(rows);
        expect(text).toContain(`Total params: ${s.total.toLocaleString('en-US')}\n`);
        expect(model.training).toBe(true); // torchsummary runs the model as it is: a fresh one trains
      } finally {
        models.disposeModel(model);
      }
    });
  }
});

describe("DenseNet: the published files' key style", () => {
  it("remapDensenetKeys renames every published key to the module's, in order, and nothing else", () => {
    const published: string[] = densenetKeys.published;
    expect(published).toContain('features.denseblock1.denselayer1.norm.1.weight');
    expect(published).toContain('features.denseblock4.denselayer16.conv.2.weight');
    const state = new Map(published.map((k) => [k, null as unknown as sg.Tensor]));
    expect([...models.remapDensenetKeys(state).keys()]).toEqual(densenetKeys.model);
    // Already-renamed keys and keys of other models pass unchanged.
    const other = {
      'features.denseblock1.denselayer1.norm1.weight': null,
      'features.norm5.running_var': null,
      'layer1.0.conv.1.weight': null,
    };
    expect([...models.remapDensenetKeys(other as unknown as Record<string, sg.Tensor>).keys()]).toEqual(
      Object.keys(other),
    );
  });

  it('models.get loads a file in the published key style; loadStateDict(remapDensenetKeys(...)) does the same by hand', async () => {
    const source = models.densenet121({ numClasses: 3 });
    const published: string[] = densenetKeys.published;
    const sourceState = [...source.stateDict()];
    expect(sourceState.map(([k]) => k)).toEqual(densenetKeys.model);
    const file = new Map(sourceState.map(([, t], i) => [published[i], t]));
    const dir = mkdtempSync(join(tmpdir(), 'sg-densenet-'));
    const path = join(dir, 'densenet121-published-style.safetensors');
    const byHand = models.densenet121({ numClasses: 3 });
    try {
      expect(() => byHand.loadStateDict(file)).toThrow(
        /Missing key\(s\) in state_dict: "features.denseblock1.denselayer1.norm1.weight"/,
      );
      byHand.loadStateDict(models.remapDensenetKeys(file));
      const w = 'features.denseblock2.denselayer12.conv2.weight';
      expect(Array.from(await byHand.stateDict().get(w)!.data())).toEqual(
        Array.from(await source.stateDict().get(w)!.data()),
      );
      await sg.io.save(path, file);
      const loaded = await models.get('densenet121', { numClasses: 3, weights: path });
      const key = 'features.denseblock3.denselayer7.norm2.running_var';
      expect(Array.from(await loaded.stateDict().get(key)!.data())).toEqual(
        Array.from(await source.stateDict().get(key)!.data()),
      );
      models.disposeModel(loaded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      models.disposeModel(source);
      models.disposeModel(byHand);
    }
  });
});

describe('classic zoo options', () => {
  it("torchvision's errors: fixed ResNeXt widths, BasicBlock limits, ShuffleNet stage lists", () => {
    expect(() => models.resnext50_32x4d({ groups: 8 })).toThrow(
      "ResNet: the parameter 'groups' expected value 32 but got 8 instead.",
    );
    expect(() => models.resnet18({ groups: 2 })).toThrow('BasicBlock only supports groups=1 and base_width=64');
    expect(() => models.resnet34({ replaceStrideWithDilation: [false, false, true] })).toThrow(
      'Dilation > 1 not supported in BasicBlock',
    );
    expect(() =>
      models.resnet50({ replaceStrideWithDilation: [true] as unknown as [boolean, boolean, boolean] }),
    ).toThrow(/3-element array/);
    expect(() => new models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])).toThrow(
      'expected stages_repeats as list of 3 positive ints',
    );
    expect(() => models.densenet121({ dropout: 0.1 } as object)).toThrow("DenseNet: unknown option 'dropout'");
  });

  it('googlenet and inception_v3 with named weights are built as torchvision builds them; files load as they are', async () => {
    // Named weights (torchvision's enums): transformInput on unless given, aux heads forced on,
    // no init; googlenet then drops its heads unless auxLogits: true was asked for.
    expect(pretrainedOptions('googlenet', { numClasses: 1000 })).toEqual({
      numClasses: 1000,
      transformInput: true,
      auxLogits: true,
      initWeights: false,
    });
    expect(pretrainedOptions('inception_v3', { transformInput: false })).toEqual({
      transformInput: false,
      auxLogits: true,
      initWeights: false,
    });
    expect(pretrainedOptions('resnet18', { numClasses: 3 })).toEqual({ numClasses: 3 });
    expect(() => pretrainedOptions('googlenet', { auxLogits: false })).toThrow(
      "models.get: the parameter 'auxLogits' expected value True but got False instead.",
    );
    const named = models.googlenet({ initWeights: false, numClasses: 4 });
    afterPretrained('googlenet', named, {});
    expect([named.auxLogits, named.aux1, named.aux2]).toEqual([false, null, null]);
    expect([...named.stateDict().keys()].some((k) => k.startsWith('aux'))).toBe(false);
    const kept = models.googlenet({ initWeights: false, numClasses: 4 });
    afterPretrained('googlenet', kept, { auxLogits: true });
    expect(kept.aux1).not.toBeNull();
    // Files: with auxiliary keys they load into the model the options build; without, into one without heads.
    const withHeads = models.googlenet({ initWeights: false, numClasses: 4 });
    const withoutHeads = models.googlenet({ initWeights: false, numClasses: 4, auxLogits: false });
    const dir = mkdtempSync(join(tmpdir(), 'sg-googlenet-'));
    try {
      await sg.io.save(join(dir, 'with.safetensors'), withHeads.stateDict());
      await sg.io.save(join(dir, 'without.safetensors'), withoutHeads.stateDict());
      const a = await models.get('googlenet', { numClasses: 4, weights: join(dir, 'with.safetensors') });
      expect([a.auxLogits, a.transformInput, a.aux1 !== null]).toEqual([true, false, true]);
      const b = await models.get('googlenet', { numClasses: 4, weights: join(dir, 'without.safetensors') });
      expect([b.auxLogits, b.aux1, b.aux2]).toEqual([false, null, null]);
      await expect(
        models.get('googlenet', { numClasses: 4, auxLogits: true, weights: join(dir, 'without.safetensors') }),
      ).rejects.toThrow(/Missing key\(s\) in state_dict: "aux1.conv.conv.weight"/);
      for (const m of [a, b]) models.disposeModel(m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const m of [named, kept, withHeads, withoutHeads]) models.disposeModel(m);
    }
  });

  it('channelShuffle interleaves the groups and its gradient undoes it', async () => {
    const x = sg.tensor(
      Float32Array.from({ length: 2 * 6 }, (_, i) => i),
      { shape: [2, 6, 1, 1], requiresGrad: true },
    );
    const y = models.channelShuffle(x, 2);
    expect(Array.from(await y.data())).toEqual([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]);
    sg.mul(
      y,
      sg.tensor(
        Float32Array.from({ length: 12 }, (_, i) => i),
        { shape: [2, 6, 1, 1] },
      ),
    )
      .sum()
      .backward();
    expect(Array.from(await x.grad!.data())).toEqual([0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11]);
    expect(() => models.channelShuffle(sg.zeros([1, 5, 2, 2]), 2)).toThrow(
      'channel_shuffle: expected [N, C, H, W] with C divisible by 2, got [1, 5, 2, 2]',
    );
  });

  it('truncNormal_: the distribution within the bounds, also when they are close', async () => {
    sg.manualSeed(3);
    const p = sg.nn.parameter(sg.zeros([200, 100]));
    models.truncNormal_(p, 0.5, 1, -0.5, 1.5); // one standard deviation either side: 32% of draws fall outside
    const v = Array.from(await p.data());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...v)).toBeLessThanOrEqual(1.5);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(mean).toBeCloseTo(0.5, 1);
    // N(0, 1) truncated to [-1, 1] has variance 1 - 2 phi(1) / (Phi(1) - Phi(-1)) = 0.2911.
    expect(variance).toBeCloseTo(0.2911, 2);
    // Clamping instead of redrawing would pile 16% of the values on each bound.
    expect(v.filter((x) => x === -0.5 || x === 1.5).length).toBeLessThan(5);
    p.dispose();
  });
});

describe('the command line knows the classic models', () => {
  it('shadergrad print and summary take their torchvision names', async () => {
    const entry = structure.find((e) => e.name === 'shufflenet_v2_x0_5' && !Object.keys(e.options).length)!;
    let text = '';
    await printCommand(['shufflenet_v2_x0_5'], (t) => (text += t));
    expect(text.trimEnd()).toBe(entry.repr);
    text = '';
    await summaryCommand(['shufflenet_v2_x0_5', '--input', '3,64,64'], (t) => (text += t));
    expect(text).toContain(`Total params: ${entry.parameters.toLocaleString('en-US')}\n`);
    for (const name of ['densenet121', 'googlenet', 'inception_v3', 'resnext101_64x4d', 'wide_resnet101_2'])
      expect(models.names).toContain(name);
  });
});
