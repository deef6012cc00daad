// The model zoo against torchvision 0.14 / PyTorch 1.13 (test/fixtures/models/*.json, written by
// tools/fixtures/make_model_fixtures.py): printed form, state_dict keys and shapes, parameter
// counts, eval-mode outputs with deterministic weights, one training step of the CIFAR
// ResNet-20, and the real published CIFAR-10 checkpoints (when /work/shared is present).
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { expectClose } from './helpers.js';
import { setDeterministic, deterministicInput as input } from './ref/deterministic.js';

const { models } = sg;
const read = (file: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'models', file), 'utf8'));
const structure = read('structure.json');
const forwardCases = read('forward.json').models;
const train = read('train.json');
const checkpoints = read('checkpoints.json').models;
const ASSETS = '/work/shared/assets/weights/akamaster_resnet_cifar10';
const TRUNCATED = '/work/shared/assets/weights/truncated_torchvision_uploads/Virtual-cart/resnet18-f37072fd.pth';

interface Entry {
  name: string;
  options: Record<string, number>;
  repr: string;
  keys: Array<[string, number[]]>;
  parameters: number;
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
/** Standard deviation about the mean. */
function std(v: number[]): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

/** VGG's initialisation (checked on a model the structure test builds anyway: VGG builds are slow here). */
async function checkVggInit(model: sg.models.VGG): Promise<void> {
  const conv = Array.from(await (model.features[4] as sg.nn.Conv2d).weight.data()); // [128, 64, 3, 3]: fan_out 1152
  expect(std(conv) / Math.sqrt(2 / 1152), 'kaiming_normal_(fan_out) std').toBeCloseTo(1, 1);
  const fc = Array.from(await (model.classifier[3] as sg.nn.Linear).weight.data()); // [4096, 4096]
  expect(std(fc), 'linear N(0, 0.01) std').toBeCloseTo(0.01, 4);
  expect(maxAbs(await (model.classifier[6] as sg.nn.Linear).bias!.data()), 'linear bias').toBe(0);
  expect(maxAbs(await (model.features[0] as sg.nn.Conv2d).bias!.data()), 'conv bias').toBe(0);
}

beforeAll(async () => {
  await sg.init();
});

describe('model structure matches torchvision 0.14', () => {
  it('covers every model of the zoo, with the structure fixtures of test/fixtures/zoo', () => {
    const zoo = join(__dirname, 'fixtures', 'zoo');
    const more = existsSync(zoo) ? readdirSync(zoo).filter((f) => /structure.*\.json$/.test(f)) : [];
    const covered = new Set<string>(structure.models.map((e: Entry) => e.name));
    // (modern_structure_<name>.json files hold one model each, listed in modern_structure.json; VisionTransformer is the class)
    for (const f of more)
      for (const e of (JSON.parse(readFileSync(join(zoo, f), 'utf8')).models ?? []) as Entry[])
        if (e.name !== 'VisionTransformer') covered.add(e.name);
    expect(new Set(models.names)).toEqual(covered);
  });

  for (const entry of structure.models as Entry[]) {
    const label = `${entry.name}(${JSON.stringify(entry.options)})`;
    const init = entry.name === 'vgg11_bn' && entry.options.numClasses ? ', initialisation' : '';
    it(`${label}: repr, state_dict keys and shapes, parameter count${init}`, async () => {
      const before = sg.memory().liveTensors;
      const model = await models.get(entry.name, entry.options);
      try {
        expect(model.toString()).toBe(entry.repr);
        expect([...model.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(entry.keys);
        expect(models.countParameters(model)).toBe(entry.parameters);
        expect(model.namedParameters().map(([k]) => k)).toEqual(
          entry.keys.map(([k]) => k).filter((k) => !/running_|num_batches/.test(k)),
        );
        if (entry.name === 'vgg11_bn' && entry.options.numClasses) await checkVggInit(model as sg.models.VGG);
      } finally {
        models.disposeModel(model);
      }
      expect(sg.memory().liveTensors).toBe(before);
      await sg.synchronize(); // the initialisation kernels ran (VGG's 392 MiB weight included)
      sg.emptyCache();
    });
  }

  it('parameter counts quoted by torchvision', async () => {
    const counts = Object.fromEntries(
      (structure.models as Entry[]).filter((e) => !Object.keys(e.options).length).map((e) => [e.name, e.parameters]),
    );
    expect(counts).toMatchObject({
      resnet18: 11_689_512,
      vgg16: 138_357_544,
      alexnet: 61_100_840,
      squeezenet1_1: 1_235_496,
      cifar_resnet20: 269_722,
    });
  });
});

describe('initialisation as torchvision', () => {
  it('resnet18: convolutions kaiming_normal_(fan_out), batch norm 1 and 0; resnet50 zeroInitResidual', async () => {
    sg.manualSeed(1);
    const model = models.resnet18();
    try {
      const w = Array.from(await (model.layer4[1] as sg.models.BasicBlock).conv2.weight.data()); // [512, 512, 3, 3]: fan_out 4608
      expect(Math.abs(w.reduce((a, b) => a + b, 0) / w.length)).toBeLessThan(1e-3);
      expect(std(w) / Math.sqrt(2 / 4608)).toBeCloseTo(1, 2);
      expect(Array.from(await model.bn1.weight!.data())).toEqual(Array(64).fill(1));
      expect(Array.from(await (model.layer1[0] as sg.models.BasicBlock).bn2.bias!.data())).toEqual(Array(64).fill(0));
    } finally {
      models.disposeModel(model);
    }
    const zeroInit = models.resnet50({ zeroInitResidual: true }); // every block starts as the identity
    try {
      expect(maxAbs(await (zeroInit.layer2[3] as sg.models.Bottleneck).bn3.weight!.data())).toBe(0);
      expect(Array.from(await (zeroInit.layer2[3] as sg.models.Bottleneck).bn2.weight!.data())).toEqual(
        Array(128).fill(1),
      );
    } finally {
      models.disposeModel(zeroInit);
    }
  });

  it('cifar_resnet20: kaiming_normal_(fan_in) for convolutions and the linear layer', async () => {
    const model = models.cifar_resnet20();
    try {
      const w = Array.from(await (model.layer3[2] as sg.models.CifarBasicBlock).conv2.weight.data()); // [64, 64, 3, 3]: fan_in 576
      expect(std(w) / Math.sqrt(2 / 576)).toBeCloseTo(1, 1);
      const lin = Array.from(await model.linear.weight.data()); // [10, 64]
      expect(std(lin) / Math.sqrt(2 / 64)).toBeGreaterThan(0.85);
      expect(std(lin) / Math.sqrt(2 / 64)).toBeLessThan(1.15);
    } finally {
      models.disposeModel(model);
    }
  });

  it('squeezenet1_1: kaiming_uniform_ convolutions, N(0, 0.01) final convolution, zero biases', async () => {
    const model = models.squeezenet1_1();
    try {
      const w = await (model.features[0] as sg.nn.Conv2d).weight.data(); // [64, 3, 3, 3]: bound sqrt(6 / 27)
      expect(maxAbs(w)).toBeLessThanOrEqual(Math.sqrt(6 / 27));
      expect(maxAbs(w)).toBeGreaterThan(0.9 * Math.sqrt(6 / 27));
      const final = Array.from(await (model.classifier[1] as sg.nn.Conv2d).weight.data());
      expect(std(final)).toBeCloseTo(0.01, 3);
      expect(maxAbs(await (model.classifier[1] as sg.nn.Conv2d).bias!.data())).toBe(0);
    } finally {
      models.disposeModel(model);
    }
  });
});

describe('eval-mode forward against PyTorch (deterministic weights)', () => {
  for (const c of forwardCases) {
    it(`${c.name}(${JSON.stringify(c.options)}) on [${c.input.join(', ')}]`, async () => {
      const model = (await models.get(c.name, c.options)).eval();
      setDeterministic(model);
      const x = input(c.input);
      const y = sg.noGrad(() => model.forward(x));
      try {
        expect(y.shape).toEqual(c.output_shape);
        // float32 sums over thousands of terms per layer, 8 to 20 layers deep, summed in another
        // order than PyTorch's: measured max |error| / max |output| is 1.6e-7 (squeezenet1_0) to
        // 1.5e-6 (resnet18); 2e-5 of the largest output bounds it with a 13x margin.
        const scale = maxAbs(c.output);
        expectClose(await y.data(), c.output, `${c.name} logits`, { rtol: 1e-4, atol: 2e-5 * scale });
      } finally {
        x.dispose();
        y.dispose();
        models.disposeModel(model);
      }
    });
  }
});

describe('cifar_resnet20: one training-mode forward and backward against PyTorch', () => {
  it('logits, loss, gradients and running statistics', async () => {
    const model = models.cifar_resnet20().train();
    setDeterministic(model);
    const x = input(train.input);
    const labels = sg.tensor(Int32Array.from(train.labels));
    const logits = model.forward(x);
    const loss = sg.crossEntropy(logits, labels);
    loss.backward();
    try {
      expectClose(await logits.data(), train.logits, 'logits', { rtol: 1e-4, atol: 1e-4 });
      expectClose([await loss.item()], [train.loss], 'loss', { rtol: 1e-5 });
      const params = new Map(model.namedParameters());
      for (const [name, want] of Object.entries(train.grads as Record<string, number[]>)) {
        // Batch-norm gradients subtract nearly equal terms: compare against the gradient's scale.
        expectClose(await params.get(name)!.grad!.data(), want, `grad of ${name}`, {
          rtol: 1e-3,
          atol: 1e-4 * maxAbs(want),
        });
      }
      const state = model.stateDict();
      for (const [name, want] of Object.entries(train.buffers as Record<string, number[]>)) {
        expectClose(await state.get(name)!.data(), want, name, { rtol: 1e-5, atol: 1e-6 });
      }
    } finally {
      for (const t of [x, labels, logits, loss]) t.dispose();
      models.disposeModel(model);
    }
  });

  it('the option-A shortcut subsamples and zero-pads channels, and passes gradients back', async () => {
    const x = sg.tensor(
      Float32Array.from({ length: 2 * 2 * 4 * 4 }, (_, i) => i),
      { shape: [2, 2, 4, 4], requiresGrad: true },
    );
    const y = models.optionAShortcut(x, 1);
    expect(y.shape).toEqual([2, 4, 2, 2]);
    const got = await y.data();
    // Channel 0 and 3 are zero; channels 1 and 2 are x[n, c, 0::2, 0::2].
    const want: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 4; c++)
        for (let h = 0; h < 2; h++)
          for (let w = 0; w < 2; w++) {
            want.push(c === 0 || c === 3 ? 0 : n * 32 + (c - 1) * 16 + h * 2 * 4 + w * 2);
          }
    expect(Array.from(got)).toEqual(want);
    y.sum().backward();
    const g = await x.grad!.data();
    expect(Array.from(g)).toEqual(
      Array.from({ length: 64 }, (_, i) => ((i % 4) % 2 === 0 && Math.floor((i % 16) / 4) % 2 === 0 ? 1 : 0)),
    );
  });
});

describe('models.get', () => {
  it('accepts torchvision names (and the deprecated camelCase ones) and rejects unknown ones, listing the known', async () => {
    const a = await models.get('cifarResnet20');
    const b = await models.get('cifar_resnet20', { numClasses: 2 });
    expect(a.toString()).toBe(b.toString().replace('out_features=2', 'out_features=10'));
    models.disposeModel(a);
    models.disposeModel(b);
    await expect(models.get('resnet19')).rejects.toThrow(
      /unknown model 'resnet19'; known models: alexnet, vgg11, .*resnet18, .*cifar_resnet110/,
    );
    expect(models.names).toContain('vgg16_bn');
  });

  it('returns the typed model: the transfer-learning recipe (freeze, new head, train the head)', async () => {
    const model = await models.get('resnet18');
    model.requiresGrad_(false);
    sg.models.disposeModel(model.fc);
    model.fc = new sg.nn.Linear(512, 2);
    const opt = new sg.optim.SGD(model.fc.parameters(), { lr: 0.1 });
    const before = await model.fc.weight.data();
    sg.tidy(() => {
      const loss = sg.crossEntropy(model.train().forward(sg.rand([2, 3, 32, 32])), sg.tensor(Int32Array.from([0, 1])));
      loss.backward();
      opt.step();
    });
    expect(model.conv1.weight.grad).toBeNull();
    expect(model.fc.weight.grad!.shape).toEqual([2, 512]);
    expect(Array.from(await model.fc.weight.data())).not.toEqual(Array.from(before));
    expect(model.stateDict().get('fc.weight')!.shape).toEqual([2, 512]);
    models.disposeModel(model);
  });

  it('rejects options the torchvision constructor does not take, before building', async () => {
    await expect(models.get('resnet18', { dropout: 0.2 })).rejects.toThrow("ResNet: unknown option 'dropout'");
    await expect(models.get('alexnet', { numClasses: 0 })).rejects.toThrow(
      'alexnet: numClasses must be a positive integer, got 0',
    );
  });

  it("the CIFAR ResNets have the published checkpoints' keys (without num_batches_tracked, which those files predate)", async () => {
    for (const c of checkpoints) {
      const model = await models.get(c.name);
      expect([...model.stateDict().keys()].filter((k) => !k.endsWith('num_batches_tracked'))).toEqual(c.keys);
      models.disposeModel(model);
    }
  });
});

describe('models.get with weights', () => {
  it('loads a state dict written by sg.io.save (bytes), every value and num_batches_tracked included', async () => {
    const source = models.cifar_resnet20();
    setDeterministic(source);
    sg.tidy(() => void source.train().forward(input([2, 3, 32, 32]))); // num_batches_tracked: 1, running stats move
    const dir = mkdtempSync(join(tmpdir(), 'sg-models-'));
    try {
      await sg.io.save(join(dir, 'r20.safetensors'), source.stateDict());
      const bytes = new Uint8Array(readFileSync(join(dir, 'r20.safetensors')));
      const loaded = await models.get('cifarResnet20', { weights: bytes });
      const want = source.stateDict();
      for (const [key, t] of loaded.stateDict())
        expect(Array.from(await t.data()), key).toEqual(Array.from(await want.get(key)!.data()));
      expect(await loaded.stateDict().get('layer2.0.bn1.num_batches_tracked')!.item()).toBe(1);
      models.disposeModel(loaded);
      const wrong = await models.get('cifar_resnet20', { weights: bytes, numClasses: 2 }).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(wrong).toMatch(
        /^models.get\('cifar_resnet20'\) with weights <\d+ bytes>: Error\(s\) in loading state_dict for ResNet:\n\tsize mismatch for linear.weight: copying a param with shape \[10, 64\] from checkpoint, the shape in current model is \[2, 64\]/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      models.disposeModel(source);
    }
  });
});

describe.skipIf(!existsSync(ASSETS))('the published CIFAR-10 checkpoints (akamaster/pytorch_resnet_cifar10)', () => {
  for (const c of checkpoints) {
    it(`${c.name} from ${c.file} gives PyTorch's logits`, async () => {
      const model = (await models.get(c.name, { weights: join(ASSETS, c.file), stripPrefix: 'module.' })).eval();
      const x = input(c.input);
      const y = sg.noGrad(() => model.forward(x));
      try {
        expectClose(await y.data(), c.output, `${c.name} logits`, { rtol: 1e-4, atol: 1e-4 * maxAbs(c.output) });
      } finally {
        x.dispose();
        y.dispose();
        models.disposeModel(model);
      }
    });
  }

  it.skipIf(!existsSync(TRUNCATED))(
    "an unreadable file fails with sg.io's error, prefixed, and frees the model it built",
    async () => {
      const before = sg.memory().liveTensors;
      await expect(models.get('resnet18', { weights: TRUNCATED })).rejects.toThrow(
        /^models.get\('resnet18'\): cannot read resnet18-f37072fd.pth: .*central directory is missing/,
      );
      expect(sg.memory().liveTensors).toBe(before);
    },
  );

  it('a checkpoint for another model fails with the strict-load error, naming model and file', async () => {
    const file = join(ASSETS, 'resnet56-4bfd9763.th');
    const before = sg.memory().liveTensors;
    const error = await models.get('cifar_resnet20', { weights: file, stripPrefix: 'module.' }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(error).toMatch(
      /^models.get\('cifar_resnet20'\) with weights resnet56-4bfd9763.th: Error\(s\) in loading state_dict for ResNet:/,
    );
    expect(error).toContain('Unexpected key(s) in state_dict: "layer1.3.conv1.weight"');
    const missingPrefix = await models.get('cifar_resnet20', { weights: join(ASSETS, 'resnet20-12fca82f.th') }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(missingPrefix).toContain('Missing key(s) in state_dict: "conv1.weight"');
    expect(missingPrefix).toContain('Unexpected key(s) in state_dict: "module.conv1.weight"');
    expect(sg.memory().liveTensors).toBe(before);
  });
});
