// Attention: scaled dot-product attention against a float64 reference with a hand-written
// backward (test/ref/attention.ts), at attention sizes (S = 50, 197) and odd ones; masks; and
// nn.MultiheadAttention against PyTorch 1.13 (test/fixtures/layers/attention.json): batch-first
// and sequence-first, cross-attention with both masks, causal bool masks, no bias, unbatched,
// per-head weights; dropout on the weights in training; errors; memory.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { attentionRef, splitHeadsRef } from './ref/attention.js';
import { splitHeads } from '../src/ops/attention_heads.js';
import { nd } from './ref/ndarray.js';
import { checkOp, expectClose, randomNd, toTensor } from './helpers.js';
import { deterministicInput, setDeterministic } from './ref/deterministic.js';

beforeAll(async () => {
  await sg.init();
});

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/layers/attention.json'), 'utf8'));

describe('scaledDotProductAttention', () => {
  const cases: Array<[number[], number, number]> = [
    [[1, 1], 3, 2],
    [[2, 3], 5, 7],
    [[1, 2], 50, 16],
    [[2], 13, 64],
    [[1, 1], 197, 8],
  ];
  for (const [lead, l, d] of cases) {
    it(`[${lead}, ${l}, ${d}] self-attention sizes`, async () => {
      const s = l === 5 ? 9 : l; // one cross-attention case: S != L
      const q = randomNd([...lead, l, d], l + d, -1, 1);
      const k = randomNd([...lead, s, d], l + 2 * d, -1, 1);
      const v = randomNd([...lead, s, d + 1], l + 3 * d, -1, 1);
      await checkOp(
        `attention [${lead}] L=${l} S=${s} D=${d}`,
        [q, k, v],
        (a, b, c) => sg.scaledDotProductAttention(a, b, c),
        attentionRef(),
      );
    });
  }

  it('an additive float mask and a boolean-style int32 mask (nonzero = takes part, PyTorch 2)', async () => {
    const [l, s, d] = [4, 6, 5];
    const mask = randomNd([l, s], 3, -2, 2);
    const q = randomNd([2, l, d], 1);
    const k = randomNd([2, s, d], 2);
    const v = randomNd([2, s, d], 3);
    const maskT = toTensor(mask);
    await checkOp(
      'attention with float mask',
      [q, k, v],
      (a, b, c) => sg.scaledDotProductAttention(a, b, c, { attnMask: maskT }),
      attentionRef(mask),
    );
    // Keep j <= i + 2 (a shifted causal mask); -Infinity elsewhere in the reference.
    const keep = Array.from({ length: l * s }, (_, i) => (i % s <= Math.floor(i / s) + 2 ? 1 : 0));
    const keepT = sg.tensor(keep, { shape: [l, s], dtype: 'int32' });
    const additive = nd(
      [l, s],
      keep.map((x) => (x ? 0 : -Infinity)),
    );
    await checkOp(
      'attention with int32 mask',
      [q, k, v],
      (a, b, c) => sg.scaledDotProductAttention(a, b, c, { attnMask: keepT }),
      attentionRef(additive),
    );
    maskT.dispose();
    keepT.dispose();
  });

  it('names the shapes that do not fit', () => {
    const q = sg.zeros([2, 4, 8]);
    const k = sg.zeros([2, 5, 7]);
    expect(() => sg.scaledDotProductAttention(q, k, k)).toThrow(
      'scaled_dot_product_attention: query [2, 4, 8], key [2, 5, 7] and value [2, 5, 7] do not fit',
    );
    q.dispose();
    k.dispose();
  });
});

describe('splitHeads (the head split of MultiheadAttention)', () => {
  // [B, S, parts * E], parts, part, heads, scale, transposed
  const cases: Array<[number[], number, number, number, number, boolean]> = [
    [[2, 5, 3 * 8], 3, 0, 2, 0.5, false],
    [[2, 5, 3 * 8], 3, 1, 2, 1, true],
    [[2, 5, 3 * 8], 3, 2, 4, 1, false],
    [[1, 7, 9], 1, 0, 3, 1, true],
    [[3, 50, 3 * 12], 3, 1, 3, 0.25, true],
    [[1, 1, 6], 3, 2, 1, 2, false],
  ];
  for (const [shape, parts, part, heads, scale, transposed] of cases) {
    it(`[${shape}] part ${part} of ${parts}, ${heads} heads${transposed ? ', transposed' : ''}`, async () => {
      const x = randomNd(shape, shape[1] + part);
      await checkOp(
        `split_heads [${shape}]`,
        [x],
        (t) => splitHeads(t, parts, part, heads, { scale, transposed }),
        splitHeadsRef(parts, part, heads, scale, transposed),
      );
    });
  }

  it('refuses widths that do not split', () => {
    const x = sg.zeros([2, 3, 10]);
    expect(() => splitHeads(x, 3, 0, 2)).toThrow(
      'split_heads: cannot take part 0 of 3 with 2 heads from shape [2, 3, 10]',
    );
    x.dispose();
  });
});

describe('nn.MultiheadAttention against PyTorch 1.13', () => {
  const masks = fixture.masks;
  const int = (rows: number[][]) => sg.tensor(rows.flat(), { shape: [rows.length, rows[0].length], dtype: 'int32' });
  type Setup = {
    make: () => sg.nn.MultiheadAttention;
    call: (m: sg.nn.MultiheadAttention, xs: sg.Tensor[]) => [sg.Tensor, sg.Tensor | null];
    inputs?: (xs: sg.Tensor[]) => sg.Tensor[];
  };
  const setups: Record<string, Setup> = {
    self_batch_first: {
      make: () => new sg.nn.MultiheadAttention(8, 2, { batchFirst: true }),
      call: (m, [q]) => m.forward(q, q, q),
    },
    self_seq_first_no_avg: {
      make: () => new sg.nn.MultiheadAttention(12, 3),
      call: (m, [q]) => m.forward(q, q, q, { averageAttnWeights: false }),
    },
    cross_masks: {
      make: () => new sg.nn.MultiheadAttention(12, 3, { batchFirst: true }),
      inputs: ([q, k, v]) => [q, k.mul(0.7), v.add(0.3)],
      call: (m, [q, k, v]) => {
        const keyPaddingMask = int(masks.bool_pad);
        const attnMask = sg.tidy(() => deterministicInput(masks.float_mask_shape).mul(0.5));
        return m.forward(q, k, v, { keyPaddingMask, attnMask });
      },
    },
    causal_no_bias_no_weights: {
      make: () => new sg.nn.MultiheadAttention(16, 4, { bias: false, batchFirst: true }),
      call: (m, [q]) => m.forward(q, q, q, { attnMask: int(masks.causal), needWeights: false }),
    },
    unbatched: { make: () => new sg.nn.MultiheadAttention(8, 4), call: (m, [q]) => m.forward(q, q, q) },
  };

  for (const [name, setup] of Object.entries(setups)) {
    it(`${name}: repr, keys, output, weights and every gradient`, async () => {
      const rec = fixture.cases[name];
      const m = setup.make();
      expect(m.toString()).toBe(rec.repr);
      expect([...m.stateDict()].map(([k, t]) => [k, t.shape])).toEqual(rec.keys);
      setDeterministic(m);
      const base = rec.inputs.map((shape: number[]) => deterministicInput(shape));
      const xs = sg.tidy(() => (setup.inputs ? setup.inputs(base) : base.map((t: sg.Tensor) => t.reshape(t.shape))));
      for (const x of xs) x.requiresGrad = true;
      const [out, weights] = setup.call(m, xs);
      expect(out.shape).toEqual(rec.out_shape);
      const u = sg.tensor(
        Float32Array.from({ length: out.size }, (_, i) => Math.cos(0.291 * i + 0.5)),
        { shape: out.shape },
      );
      sg.tidy(() => out.mul(u).sum().backward());
      expectClose(await out.data(), rec.out, `${name} output`, { rtol: 1e-4, atol: 1e-5 });
      if (rec.weights) {
        expect(weights!.shape).toEqual(rec.weights_shape);
        expectClose(await weights!.data(), rec.weights, `${name} weights`, { rtol: 1e-4, atol: 1e-6 });
      } else {
        expect(weights).toBeNull();
      }
      for (const [i, x] of xs.entries())
        expectClose(await x.grad!.data(), rec.input_grads[i], `${name} input ${i} gradient`, {
          rtol: 1e-4,
          atol: 1e-5,
        });
      for (const [key, p] of m.namedParameters())
        expectClose(await p.grad!.data(), rec.param_grads[key], `${name} d${key}`, { rtol: 1e-4, atol: 1e-5 });
      m.zeroGrad();
      for (const t of [...base, ...xs, ...xs.map((x: sg.Tensor) => x.grad!), out, u, ...(weights ? [weights] : [])])
        t.dispose();
    });
  }

  it('in eval mode under noGrad, returns only its results (no tensors left behind)', () => {
    const m = new sg.nn.MultiheadAttention(16, 4, { batchFirst: true }).eval();
    const x = sg.randn([2, 7, 16]);
    const before = sg.memory().liveTensors;
    const [out, w] = sg.noGrad(() => m.forward(x, x, x));
    expect(sg.memory().liveTensors - before).toBe(2);
    out.dispose();
    w!.dispose();
    x.dispose();
  });

  it('drops attention weights in training (rows no longer sum to 1), not in eval', async () => {
    const m = new sg.nn.MultiheadAttention(8, 2, { dropout: 0.5, batchFirst: true });
    const x = sg.randn([1, 20, 8]);
    const [, wTrain] = m.forward(x, x, x, { averageAttnWeights: false });
    const rows = await wTrain!.sum(-1).data();
    expect(Array.from(rows).some((r) => Math.abs(r - 1) > 0.05)).toBe(true);
    const values = await wTrain!.data();
    expect(Array.from(values).filter((v) => v === 0).length).toBeGreaterThan(values.length / 4);
    m.eval();
    const [, wEval] = m.forward(x, x, x, { averageAttnWeights: false });
    expectClose(await wEval!.sum(-1).data(), new Array(40).fill(1), 'eval rows sum to 1');
    m.train();
  });

  it('errors name the shapes', () => {
    const m = new sg.nn.MultiheadAttention(8, 2, { batchFirst: true });
    const q = sg.zeros([2, 5, 8]);
    const bad = sg.zeros([2, 5, 6]);
    expect(() => m.forward(q, bad, bad)).toThrow(
      'MultiheadAttention: expected embedding dimension 8 in query [2, 5, 8], key [2, 5, 6], value [2, 5, 6]',
    );
    const mask = sg.zeros([4, 4]);
    expect(() => m.forward(q, q, q, { attnMask: mask })).toThrow(
      'MultiheadAttention: attn_mask of shape [4, 4] should be [5, 5] or [4, 5, 5]',
    );
    expect(() => new sg.nn.MultiheadAttention(10, 3)).toThrow(
      'MultiheadAttention: embed_dim 10 must be divisible by num_heads 3',
    );
    for (const t of [q, bad, mask]) t.dispose();
  });
});
