// sg.io on the committed fixtures: test/fixtures/io/*.pt written by tools/fixtures/make_io_fixtures.py
// (standard library only) and torch_*.pt written by real PyTorch 1.13 (make_torch_io_fixtures.py).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, mkdtempSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as sg from '../src/index.js';
import type { TensorRecord } from '../src/io/index.js';
import { toGpu } from '../src/io/upload.js';

const dir = join(__dirname, 'fixtures', 'io');
const fx = (name: string) => join(dir, name);

beforeAll(async () => {
  await sg.init();
});

/** A tree from readCheckpoint, indexed by dotted path. */
function at(tree: unknown, path: string): unknown {
  return path.split('.').reduce((node: unknown, k) => {
    if (node instanceof Map) return node.has(k) ? node.get(k) : node.get(Number(k));
    return (node as unknown[])[Number(k)];
  }, tree);
}
const rec = (tree: unknown, path: string) => at(tree, path) as TensorRecord;
const values = (r: TensorRecord) => Array.from(r.data);

describe('torch zip files (stdlib fixtures)', () => {
  it('reads every dtype: floating -> float32, integer and bool -> int32', async () => {
    const t = await sg.io.readCheckpoint(fx('dtypes.pt'));
    const expected: Record<string, [string, string, number[], number[]]> = {
      f32: ['float32', 'float32', [4], [1.5, -2.25, Math.fround(3e-5), 65504]],
      f16: ['float16', 'float32', [5], [1.5, -2.25, 6.103515625e-5, 65504, 5.960464477539063e-8]],
      bf16: ['bfloat16', 'float32', [3], [1.5, -2.5, 3.140625]],
      f64: ['float64', 'float32', [2, 1], [Math.fround(1.1), Math.fround(-2.2)]],
      i64: ['int64', 'int32', [4], [100, -200, 2147483647, -2147483648]],
      i32: ['int32', 'int32', [3], [10, 20, -30]],
      i16: ['int16', 'int32', [2], [1000, -2000]],
      i8: ['int8', 'int32', [2], [127, -128]],
      u8: ['uint8', 'int32', [3], [0, 128, 255]],
      bool: ['bool', 'int32', [3], [1, 0, 1]],
      scalar: ['float32', 'float32', [], [42]],
      empty: ['float32', 'float32', [0, 3], []],
    };
    for (const [key, [source, dtype, shape, vals]] of Object.entries(expected)) {
      const r = rec(t, key);
      expect({ key, source: r.sourceDtype, dtype: r.dtype, shape: r.shape }).toEqual({ key, source, dtype, shape });
      expect(values(r)).toEqual(vals);
    }
  });

  it('copies strided, offset and shared-storage views out contiguously', async () => {
    const t = await sg.io.readCheckpoint(fx('views.pt'));
    expect(values(rec(t, 'transposed'))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(values(rec(t, 'row1'))).toEqual([4, 5, 6, 7]);
    expect(values(rec(t, 'column2'))).toEqual([2, 6, 10]);
    expect(values(rec(t, 'whole'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(values(rec(t, 'param'))).toEqual([0.5, -0.5]); // _rebuild_parameter
  });

  it('keeps non-tensor values: ints, floats, strings, lists, int dict keys', async () => {
    const t = await sg.io.readCheckpoint(fx('nested.pt'));
    expect(at(t, 'name')).toBe('tiny');
    expect(at(t, 'history')).toEqual([0.5, 0.25]);
    expect(at(t, 'optimizer.state.0.step')).toBe(3);
    expect(values(rec(t, 'optimizer.state.0.momentum_buffer'))).toEqual([0.1, 0.2].map(Math.fround));
    expect(at(t, 'optimizer.param_groups.0.lr')).toBe(0.01);
  });

  it('reads numpy scalars (numpy.core.multiarray.scalar, numpy.dtype, _codecs.encode) as numbers', async () => {
    const t = await sg.io.readCheckpoint(fx('numpy_scalars.pt'));
    expect(at(t, 'best_acc')).toBe(0.8125);
    expect(at(t, 'epoch')).toBe(12);
    expect(values(rec(t, 'w'))).toEqual([1, 2]);
  });

  it('load unwraps state_dict, strips module., and makes GPU tensors', async () => {
    const sd = await sg.io.load(fx('wrapped.pt'), { stripPrefix: 'module.' });
    expect([...sd.keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(sd.get('fc.weight')!.shape).toEqual([2, 3]);
    expect(await sd.get('fc.weight')!.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(await sd.get('fc.bias')!.data())).toEqual([0.5, -0.5]);
    const raw = await sg.io.load(fx('wrapped.pt'));
    expect([...raw.keys()]).toEqual(['module.fc.weight', 'module.fc.bias']);
    for (const t of [...sd.values(), ...raw.values()]) t.dispose();
  });

  it('load flattens nested dicts to dotted keys and unwraps model', async () => {
    const sd = await sg.io.load(fx('nested.pt'));
    expect([...sd.keys()]).toEqual(['encoder.weight', 'head.bias']);
    expect(Array.from(await sd.get('encoder.weight')!.data())).toEqual([1, 2, 3, 4]);
    for (const t of sd.values()) t.dispose();
  });

  it('load keeps int32 tensors int32 on the GPU', async () => {
    const sd = await sg.io.load(fx('dtypes.pt'));
    expect(sd.get('i64')!.dtype).toBe('int32');
    expect(Array.from(await sd.get('i64')!.data())).toEqual([100, -200, 2147483647, -2147483648]);
    expect(sd.get('scalar')!.shape).toEqual([]);
    expect(await sd.get('scalar')!.item()).toBe(42);
    expect(sd.get('empty')!.shape).toEqual([0, 3]);
    for (const t of sd.values()) t.dispose();
  });

  it('reads a ZIP64 central directory (zip64 EOCD record, saturated fields, extra field 1)', async () => {
    const t = await sg.io.readCheckpoint(fx('zip64.pt'));
    expect(values(rec(t, 'w'))).toEqual([1, 2, 3]);
    expect([rec(t, 'n').shape, values(rec(t, 'n'))]).toEqual([[], [-4]]);
  });

  it('reads deflated entries through node:zlib', async () => {
    const t = await sg.io.readCheckpoint(fx('deflated.pt'));
    expect(values(rec(t, 'w'))).toEqual(new Array(64).fill(0.25));
  });

  it('accepts Uint8Array sources and names them in errors', async () => {
    const bytes = new Uint8Array(readFileSync(fx('views.pt')));
    const t = await sg.io.readCheckpoint(bytes);
    expect(values(rec(t, 'row1'))).toEqual([4, 5, 6, 7]);
    await expect(sg.io.load(new Uint8Array([1, 2, 3]))).rejects.toThrow(/^<bytes>: not a checkpoint/);
    await expect(sg.io.load(new Uint8Array([1, 2, 3]), { name: 'upload.pt' })).rejects.toThrow(
      /^upload\.pt: not a checkpoint/,
    );
  });
});

describe('torch legacy and tar files', () => {
  it('reads the legacy stream (_rebuild_tensor v1, shared storage with offsets, int64)', async () => {
    const t = await sg.io.readCheckpoint(fx('legacy.pt'));
    expect(values(rec(t, 'a'))).toEqual([2, 3, 4, 5]);
    expect(values(rec(t, 'b'))).toEqual([5, 7, 6, 8]);
    expect(values(rec(t, 'c'))).toEqual([7, -8, 9]);
    expect(rec(t, 'c').sourceDtype).toBe('int64');
  });

  it('recognises the 2017 tar format and refuses it by name', async () => {
    await expect(sg.io.load(fx('tar_format.pt'))).rejects.toThrow(
      /tar_format\.pt: this is the tar format of early PyTorch/,
    );
  });
});

describe('real torch.save output (PyTorch 1.13)', () => {
  // Printed by tools/fixtures/make_torch_io_fixtures.py.
  const expected: Record<string, [string, number[], number[]]> = {
    'fc.weight': [
      'float32',
      [2, 3],
      [
        -0.004322517663240433, 0.3097158372402191, -0.4751853346824646, -0.4248946011066437, -0.2223689705133438,
        0.15482072532176971,
      ],
    ],
    'fc.bias': ['float32', [2], [-0.011439144611358643, 0.45777493715286255]],
    'bn.running_mean': ['float32', [2], [0.25, 0.25]],
    'bn.num_batches_tracked': ['int64', [], [5]],
    half: ['float16', [3], [0.5, -1.25, 3]],
    bf16: ['bfloat16', [2], [1.5, -0.375]],
    long: ['int64', [2, 2], [1, -2, 3, 2147483647]],
    mask: ['bool', [3], [1, 0, 1]],
    grid_t: ['float32', [4, 3], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]],
    grid_row: ['float32', [4], [8, 9, 10, 11]],
    param: ['float32', [2, 2], [0.75, 0.75, 0.75, 0.75]],
  };
  for (const file of ['torch_zip.pt', 'torch_legacy.pt']) {
    it(`${file}: every tensor's dtype, shape and values`, async () => {
      const tree = await sg.io.readCheckpoint(fx(file));
      const sd = file === 'torch_legacy.pt' ? at(tree, 'state_dict') : tree;
      expect([...(sd as Map<string, unknown>).keys()]).toEqual(Object.keys(expected));
      for (const [key, [source, shape, vals]] of Object.entries(expected)) {
        const r = (sd as Map<string, TensorRecord>).get(key)!;
        expect([key, r.sourceDtype, r.shape]).toEqual([key, source, shape]);
        expect(values(r)).toEqual(vals);
      }
      if (file === 'torch_legacy.pt') expect(at(tree, 'epoch')).toBe(3);
    });
  }

  it('inspect lists names, stored dtypes and shapes without the GPU', async () => {
    const list = await sg.io.inspect(fx('torch_zip.pt'));
    expect(list.format).toBe('zip');
    expect(list.truncated).toBeUndefined();
    expect(list.map((e) => [e.name, e.dtype, e.shape])).toEqual(
      Object.entries(expected).map(([k, [d, s]]) => [k, d, s]),
    );
    expect((await sg.io.inspect(fx('torch_legacy.pt'))).map((e) => e.name)).toEqual(
      Object.keys(expected).map((k) => `state_dict.${k}`),
    );
  });
});

describe('safetensors', () => {
  it('reads every supported dtype and the metadata', async () => {
    const t = (await sg.io.readCheckpoint(fx('small.safetensors'))) as Map<string, unknown>;
    expect(values(rec(t, 'f32'))).toEqual([1, -2, 3.5, 0]);
    expect(values(rec(t, 'f16'))).toEqual([0.5, -1.5]);
    expect(values(rec(t, 'bf16'))).toEqual([2.5, -0.15625]);
    expect(values(rec(t, 'f64'))).toEqual([Math.fround(0.1)]);
    expect([rec(t, 'i64').shape, values(rec(t, 'i64'))]).toEqual([[], [7504]]);
    expect(values(rec(t, 'i32'))).toEqual([-5, 6]);
    expect(values(rec(t, 'i16'))).toEqual([-7]);
    expect(values(rec(t, 'i8'))).toEqual([-8]);
    expect(values(rec(t, 'u8'))).toEqual([3, 250]);
    expect(values(rec(t, 'bool'))).toEqual([1, 0]);
    expect(t.get('__metadata__')).toEqual(
      new Map([
        ['format', 'pt'],
        ['note', 'fixture'],
      ]),
    );
  });

  it('save -> load round trips bit for bit (float32 incl. NaN/inf/-0, int32), with metadata', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sg-io-')), 'w.safetensors');
    const f = new Float32Array([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38, Math.PI, -1 / 3]);
    const a = sg.tensor(f, { shape: [2, 4] });
    const b = sg.tensor(new Int32Array([-2147483648, 2147483647, 0]));
    await sg.io.save(path, { a, b }, { metadata: { epoch: '3' } });
    expect(readdirSync(join(path, '..'))).toEqual(['w.safetensors']); // no temp file left behind
    const back = await sg.io.load(path);
    expect(new Uint32Array((await back.get('a')!.data()).buffer)).toEqual(new Uint32Array(f.buffer));
    expect(back.get('a')!.shape).toEqual([2, 4]);
    expect(back.get('b')!.dtype).toBe('int32');
    expect(Array.from(await back.get('b')!.data())).toEqual([-2147483648, 2147483647, 0]);
    expect(((await sg.io.readCheckpoint(path)) as Map<string, unknown>).get('__metadata__')).toEqual(
      new Map([['epoch', '3']]),
    );
    for (const t of [a, b, ...back.values()]) t.dispose();
  });

  it('save writes atomically: an existing file is replaced whole, and a failed write leaves it and no temp file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sg-io-'));
    const path = join(folder, 'w.safetensors');
    const a = sg.tensor([1, 2, 3]);
    await sg.io.save(path, { a });
    const disposed = sg.tensor([4]);
    disposed.dispose();
    await expect(sg.io.save(path, { a, disposed })).rejects.toThrow(/disposed/);
    expect(readdirSync(folder)).toEqual(['w.safetensors']);
    const back = await sg.io.load(path);
    expect(Array.from(await back.get('a')!.data())).toEqual([1, 2, 3]);
    await expect(sg.io.save(join(folder, 'missing', 'x.safetensors'), { a })).rejects.toThrow();
    expect(existsSync(join(folder, 'missing'))).toBe(false);
    // The rename fails (the target is a directory): the written temp file is removed.
    mkdirSync(join(folder, 'dir.safetensors'));
    await expect(sg.io.save(join(folder, 'dir.safetensors'), { a })).rejects.toThrow(
      /dir\.safetensors: could not move the written file into place/,
    );
    expect(readdirSync(folder).sort()).toEqual(['dir.safetensors', 'w.safetensors']);
    for (const t of [a, ...back.values()]) t.dispose();
  });
});

describe('errors name the file and the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['missing.pt', /missing\.pt: cannot read the file: no such file/],
    ['not_a_checkpoint.pt', /not_a_checkpoint\.pt: not a checkpoint \(17 bytes\)/],
    ['truncated.pt', /^truncated: .*truncated\.pt: the zip's central directory is missing/],
    ['bad_zip.pt', /^bad zip: .*bad_zip\.pt: central directory entry 0 of \d+ at offset \d+ is damaged/],
    [
      'evil_global.pt',
      /refusing to load global os\.system from .*evil_global\.pt: only tensors and containers are allowed/,
    ],
    [
      'byte_mismatch.pt',
      /byte-length mismatch in .*byte_mismatch\.pt, tensor 'w': its float32 storage '0' should hold 6 elements = 24 bytes, the file has 20 bytes/,
    ],
    [
      'int64_overflow.pt',
      /int64_overflow\.pt, tensor 'steps': int64 value 1099511627776 \(element 1\) does not fit in int32/,
    ],
    ['cyclic.pt', /cyclic\.pt: the object at '0' contains itself \(a cyclic pickle\)/],
    [
      'mismatch.safetensors',
      /byte-length mismatch in .*mismatch\.safetensors, tensor 'w': F32 \[2, 3\] needs 24 bytes, data_offsets give 20/,
    ],
  ];
  for (const [file, message] of cases) {
    it(file, async () => {
      await expect(sg.io.load(fx(file))).rejects.toThrow(message);
    });
  }

  it('truncated legacy and safetensors files say "truncated"', async () => {
    const legacy = new Uint8Array(readFileSync(fx('legacy.pt')));
    await expect(sg.io.load(legacy.subarray(0, legacy.length - 5), { name: 'cut.pt' })).rejects.toThrow(
      /^truncated: cut\.pt: storage '1' needs bytes \d+\.\.\d+, the file has \d+/,
    );
    const listed = await sg.io.inspect(legacy.subarray(0, legacy.length - 5), { name: 'cut.pt' });
    expect(listed.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(listed.truncated).toMatch(/^truncated: cut\.pt: storage '1'.*only 2 of 3 tensors have their data$/); // a and b share storage 0
    await expect(sg.io.load(legacy.subarray(0, 100), { name: 'cut.pt' })).rejects.toThrow(
      /^truncated: cut\.pt: the pickle data ends at byte 100/,
    );
    const st = new Uint8Array(readFileSync(fx('small.safetensors')));
    await expect(sg.io.load(st.subarray(0, st.length - 1), { name: 'cut.safetensors' })).rejects.toThrow(
      /^truncated: cut\.safetensors: tensor 'bool' needs data bytes/,
    );
    await expect(sg.io.load(st.subarray(0, 100), { name: 'head.safetensors' })).rejects.toThrow(
      /^truncated: head\.safetensors: the safetensors header needs/,
    );
  });

  it('no GPU tensor is created (or leaked) by a failed load', async () => {
    const before = sg.memory().liveTensors;
    for (const [file] of cases) await sg.io.load(fx(file)).catch(() => null);
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('if making a GPU tensor fails, the ones already made are disposed', async () => {
    const before = sg.memory().liveTensors;
    const good: TensorRecord = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]), sourceDtype: 'float32' };
    const bad: TensorRecord = { dtype: 'float32', shape: [3], data: new Float32Array([1, 2]), sourceDtype: 'float32' };
    expect(() =>
      toGpu(
        new Map([
          ['a', good],
          ['b', good],
          ['c', bad],
        ]),
      ),
    ).toThrow(/2 values cannot have shape \[3\]/);
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('a failed load leaves a model unchanged', async () => {
    const model = new sg.nn.Linear(3, 2);
    const before = await model.weight.data();
    const sd = await sg.io.load(fx('wrapped.pt')); // keys module.fc.*: wrong names for this model
    expect(() => model.loadStateDict(sd)).toThrow(/Missing key\(s\) in state_dict: "weight", "bias"/);
    expect(await model.weight.data()).toEqual(before);
    await expect(sg.io.load(fx('byte_mismatch.pt'))).rejects.toThrow(/byte-length mismatch/);
    expect(await model.weight.data()).toEqual(before);
    for (const t of sd.values()) t.dispose();
  });

  it('inspect lists a truncated zip whose data.pkl is complete, saying the data is truncated', async () => {
    const list = await sg.io.inspect(fx('truncated.pt'));
    expect(list.map((e) => [e.name, e.dtype, e.shape])).toEqual([['w', 'float32', [10, 10]]]);
    expect(list.truncated).toMatch(
      /central directory is missing.*data is truncated: only 0 of 1 tensors have their data/,
    );
  });

  it('the pickle never runs code: a refused global is reported before anything is called', async () => {
    await expect(sg.io.inspect(fx('evil_global.pt'))).rejects.toThrow(/refusing to load global os\.system/);
    await expect(sg.io.readCheckpoint(fx('evil_global.pt'))).rejects.toThrow(/refusing to load global os\.system/);
  });
});
