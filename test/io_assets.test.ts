// sg.io on real weight files under /work/shared/assets (present on CI, not in a user's clone):
// Burn's torch.save fixtures, the akamaster CIFAR ResNets (legacy format), the MNIST CNN in both
// formats, and two truncated torchvision uploads. Expected numbers come from torch 1.13
// (`torch.load`, values and float64 sums printed once and pasted here).
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import type { TensorRecord } from '../src/io/index.js';

const assets = join(__dirname, '..', '..', 'shared', 'assets', 'weights');
const burn = (f: string) => join(assets, 'burn', 'reader_test_data', f);

beforeAll(async () => {
  if (existsSync(assets)) await sg.init();
});

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const close = (a: number, b: number, tol = 1e-6) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe.skipIf(!existsSync(assets))('Burn reader fixtures (real torch 2.x zip files and legacy files)', () => {
  // file -> key -> [stored dtype, shape, values]; values printed by torch.load.
  const cases: Record<string, Record<string, [string, number[], number[]]>> = {
    'bfloat16.pt': { tensor: ['bfloat16', [3], [1.5, -2.5, 3.5]] },
    'bool.pt': { tensor: ['bool', [5], [1, 0, 1, 1, 0]] },
    'buffers.pt': { buffer1: ['int32', [3], [1, 2, 3]], buffer2: ['bool', [2], [1, 0]] },
    'empty.pt': { tensor: ['float32', [0], []] },
    'extreme_values.pt': { tensor: ['float32', [4], [1e-30, 1e30, -1e-30, -1e30].map(Math.fround)] },
    'float16.pt': { tensor: ['float16', [3], [1.5, -2.25, 3.125]] },
    'float32.pt': { tensor: ['float32', [4], [1, 2.5, Math.fround(-3.7), 0]] },
    'float64.pt': { tensor: ['float64', [3], [1.1, 2.2, 3.3].map(Math.fround)] },
    'int16.pt': { tensor: ['int16', [3], [1000, -2000, 3000]] },
    'int32.pt': { tensor: ['int32', [3], [10, 20, -30]] },
    'int64.pt': { tensor: ['int64', [4], [100, -200, 300, 0]] },
    'int8.pt': { tensor: ['int8', [4], [127, -128, 0, 50]] },
    'uint8.pt': { tensor: ['uint8', [4], [0, 128, 255, 42]] },
    'scalar.pt': { tensor: ['float32', [], [42]] },
    'special_values.pt': { tensor: ['float32', [5], [NaN, Infinity, -Infinity, 0, 1]] },
    'tensor_2d.pt': { tensor: ['float32', [3, 2], [1, 2, 3, 4, 5, 6]] },
    'state_dict.pt': {
      bias: ['float32', [3], [1.1351022720336914, 0.7592452168464661, -3.594468832015991]],
      running_mean: ['float32', [3], [0, 0, 0]],
      running_var: ['float32', [3], [1, 1, 1]],
    },
    'mixed_types.pt': {
      float32: ['float32', [2], [1, 2]],
      int64: ['int64', [2], [100, 200]],
      bool: ['bool', [2], [1, 0]],
      float64: ['float64', [2], [1.1, 2.2].map(Math.fround)],
    },
    'parameter.pt': {
      param: [
        'float32',
        [3, 3],
        [
          1.024911880493164, 0.22231829166412354, -0.738072395324707, -0.9258294701576233, -1.351651906967163,
          1.0651453733444214, 0.19967511296272278, -0.7578960657119751, -0.8965914845466614,
        ],
      ],
    },
    'legacy_uncloned_views.pt': {
      tensor1: ['float32', [10], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
      tensor2: ['float32', [10], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59]],
    },
    'legacy_with_offsets.pt': {
      tensor2: ['float32', [5], [2, 2.1, 2.2, 2.3, 2.4].map(Math.fround)],
      tensor3: ['float32', [5], [3, 3.1, 3.2, 3.3, 3.4].map(Math.fround)],
    },
    'simple_legacy.pt': { bias: ['float32', [2], [1, 1]], running_mean: ['float32', [2], [0, 0]] },
  };
  for (const [file, tensors] of Object.entries(cases)) {
    it(file, async () => {
      const tree = (await sg.io.readCheckpoint(burn(file))) as Map<string, TensorRecord>;
      for (const [key, [dtype, shape, values]] of Object.entries(tensors)) {
        const r = tree.get(key)!;
        expect([key, r.sourceDtype, r.shape]).toEqual([key, dtype, shape]);
        expect(Array.from(r.data)).toEqual(values);
      }
    });
  }

  it('tensor_3d.pt and tensor_4d.pt: shapes and leading values', async () => {
    const t3 = ((await sg.io.readCheckpoint(burn('tensor_3d.pt'))) as Map<string, TensorRecord>).get('tensor')!;
    expect(t3.shape).toEqual([2, 3, 4]);
    expect(Array.from(t3.data.slice(0, 4))).toEqual([
      19.269149780273438, 14.872841835021973, 9.007171630859375, -21.055213928222656,
    ]);
    const t4 = ((await sg.io.readCheckpoint(burn('tensor_4d.pt'))) as Map<string, TensorRecord>).get('tensor')!;
    expect(t4.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(t4.data.slice(0, 4))).toEqual([
      0.03491166606545448, 0.3211030960083008, 1.573600172996521, -0.8454675078392029,
    ]);
  });

  it('pytorch-tests files and multi_layer.safetensors: key counts and float64 sums of all values', async () => {
    // torch.load / a struct-based safetensors read: number of tensors and the sum of every element.
    const cases: Array<[string, number, number]> = [
      ['complex_nested.pt', 23, 29.010521258227527],
      ['non_contiguous_indexes.pt', 10, 1.270324731071014],
      ['conv2d.pt', 3, 0.6023979038000107],
      ['multi_layer.safetensors', 9, 4.585230762080755 + 1], // + num_batches_tracked (I64 = 1)
    ];
    for (const [file, count, total] of cases) {
      const sd = await sg.io.load(join(assets, 'burn', 'pytorch-tests', file));
      expect([file, sd.size]).toEqual([file, count]);
      let s = 0;
      for (const t of sd.values()) s += sum(await t.data());
      close(s, total, 1e-6);
      for (const t of sd.values()) t.dispose();
    }
  });

  it('large_shape.pt: a [100, 100] identity-like tensor loads on the GPU', async () => {
    const sd = await sg.io.load(burn('large_shape.pt'));
    const t = sd.get('tensor')!;
    expect(t.shape).toEqual([100, 100]);
    const d = await t.data();
    expect(d[0]).toBe(1);
    t.dispose();
  });

  it('legacy_shared_storage.pt: three views of one storage (torch values)', async () => {
    const tree = (await sg.io.readCheckpoint(burn('legacy_shared_storage.pt'))) as Map<string, TensorRecord>;
    expect([...tree.values()].map((r) => r.shape)).toEqual([[10], [20], [10]]);
    expect(Array.from(tree.get('view1')!.data.slice(0, 3))).toEqual([
      1.0439505577087402, -0.30740976333618164, 1.5986543893814087,
    ]);
    expect(Array.from(tree.get('view2')!.data.slice(0, 2))).toEqual([0.5303624272346497, 1.2033722400665283]);
    expect(Array.from(tree.get('view3')!.data.slice(0, 2))).toEqual([0.153853639960289, 1.8221241235733032]);
  });

  it('nested_dict.pt and complex_structure.pt: nested dicts, dotted keys from load', async () => {
    const sd = await sg.io.load(burn('nested_dict.pt'));
    expect([...sd.keys()]).toEqual(['layer1.weight', 'layer1.bias', 'layer2.weight', 'layer2.bias']);
    expect(Array.from(await sd.get('layer1.bias')!.data())).toEqual([0.11148621141910553, -0.03919669985771179]);
    for (const t of sd.values()) t.dispose();
    const tree = (await sg.io.readCheckpoint(burn('complex_structure.pt'))) as Map<string, Map<string, unknown>>;
    expect(tree.get('metadata')).toEqual(
      new Map<string, unknown>([
        ['version', 1],
        ['name', 'test_model'],
      ]),
    );
    const enc = tree.get('state')!.get('encoder') as Map<string, Map<string, TensorRecord>>;
    expect(enc.get('layer_0')!.get('weight')!.shape).toEqual([4, 3]);
  });

  it('checkpoint.pt: a training checkpoint (model_state_dict, optimizer_state_dict, epoch, loss)', async () => {
    const tree = (await sg.io.readCheckpoint(burn('checkpoint.pt'))) as Map<string, unknown>;
    expect(tree.get('epoch')).toBe(42);
    expect(tree.get('loss')).toBe(0.123);
    const model = tree.get('model_state_dict') as Map<string, TensorRecord>;
    expect([...model.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(Array.from(model.get('fc1.weight')!.data.slice(0, 2))).toEqual([1.0414010286331177, -0.3997306227684021]);
    // load() unwraps model_state_dict, the key PyTorch's checkpoint tutorial uses.
    const sd = await sg.io.load(burn('checkpoint.pt'));
    expect([...sd.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    for (const t of sd.values()) t.dispose();
  });

  it('pytorch-tests state dicts load into matching shadergrad modules', async () => {
    const sd = await sg.io.load(join(assets, 'burn', 'pytorch-tests', 'batch_norm2d.pt'));
    expect([...sd.keys()]).toEqual([
      'norm1.weight',
      'norm1.bias',
      'norm1.running_mean',
      'norm1.running_var',
      'norm1.num_batches_tracked',
    ]);
    expect(sd.get('norm1.num_batches_tracked')!.dtype).toBe('int32');
    const lin = await sg.io.load(join(assets, 'burn', 'pytorch-tests', 'linear_with_bias.pt'));
    const model = new sg.nn.Linear(2, 3);
    model.loadStateDict(
      new Map([
        ['weight', lin.get('fc1.weight')!],
        ['bias', lin.get('fc1.bias')!],
      ]),
    );
    expect(Array.from(await model.bias!.data())).toEqual([
      0.3843384385108948, -0.6912328600883484, 0.43835002183914185,
    ]);
    for (const t of [...sd.values(), ...lin.values()]) t.dispose();
  });

  it('broken.pt (3 bytes "abc") is not a checkpoint', async () => {
    await expect(sg.io.load(burn('broken.pt'))).rejects.toThrow(/broken\.pt: not a checkpoint \(3 bytes\)/);
  });
});

describe.skipIf(!existsSync(assets))('akamaster CIFAR-10 ResNets (legacy, DataParallel wrapper)', () => {
  // torch.load: key count, total parameters, and per-key first values and float64 sums.
  const cases = {
    'resnet20-12fca82f.th': {
      keys: 97,
      params: 271098,
      best: 91.78000183105469,
      conv1: [-0.13818146288394928, -0.1624176800251007, 0.8207383155822754],
      sums: {
        'conv1.weight': 1.3100982000032673,
        'linear.weight': -0.04562738863751292,
        'layer3.2.bn2.running_var': 10.665690739639103,
      },
    },
    'resnet56-4bfd9763.th': {
      keys: 277,
      params: 857082,
      best: 93.62,
      conv1: [-0.21604876220226288, -0.536896288394928, -0.556312084197998],
      sums: {
        'conv1.weight': -2.5577811515686335,
        'linear.weight': -0.008035663631744683,
        'layer3.2.bn2.running_var': 2.700561105273664,
      },
    },
  };
  for (const [file, c] of Object.entries(cases)) {
    it(file, async () => {
      const path = join(assets, 'akamaster_resnet_cifar10', file);
      const tree = (await sg.io.readCheckpoint(path)) as Map<string, unknown>;
      expect(tree.get('best_prec1')).toBe(c.best);
      const sd = await sg.io.load(path, { stripPrefix: 'module.' });
      expect(sd.size).toBe(c.keys);
      expect([...sd.keys()][0]).toBe('conv1.weight');
      expect(sd.get('conv1.weight')!.shape).toEqual([16, 3, 3, 3]);
      expect(sd.get('linear.weight')!.shape).toEqual([10, 64]);
      expect([...sd.values()].reduce((n, t) => n + t.size, 0)).toBe(c.params);
      expect(Array.from((await sd.get('conv1.weight')!.data()).slice(0, 3))).toEqual(c.conv1);
      for (const [key, s] of Object.entries(c.sums)) close(sum(await sd.get(key)!.data()), s, 1e-5);
      for (const t of sd.values()) t.dispose();
    });
  }
});

describe.skipIf(!existsSync(assets))('MNIST CNN: mnist.pt (zip) and mnist.safetensors', () => {
  // NOTE: PROVENANCE.md says the two files come from DIFFERENT training runs, so their values differ;
  // the test checks both hold the same keys, shapes and dtypes, and each one's values against torch.
  const shapes: Record<string, number[]> = {
    'conv1.weight': [8, 1, 3, 3],
    'conv1.bias': [8],
    'conv2.weight': [16, 8, 3, 3],
    'conv2.bias': [16],
    'conv3.weight': [24, 16, 3, 3],
    'conv3.bias': [24],
    'norm1.weight': [24],
    'norm1.bias': [24],
    'norm1.running_mean': [24],
    'norm1.running_var': [24],
    'norm1.num_batches_tracked': [],
    'fc1.weight': [32, 11616],
    'fc1.bias': [32],
    'fc2.weight': [10, 32],
    'fc2.bias': [10],
    'norm2.weight': [10],
    'norm2.bias': [10],
    'norm2.running_mean': [10],
    'norm2.running_var': [10],
    'norm2.num_batches_tracked': [],
  };
  const sums = {
    'mnist.pt': {
      'fc1.weight': -510.434496281791,
      'conv3.weight': -55.32611427820666,
      'norm2.running_var': 708.1247406005859,
      'norm1.num_batches_tracked': 3752,
    },
    'mnist.safetensors': {
      'fc1.weight': -335.3114262489783,
      'conv3.weight': -61.46941277656151,
      'norm2.running_var': 475.1035976409912,
      'norm1.num_batches_tracked': 7504,
    },
  };
  for (const [file, expected] of Object.entries(sums)) {
    it(file, async () => {
      const sd = await sg.io.load(join(assets, 'burn', 'mnist', file));
      expect(Object.fromEntries([...sd].map(([k, t]) => [k, t.shape]))).toEqual(shapes);
      expect(sd.get('norm2.num_batches_tracked')!.dtype).toBe('int32');
      for (const [key, s] of Object.entries(expected)) close(sum(await sd.get(key)!.data()), s, 1e-5);
      for (const t of sd.values()) t.dispose();
    });
  }

  it('fc2.bias agrees between the two files to float32 rounding (the one tensor the runs share)', async () => {
    const a = (await sg.io.readCheckpoint(join(assets, 'burn', 'mnist', 'mnist.pt'))) as Map<string, TensorRecord>;
    const b = (await sg.io.readCheckpoint(join(assets, 'burn', 'mnist', 'mnist.safetensors'))) as Map<
      string,
      TensorRecord
    >;
    close(sum(a.get('fc2.bias')!.data), 0.43715109291952103);
    close(sum(b.get('fc2.bias')!.data), 0.43715105747105554);
  });
});

describe.skipIf(!existsSync(assets))('truncated torchvision uploads', () => {
  const virtualCart = join(assets, 'truncated_torchvision_uploads', 'Virtual-cart', 'resnet18-f37072fd.pth');
  const stGtcn = join(assets, 'truncated_torchvision_uploads', 'st-gtcn', 'resnet18-5c106cde.pth');

  it('load fails naming the truncation', async () => {
    await expect(sg.io.load(virtualCart)).rejects.toThrow(
      /^truncated: .*resnet18-f37072fd\.pth: the zip's central directory is missing/,
    );
  });

  it("inspect still lists resnet18's 102 keys and shapes from the complete data.pkl", async () => {
    const list = await sg.io.inspect(virtualCart);
    expect(list.length).toBe(102);
    expect(list[0]).toEqual({ name: 'conv1.weight', dtype: 'float32', shape: [64, 3, 7, 7] });
    expect(list.find((e) => e.name === 'layer4.1.conv2.weight')!.shape).toEqual([512, 512, 3, 3]);
    expect(list.find((e) => e.name === 'fc.weight')!.shape).toEqual([1000, 512]);
    expect(list.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0)).toBe(11699112); // PROVENANCE: 11,699,112 values
    expect(list.truncated).toMatch(/data is truncated: only 5 of 102 tensors have their data/);
  });

  it('the 2017 tar upload is recognised as the tar format', async () => {
    await expect(sg.io.inspect(stGtcn)).rejects.toThrow(
      /resnet18-5c106cde\.pth: this is the tar format of early PyTorch/,
    );
  });
});
