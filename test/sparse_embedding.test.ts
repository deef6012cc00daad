// Row-sparse embedding gradients (PyTorch's nn.Embedding(sparse=True)) and their optimiser
// step: Adam/AdamW apply torch.optim.SparseAdam's update to the touched rows only. Checked
// against PyTorch 1.13 (tools/fixtures/make_sparse_embedding_fixture.py: repeated ids, padding,
// two backward passes before a step) and against the dense gradient.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { rowGradOf, hasRowGrad } from '../src/ops/row_grad.js';
import { coalesceRowGrads } from '../src/ops/embedding.js';
import { expectClose } from './helpers.js';
import { finetuneOptionsFor } from '../tools/cli/finetune.js';

beforeAll(async () => {
  await sg.init();
});

const fx = JSON.parse(readFileSync(join(__dirname, 'fixtures/text/sparse_embedding.json'), 'utf8'));

function table(sparse: boolean): sg.nn.Embedding {
  const emb = new sg.nn.Embedding(fx.num, fx.dim, { paddingIdx: fx.paddingIdx, sparse });
  const w0 = sg.tensor(fx.weight0, { shape: [fx.num, fx.dim] });
  sg.noGrad(() => emb.weight.copy_(w0));
  w0.dispose();
  return emb;
}

/** sum(emb(ids) * R).backward() for one recorded pass. */
function pass(emb: sg.nn.Embedding, p: { ids: number[]; r: number[] }): void {
  sg.tidy(() => {
    const ids = sg.tensor(Int32Array.from(p.ids), { shape: [3, 7] });
    const r = sg.tensor(p.r, { shape: [3, 7, fx.dim] });
    emb.forward(ids).mul(r).sum().backward();
  });
}

describe('nn.Embedding({sparse: true})', () => {
  it('prints sparse=True and leaves weight.grad null; the rows hold the dense gradient, the padding row none', async () => {
    const sparse = table(true);
    const dense = table(false);
    expect(sparse.toString()).toBe('Embedding(23, 6, padding_idx=1, sparse=True)');
    const p = fx.steps[2].passes;
    for (const q of p) pass(sparse, q);
    for (const q of p) pass(dense, q);
    expect(sparse.weight.grad).toBeNull();
    expect(hasRowGrad(sparse.weight)).toBe(true);
    const rows = rowGradOf(sparse.weight, coalesceRowGrads)!;
    const [indices, values, grad] = [
      await rows.indices.data(),
      await rows.values.data(),
      await dense.weight.grad!.data(),
    ];
    // Each touched row once, never the padding row; rows no id touched are absent.
    const listed = Array.from(indices).filter((i) => i >= 0);
    const used = new Set(p.flatMap((q: { ids: number[] }) => q.ids).filter((i: number) => i !== fx.paddingIdx));
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(listed)).toEqual(used);
    const got = new Float64Array(fx.num * fx.dim);
    indices.forEach((row, u) => {
      if (row >= 0) for (let d = 0; d < fx.dim; d++) got[row * fx.dim + d] = values[u * fx.dim + d];
    });
    expectClose(got, grad, 'row gradient vs dense gradient', { rtol: 1e-5, atol: 1e-6 });
    const opt = new sg.optim.Adam(sparse.parameters());
    const before = sg.memory().liveTensors;
    opt.zeroGrad();
    expect(hasRowGrad(sparse.weight)).toBe(false);
    expect(sg.memory().liveTensors).toBe(before - 2);
    sg.models.disposeModel(sparse);
    sg.models.disposeModel(dense);
  });

  for (const Opt of [sg.optim.Adam, sg.optim.AdamW]) {
    it(`${Opt.name} steps the touched rows as torch.optim.SparseAdam (3 steps, accumulated passes)`, async () => {
      const emb = table(true);
      const opt = new Opt(emb.parameters(), { lr: fx.lr, betas: fx.betas, eps: fx.eps });
      for (const [s, step] of fx.steps.entries()) {
        opt.zeroGrad();
        for (const q of step.passes) pass(emb, q);
        opt.step();
        expectClose(await emb.weight.data(), step.weight, `weights after step ${s + 1}`, { rtol: 1e-5, atol: 1e-6 });
      }
      opt.zeroGrad();
      opt.dispose();
      sg.models.disposeModel(emb);
    });
  }

  it('refuses a sparse table that is not a leaf', () => {
    const w = sg.randn([4, 3], { requiresGrad: true });
    const twice = w.mul(2);
    const ids = sg.tensor(Int32Array.from([0, 1]), { shape: [2] });
    expect(() => sg.embedding(ids, twice, { sparse: true })).toThrow(
      'embedding: sparse gradients need the table to be a leaf tensor (a Parameter)',
    );
    for (const t of [w, twice, ids]) t.dispose();
  });
});

describe('finetuneText: freezeEmbeddings, sparseEmbeddings (and the CLI flags)', () => {
  const TINY = {
    numEncoderLayers: 1,
    embeddingDim: 16,
    numAttentionHeads: 2,
    ffnDimension: 32,
    maxSeqLen: 40,
    vocabSize: 64,
  };
  const words = ['good', 'bad', 'film', 'plot', 'the', 'was'];

  /** The token table finetuneText starts from (same seed, same order of construction). */
  async function initialTable(): Promise<Float32Array> {
    sg.manualSeed(0);
    const conf = new sg.text.models.RobertaEncoderConf({ ...sg.text.models.ROBERTA_BASE_ENCODER.encoderConf, ...TINY });
    const model = new sg.text.models.RobertaModel(conf, new sg.text.models.RobertaClassificationHead(2, 16));
    const w = (await model.encoder.transformer.token_embedding.weight.data()) as Float32Array;
    sg.models.disposeModel(model);
    return w;
  }

  async function run(extra: Partial<sg.train.TextFinetuneOptions>) {
    const dir = mkdtempSync(join(tmpdir(), 'sg-sparse-'));
    const rows = Array.from({ length: 24 }, (_, i) => `${words[i % 6]} ${words[(i * 5) % 6]}\t${i % 2}`);
    writeFileSync(join(dir, 'train.tsv'), 'sentence\tlabel\n' + rows.join('\n') + '\n');
    return sg.train.finetuneText({
      data: join(dir, 'train.tsv'),
      model: 'ROBERTA_BASE_ENCODER',
      encoder: TINY,
      epochs: 2,
      headEpochs: 1,
      batchSize: 8,
      backboneLr: 1e-2,
      log: () => undefined,
      stream: { write: () => true },
      ...extra,
    });
  }

  it('freezes the token table, or updates only the rows of the tokens seen', async () => {
    const w0 = await initialTable();
    const frozen = await run({ freezeEmbeddings: true });
    const table = frozen.model.encoder.transformer.token_embedding.weight;
    expect(table.requiresGrad).toBe(false);
    expect(Array.from(await table.data())).toEqual(Array.from(w0));
    sg.models.disposeModel(frozen.model);

    const sparse = await run({ sparseEmbeddings: true });
    const emb = sparse.model.encoder.transformer.token_embedding;
    expect(emb.toString()).toBe('Embedding(64, 16, padding_idx=1, sparse=True)');
    const w = await emb.weight.data();
    const seen = (sparse.tokenizer as sg.train.WordVocabulary).itos.length; // ids >= seen never occur
    const row = (t: ArrayLike<number>, r: number) => Array.from(t).slice(r * 16, (r + 1) * 16);
    for (let r = seen; r < 64; r++) expect(row(w, r)).toEqual(row(w0, r));
    expect(row(w, 4)).not.toEqual(row(w0, 4)); // a word of the data
    expect(row(w, 1)).toEqual(row(w0, 1)); // the padding row
    sg.models.disposeModel(sparse.model);
  }, 120_000);

  it('refuses both at once, and sparse with SGD, before any work; the CLI passes the flags', async () => {
    await expect(run({ freezeEmbeddings: true, sparseEmbeddings: true })).rejects.toThrow(
      'finetuneText: freezeEmbeddings and sparseEmbeddings exclude each other',
    );
    await expect(run({ sparseEmbeddings: true, optimizer: 'sgd' })).rejects.toThrow(
      /needs optimizer 'adam' or 'adamw'/,
    );
    const o = finetuneOptionsFor(['--data', 'x/train.tsv', '--freeze-embeddings']);
    expect(o?.options).toMatchObject({ freezeEmbeddings: true, sparseEmbeddings: false });
    const s = finetuneOptionsFor(['--data', 'x/train.tsv', '--sparse-embeddings']);
    expect(s?.options).toMatchObject({ freezeEmbeddings: false, sparseEmbeddings: true });
  });
});
