// sg.text.models against torchtext 0.14 (test/fixtures/text, tools/fixtures/make_text_fixtures.py):
// the four bundles' full-size module trees (printed form, stateDict keys and shapes in order,
// parameter counts) without weights; small random models saved by torch.save (padding rows,
// LayerNorm and attention biases non-zero) giving torch's float64 eval outputs on padded batches
// and cross-entropy gradients, with the padding rows' gradients exactly zero; pre-0.14 key names;
// a given head replacing the checkpoint's.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { expectClose } from './helpers.js';

const T = sg.text.models;
const dir = join(__dirname, 'fixtures/text');
const structure = JSON.parse(readFileSync(join(dir, 'structure.json'), 'utf8'));
const fixture = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));

beforeAll(async () => {
  await sg.init();
});

/** torchtext's snake_case conf as RobertaEncoderConf. */
function confOf(c: Record<string, number | boolean>): sg.text.models.RobertaEncoderConf {
  const camel = Object.fromEntries(
    Object.entries(c).map(([k, v]) => [k.replace(/_(.)/g, (_, x) => x.toUpperCase()), v]),
  );
  return new T.RobertaEncoderConf(camel);
}

function expectStructure(model: sg.nn.Module, want: { repr: string; keys: [string, number[]][]; numParams: number }) {
  expect(model.toString()).toBe(want.repr);
  expect([...model.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(want.keys);
  expect(sg.models.countParameters(model)).toBe(want.numParams);
}

describe('the bundles at full size: module tree, keys, counts', () => {
  const bundles = ['XLMR_BASE_ENCODER', 'ROBERTA_BASE_ENCODER', 'XLMR_LARGE_ENCODER', 'ROBERTA_LARGE_ENCODER'] as const;
  for (const name of bundles) {
    it(name, async () => {
      const bundle = T[name];
      const head = name === 'XLMR_BASE_ENCODER' ? new T.RobertaClassificationHead(2, 768) : null;
      const model = await bundle.getModel({ head, loadWeights: false });
      try {
        expectStructure(model, structure[name]);
      } finally {
        sg.models.disposeModel(model);
      }
      await sg.synchronize();
      sg.emptyCache();
    });
  }
  it('RobertaEncoderConf has torchtext defaults and rejects unknown fields', () => {
    const c = new T.RobertaEncoderConf();
    expect({ ...c }).toEqual({
      vocabSize: 50265,
      embeddingDim: 768,
      ffnDimension: 3072,
      paddingIdx: 1,
      maxSeqLen: 514,
      numAttentionHeads: 12,
      numEncoderLayers: 12,
      dropout: 0.1,
      scaling: null,
      normalizeBefore: false,
    });
    expect(() => new T.RobertaEncoderConf({ vocab_size: 3 } as never)).toThrow(/unknown field 'vocab_size'/);
    expect(T.XLMR_BASE_ENCODER.encoderConf.vocabSize).toBe(250002);
  });
});

/** The model of a small fixture with its weights, built as torchtext's RobertaModel would be. */
async function smallModel(name: string, weightsFile = `${name}.pt`): Promise<sg.text.models.RobertaModel> {
  const fx = fixture(name);
  const conf = confOf(fx.conf);
  let head: sg.nn.Module | null = null;
  if (name === 'post_ln') head = new T.RobertaClassificationHead(3, conf.embeddingDim);
  if (name === 'pre_ln')
    head = new T.RobertaClassificationHead(2, conf.embeddingDim, { innerDim: 5, activation: new sg.nn.Tanh() });
  const model = new T.RobertaModel(conf, head);
  // Load the checkpoint's head too (torchtext's build_model with no override, via loadRobertaWeights on a head-less view).
  const state = await sg.io.load(join(dir, weightsFile));
  try {
    model.loadStateDict(T.remapRobertaKeys(state));
  } finally {
    for (const t of state.values()) t.dispose();
  }
  return model;
}

describe('small random models equal torchtext in float64 (eval outputs, gradients)', () => {
  for (const name of ['post_ln', 'pre_ln', 'encoder']) {
    it(name, async () => {
      const fx = fixture(name);
      const model = await smallModel(name);
      expectStructure(model, structure[name]);
      model.eval();
      const [b, s] = [fx.tokens.length, fx.tokens[0].length];
      const tokens = sg.tensor(fx.tokens.flat(), { shape: [b, s], dtype: 'int32' });
      const out = model.forward(tokens);
      expect(out.shape).toEqual(fx.outShape);
      expectClose(await out.data(), fx.out, `${name}: eval output`, { rtol: 1e-3, atol: 1e-4 });
      let loss: sg.Tensor;
      const owned: sg.Tensor[] = [tokens, out];
      if (fx.labels) {
        const labels = sg.tensor(fx.labels, { dtype: 'int32' });
        loss = sg.crossEntropy(out, labels);
        owned.push(labels);
      } else {
        const r = sg.tensor(fx.upstream, { shape: out.shape });
        loss = out.mul(r).sum();
        owned.push(r);
      }
      owned.push(loss);
      expect(await loss.item()).toBeCloseTo(fx.loss, 4);
      loss.backward();
      for (const [k, p] of model.namedParameters()) {
        const want = fx.grads[k];
        const scale = Math.max(...want.map(Math.abs));
        expectClose(await p.grad!.data(), want, `${name}: gradient of ${k}`, { rtol: 5e-3, atol: 5e-3 * scale + 1e-7 });
      }
      // The padding rows (padding_idx 1) of both tables: exactly zero.
      const d = model.conf.embeddingDim;
      const tr = model.encoder.transformer;
      for (const table of [tr.token_embedding.weight, tr.positional_embedding.embedding.weight]) {
        expect(Array.from((await table.grad!.data()).slice(d, 2 * d))).toEqual(new Array(d).fill(0));
        // ... while the row itself is not zero (the file's random values).
        expect((await table.data()).slice(d, 2 * d).some((v) => v !== 0)).toBe(true);
      }
      for (const t of owned) t.dispose();
      sg.models.disposeModel(model);
    });
  }
});

describe('loading torchtext files', () => {
  it('pre-0.14 key names load to the same model', async () => {
    const a = await smallModel('post_ln');
    const b = await smallModel('post_ln', 'post_ln_old_keys.pt');
    for (const [k, t] of a.stateDict())
      expect(Array.from(await b.stateDict().get(k)!.data()), k).toEqual(Array.from(await t.data()));
    sg.models.disposeModel(a);
    sg.models.disposeModel(b);
  });

  it('getModel: a given head replaces the checkpoint head; the encoder comes from the file; freezeEncoder', async () => {
    const fx = fixture('post_ln');
    const bundle = new T.RobertaBundle('SMALL', confOf(fx.conf), 'https://example.invalid/small.pt', () => ({
      forward: () => [],
    }));
    const head = new T.RobertaClassificationHead(5, 8);
    const before = Array.from(await head.out_proj.weight.data());
    const model = await bundle.getModel({ head, weights: join(dir, 'post_ln_old_keys.pt'), freezeEncoder: true });
    expect(model.head).toBe(head);
    expect(Array.from(await head.out_proj.weight.data())).toEqual(before);
    const ref = await smallModel('post_ln');
    const key = 'encoder.transformer.layers.layers.1.self_attn.in_proj_bias';
    expect(Array.from(await model.stateDict().get(key)!.data())).toEqual(
      Array.from(await ref.stateDict().get(key)!.data()),
    );
    expect(model.encoder.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(head.parameters().every((p) => p.requiresGrad)).toBe(true);
    sg.models.disposeModel(model);
    sg.models.disposeModel(ref);
  });

  it('errors name the model and the problem', async () => {
    const model = new T.RobertaModel(
      new T.RobertaEncoderConf({
        vocabSize: 10,
        embeddingDim: 4,
        ffnDimension: 4,
        numAttentionHeads: 2,
        numEncoderLayers: 1,
        maxSeqLen: 6,
      }),
    );
    const f = sg.zeros([2, 3]);
    expect(() => model.forward(f)).toThrow(/RobertaEncoder: .*int32/);
    const long = sg.zeros([1, 5], { dtype: 'int32' });
    expect(() => model.forward(long)).toThrow(/exceed the 4 positions/);
    await expect(T.loadRobertaWeights(model, join(dir, 'post_ln.pt'))).rejects.toThrow(
      /RobertaModel: cannot load weights: .*size mismatch/s,
    );
    expect(() => T.XLMR_BASE_ENCODER.transform()).toThrow(
      /XLMR_BASE_ENCODER.transform\(\): needs 'spModel', 'vocab' .*missing spModel, vocab/,
    );
    f.dispose();
    long.dispose();
    sg.models.disposeModel(model);
  });
});
