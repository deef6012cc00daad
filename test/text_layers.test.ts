// The layers of the text models: the embedding lookup (gather forward, deterministic scatter-add
// backward with repeated ids and a padding row), cumsum (float32 and int32), nn.Embedding,
// nn.ModuleList, nn.TransformerEncoderLayer / TransformerEncoder, each against a float64
// reference (test/ref/embedding.ts) with central differences and against PyTorch 1.13
// (test/fixtures/text/layers.json, tools/fixtures/make_text_fixtures.py).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { setBindingLimitForTesting } from '../src/gpu/chunks.js';
import { embeddingRef, cumsumRef } from './ref/embedding.js';
import { checkOp, expectClose, intNd, liveTensorsAfter, randomNd } from './helpers.js';
import { nd } from './ref/ndarray.js';

beforeAll(async () => {
  await sg.init();
});

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/text/layers.json'), 'utf8'));

describe('embedding', () => {
  // [num, dim, ids shape, padding]: odd widths around the workgroup size, repeated ids, 1-row tables.
  const cases: Array<[number, number, number[], number | null]> = [
    [7, 5, [3, 4], 1],
    [1, 3, [5], null],
    [11, 257, [2, 9], 0],
    [50, 33, [4, 70], 49],
    [3, 1, [2, 3, 2], null],
  ];
  for (const [num, dim, idsShape, pad] of cases) {
    it(`table [${num}, ${dim}], ids [${idsShape}], padding ${pad}`, async () => {
      const w = randomNd([num, dim], num * 13 + dim, -1, 1);
      const ids = intNd(idsShape, num + dim, 0, num - 1);
      const options = { dtypes: ['float32', 'int32'] as sg.DType[], differentiable: [0] };
      await checkOp(
        `embedding [${num}, ${dim}]`,
        [w, ids],
        (wt, i_) => sg.embedding(i_, wt),
        embeddingRef(null),
        options,
      );
      // NOTE: the padding row's zero gradient is a convention (PyTorch's), not the derivative: no central differences.
      if (pad !== null)
        await checkOp(
          `embedding [${num}, ${dim}] padding ${pad}`,
          [w, ids],
          (wt, i_) => sg.embedding(i_, wt, { paddingIdx: pad }),
          embeddingRef(pad),
          { ...options, fd: false },
        );
    });
  }

  it('chunks a table larger than the binding limit (rows bound in aligned runs), forward and backward', async () => {
    const [num, dim] = [301, 24];
    setBindingLimitForTesting(4096);
    try {
      const w = randomNd([num, dim], 3, -1, 1);
      const ids = nd(
        [2, 40],
        Array.from({ length: 80 }, (_, i) => (i * 37) % num).map((v, i) => (i % 9 === 0 ? 5 : v)),
      );
      await checkOp(
        'embedding chunked',
        [w, ids],
        (wt, i_) => sg.embedding(i_, wt, { paddingIdx: 7 }),
        embeddingRef(7),
        {
          dtypes: ['float32', 'int32'],
          differentiable: [0],
          fd: false,
        },
      );
    } finally {
      setBindingLimitForTesting(null);
    }
  });

  it('the padding row gets exactly zero gradient; repeated ids give the same bits every run', async () => {
    const w = sg.randn([6, 9], { requiresGrad: true });
    const ids = sg.tensor([1, 2, 1, 1, 4, 2, 1, 0], { dtype: 'int32' });
    const runs: Float32Array[] = [];
    for (let k = 0; k < 2; k++) {
      const out = sg.embedding(ids, w, { paddingIdx: 4 });
      const loss = out.mul(out).sum();
      loss.backward();
      runs.push((await w.grad!.data()) as Float32Array);
      w.grad!.dispose();
      w.grad = null;
      out.dispose();
      loss.dispose();
    }
    expect(Array.from(runs[0].slice(4 * 9, 5 * 9))).toEqual(new Array(9).fill(0));
    expect(Array.from(runs[0].slice(5 * 9, 6 * 9))).toEqual(new Array(9).fill(0));
    expect(Array.from(runs[0])).toEqual(Array.from(runs[1]));
    w.dispose();
    ids.dispose();
  });

  it('rejects bad input before any GPU work, naming the op', () => {
    const w = sg.zeros([4, 3]);
    const ids = sg.tensor([0, 4], { dtype: 'int32' });
    const f = sg.tensor([0, 1]);
    expect(() => sg.embedding(ids, w)).toThrow(/embedding: index out of range/);
    expect(() => sg.embedding(f, w)).toThrow(/embedding/);
    expect(() => sg.embedding(sg.tensor([0], { dtype: 'int32' }), sg.zeros([4]))).toThrow(
      /embedding: weight must be 2-D/,
    );
    expect(() => new sg.nn.Embedding(4, 3, { paddingIdx: 4 })).toThrow(/Padding_idx must be within num_embeddings/);
    for (const t of [w, ids, f]) t.dispose();
  });

  it('nn.Embedding equals PyTorch: printed form, lookup and gradient', async () => {
    const fx = fixture.embedding;
    const emb = new sg.nn.Embedding(9, 5, { paddingIdx: 3 });
    expect(emb.toString()).toBe(fx.repr);
    expect(Array.from(await emb.weight.data()).slice(15, 20)).toEqual([0, 0, 0, 0, 0]); // padding row zeroed at init
    const w = sg.tensor(fx.weight, { shape: [9, 5] });
    emb.weight.copy_(w);
    const ids = sg.tensor(fx.ids.flat(), { shape: [3, 4], dtype: 'int32' });
    const out = emb.forward(ids);
    expectClose(await out.data(), fx.out, 'embedding forward');
    const r = sg.tensor(fx.upstream, { shape: out.shape });
    out.mul(r).sum().backward();
    expectClose(await emb.weight.grad!.data(), fx.grad, 'embedding gradient');
    for (const t of [w, ids, out, r]) t.dispose();
    sg.models.disposeModel(emb);
  });
});

describe('cumsum', () => {
  const cases: Array<[number[], number]> = [
    [[7], 0],
    [[3, 5, 2], 1],
    [[4, 130], -1],
    [[65, 3], 0],
    [[2, 3, 4, 5], 2],
  ];
  for (const [shape, dim] of cases) {
    it(`[${shape}] along ${dim}`, async () => {
      await checkOp(
        `cumsum [${shape}]`,
        [randomNd(shape, shape.length + dim + 3)],
        (x) => sg.cumsum(x, dim),
        cumsumRef(dim),
      );
    });
  }

  it('int32 sums are exact (torchtext numbers positions so)', async () => {
    const x = sg.tensor([1, 1, 0, 1, 1, 1, 0, 0], { shape: [2, 4], dtype: 'int32' });
    const y = sg.cumsum(x, 1);
    expect(y.dtype).toBe('int32');
    expect(Array.from(await y.data())).toEqual([1, 2, 2, 3, 1, 2, 2, 2]);
    x.dispose();
    y.dispose();
  });

  it('equals PyTorch', async () => {
    const fx = fixture.cumsum;
    const x = sg.tensor(fx.x, { shape: fx.shape, requiresGrad: true });
    const y = sg.cumsum(x, fx.dim);
    expectClose(await y.data(), fx.out, 'cumsum forward');
    const r = sg.tensor(fx.upstream, { shape: fx.shape });
    y.mul(r).sum().backward();
    expectClose(await x.grad!.data(), fx.grad, 'cumsum gradient');
    for (const t of [x, y, r, x.grad!]) t.dispose();
  });

  it('rejects a dimension out of range', () => {
    const x = sg.zeros([2, 3]);
    expect(() => sg.cumsum(x, 2)).toThrow(/cumsum: dimension 2 is out of range/);
    x.dispose();
  });
});

describe('nn.ModuleList', () => {
  it('registers modules by position, indexes, appends, iterates, prints as PyTorch and has no forward', () => {
    const list = new sg.nn.ModuleList([new sg.nn.Linear(2, 3), new sg.nn.ReLU()]);
    list.append(new sg.nn.Linear(3, 1));
    expect(list.length).toBe(3);
    expect(list.at(-1)).toBe(list[2]);
    expect([...list].length).toBe(3);
    expect([...list.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(list.toString()).toBe(
      'ModuleList(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n  (2): Linear(in_features=3, out_features=1, bias=True)\n)',
    );
    expect(() => list.forward()).toThrow(/ModuleList: has no forward/);
    expect(() => list.at(3)).toThrow(/out of range/);
    sg.models.disposeModel(list);
  });
});

describe('nn.TransformerEncoder / TransformerEncoderLayer equal PyTorch 1.13', () => {
  for (const [i, fx] of (fixture.transformer as any[]).entries()) {
    it(`case ${i}: ${JSON.stringify(fx.kwargs)}`, async () => {
      const kw = fx.kwargs;
      const layer = new sg.nn.TransformerEncoderLayer(kw.d_model, kw.nhead, {
        dimFeedforward: kw.dim_feedforward,
        dropout: kw.dropout,
        activation: kw.activation ?? 'relu',
        batchFirst: kw.batch_first ?? false,
        normFirst: kw.norm_first ?? false,
      });
      const enc = new sg.nn.TransformerEncoder(layer, 2, { norm: i === 1 ? new sg.nn.LayerNorm(kw.d_model) : null });
      sg.models.disposeModel(layer);
      expect(enc.toString()).toBe(fx.repr);
      expect([...enc.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(fx.keys);
      const state = new Map(fx.keys.map(([k, shape]: [string, number[]]) => [k, sg.tensor(fx.state[k], { shape })]));
      enc.loadStateDict(state as Map<string, sg.Tensor>);
      enc.eval();
      const src = sg.tensor(fx.src, { shape: fx.srcShape });
      const kpm = sg.tensor(fx.keyPaddingMask.flat(), { shape: [3, 5], dtype: 'int32' });
      const attn = fx.attnMask ? sg.tensor(fx.attnMask.flat(), { shape: [5, 5], dtype: 'int32' }) : null;
      const out = enc.forward(src, { srcKeyPaddingMask: kpm, srcMask: attn });
      expectClose(await out.data(), fx.out, 'encoder forward', { rtol: 1e-4, atol: 2e-5 });
      const r = sg.tensor(fx.upstream, { shape: out.shape });
      out.mul(r).sum().backward();
      for (const [k, p] of enc.namedParameters())
        expectClose(await p.grad!.data(), fx.grads[k], `gradient of ${k}`, { rtol: 1e-3, atol: 2e-5 });
      for (const t of [src, kpm, out, r, ...state.values(), ...(attn ? [attn] : [])]) (t as sg.Tensor).dispose();
      sg.models.disposeModel(enc);
    });
  }

  it('layers start as copies of the given layer (PyTorch deep-copies it), and leave no tensors behind', async () => {
    const layer = new sg.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 5, batchFirst: true });
    const enc = new sg.nn.TransformerEncoder(layer, 2);
    const a = await enc.layers[0].linear1.weight.data();
    const b = await enc.layers[1].linear1.weight.data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(enc.layers[0].linear1.weight).not.toBe(enc.layers[1].linear1.weight);
    enc.eval();
    const x = sg.randn([2, 3, 4]);
    const left = liveTensorsAfter(() => sg.tidy(() => void sg.noGrad(() => enc.forward(x))));
    expect(left).toBe(0);
    x.dispose();
    sg.models.disposeModel(layer);
    sg.models.disposeModel(enc);
  });

  it('rejects an unknown activation', () => {
    expect(() => new sg.nn.TransformerEncoderLayer(4, 2, { activation: 'tanh' as never })).toThrow(
      /TransformerEncoderLayer: activation should be relu\/gelu/,
    );
  });
});
