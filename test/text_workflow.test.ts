// The text workflow: labelled sentences from a TSV (SST-2 layout), a CSV or a folder of .txt
// files; token-id datasets batched as [B, S] int32; sg.train.finetuneText (frozen encoder then
// fine-tuning with a lower encoder rate) on a tiny RoBERTa from random initialisation; a sentence
// classified with probabilities; sg.summary of a text model; `shadergrad finetune --task text`.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { finetuneCommand, finetuneOptionsFor } from '../tools/cli/finetune.js';
import { UsageError } from '../tools/cli/args.js';

beforeAll(async () => {
  await sg.init();
});

const GOOD = ['great', 'wonderful', 'moving', 'brilliant', 'fun', 'superb'];
const BAD = ['dull', 'awful', 'boring', 'weak', 'tedious', 'poor'];
/** Sentences whose class is told by one word among neutral ones (learnable by a tiny model). */
function sentences(n: number): Array<[string, number]> {
  const filler = ['the', 'film', 'was', 'a', 'story', 'and', 'plot', 'really'];
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const word = (label ? GOOD : BAD)[(i * 7) % 6];
    const len = 2 + ((i * 5) % 6); // ragged lengths: padding matters
    const words = Array.from({ length: len }, (_, k) => filler[(i + k * 3) % filler.length]);
    words.splice(i % (len + 1), 0, word);
    return [words.join(' '), label];
  });
}

const TINY = {
  numEncoderLayers: 1,
  embeddingDim: 16,
  numAttentionHeads: 2,
  ffnDimension: 32,
  maxSeqLen: 40,
  vocabSize: 64,
};

describe('reading labelled text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-text-'));
  it('SST-2 TSV with a header, CSV with quotes, folders of .txt', () => {
    writeFileSync(join(dir, 'a.tsv'), 'sentence\tlabel\nhello world \t1\nbad , day\t0\n');
    expect(sg.train.readLabelledText(join(dir, 'a.tsv'))).toEqual({
      sentences: ['hello world ', 'bad , day'],
      labels: [1, 0],
      classes: ['0', '1'],
    });
    writeFileSync(join(dir, 'b.csv'), '"it said ""hi"", then left",pos\nno,neg\n');
    expect(sg.train.readLabelledText(join(dir, 'b.csv'))).toEqual({
      sentences: ['it said "hi", then left', 'no'],
      labels: [1, 0],
      classes: ['neg', 'pos'],
    });
    for (const [c, text] of [
      ['neg', 'meh'],
      ['pos', 'yay'],
    ]) {
      mkdirSync(join(dir, 'f', c), { recursive: true });
      writeFileSync(join(dir, 'f', c, '1.txt'), `${text}\n`);
    }
    expect(sg.train.readLabelledText(join(dir, 'f'))).toEqual({
      sentences: ['meh', 'yay'],
      labels: [0, 1],
      classes: ['neg', 'pos'],
    });
    writeFileSync(join(dir, 'c.tsv'), 'only\n');
    expect(() => sg.train.readLabelledText(join(dir, 'c.tsv'))).toThrow(
      /readLabelledTable: .* needs a text and a label column/,
    );
  });

  it('WordVocabulary: specials as torchtext, <s> and </s> added, unknown words 3; TokenDataset pads with 1', async () => {
    const v = new sg.train.WordVocabulary(['b a b', 'c b'], { maxLength: 4 });
    expect(v.itos).toEqual(['<s>', '<pad>', '</s>', '<unk>', 'b', 'a', 'c']);
    expect(v.forward('B, z')).toEqual([0, 4, 3, 2]);
    expect(v.forward(['a a a a a'])).toEqual([[0, 5, 5, 2]]);
    const ds = new sg.train.TokenDataset(
      [
        [0, 4, 2],
        [0, 2],
      ],
      [1, 0],
    );
    const [x, y] = ds.get(1);
    expect(y).toBe(0);
    expect(x).toMatchObject({ shape: [3], dtype: 'int32' });
    expect(Array.from((x as sg.data.HostTensor).data)).toEqual([0, 2, 1]);
    const loader = new sg.data.DataLoader(ds, { batchSize: 2 });
    for await (const b of loader) {
      expect(b.x.dtype).toBe('int32');
      expect(Array.from(await b.x.data())).toEqual([0, 4, 2, 0, 2, 1]);
      b.x.dispose();
      b.y.dispose();
    }
  });
});

describe('finetuneText', () => {
  it('trains a tiny RoBERTa (head, then all with a lower encoder rate), evaluates, classifies a sentence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-text-'));
    const rows = sentences(96);
    writeFileSync(join(dir, 'train.tsv'), 'sentence\tlabel\n' + rows.map(([s, l]) => `${s}\t${l}`).join('\n') + '\n');
    const lines: string[] = [];
    const r = await sg.train.finetuneText({
      data: join(dir, 'train.tsv'),
      valSplit: 0.25,
      model: 'ROBERTA_BASE_ENCODER',
      encoder: { ...TINY, dropout: 0 },
      epochs: 8,
      headEpochs: 1,
      headLr: 1e-2,
      backboneLr: 5e-3,
      batchSize: 8,
      out: join(dir, 'run'),
      log: (l) => lines.push(l),
      stream: { write: () => true },
    });
    expect(r.rows.length).toBe(8);
    expect(r.classes).toEqual(['0', '1']);
    // Phase 1 trained the head only; phase 2 everything.
    expect(lines.join('\n')).toMatch(/72 training and 24 validation sentences/);
    expect(r.bestAcc).toBeGreaterThanOrEqual(0.85);
    expect(r.rows[7].trainLoss).toBeLessThan(r.rows[0].trainLoss / 2);
    expect(existsSync(join(dir, 'run', 'model.safetensors'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'classes.json'), 'utf8'))).toEqual(['0', '1']);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'vocab.json'), 'utf8'))).toEqual(
      (r.tokenizer as sg.train.WordVocabulary).itos,
    );
    const p = await sg.train.classifyText(r.model, r.tokenizer, 'the film was wonderful');
    expect(p.length).toBe(2);
    expect(p[0] + p[1]).toBeCloseTo(1, 5);
    sg.models.disposeModel(r.model);
  }, 300_000);
});

describe('sg.summary of a text model (token ids as input)', () => {
  it('lists embeddings, attention, linear layers and the head with torchsummary counts', () => {
    const conf = new sg.text.models.RobertaEncoderConf(TINY);
    const model = new sg.text.models.RobertaModel(conf, new sg.text.models.RobertaClassificationHead(3, 16));
    const before = sg.memory().liveTensors;
    const table = sg.summary(model, [7], { dtype: 'int32', batchSize: 4 });
    expect(sg.memory().liveTensors).toBe(before);
    expect(table).toMatch(/Embedding-1\s+\[4, 7, 16\]\s+1,024/);
    expect(table).toMatch(/Linear-\d+\s+\[4, 3\]\s+51/);
    // torchsummary counts each module's own `weight` and `bias` only (not MHA's in_proj_weight).
    expect(table).toMatch(/Total params: 3,155\n/);
    sg.models.disposeModel(model);
  });
});

describe('shadergrad finetune --task text', () => {
  it('parses the text options, detecting the task from a .tsv', () => {
    const o = finetuneOptionsFor(['--data', 'x/train.tsv', '--encoder-layers', '2', '--epochs', '3']);
    expect(o).toMatchObject({
      task: 'text',
      options: { data: 'x/train.tsv', model: 'XLMR_BASE_ENCODER', encoder: { numEncoderLayers: 2 }, epochs: 3 },
    });
    const img = finetuneOptionsFor(['--data', 'imgs', '--model', 'resnet18']);
    expect(img?.task).toBe('image');
  });

  const SP = join(__dirname, 'fixtures', 'sentencepiece');
  const spFiles = { spModel: join(SP, 'unigram_nmt.model'), vocab: join(SP, 'xlmr.vocab.pt') };

  it("tokenizes with XLM-R's sentencepiece pipeline from --sp-model/--vocab, trains, records the files", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-text-cli-'));
    const rows = sentences(24);
    writeFileSync(join(dir, 'train.tsv'), 'sentence\tlabel\n' + rows.map(([s, l]) => `${s}\t${l}`).join('\n') + '\n');
    const args = ['--data', join(dir, 'train.tsv'), '--sp-model', spFiles.spModel, '--vocab', spFiles.vocab];
    const tiny = ['--encoder-layers', '1', '--embedding-dim', '16', '--heads', '2', '--ffn-dim', '32'];
    const run = [...tiny, '--epochs', '2', '--head-epochs', '1', '--batch-size', '8', '--freeze-embeddings'];
    const out = join(dir, 'run');
    const o = finetuneOptionsFor([...args, ...run, '--out', out]);
    if (o?.task !== 'text') throw new Error('expected the text task');
    expect(o.tokenizerFiles).toEqual(spFiles);
    // The ids are those of the bundle's torchtext pipeline, not of a word vocabulary.
    const reference = sg.text.models.XLMR_BASE_ENCODER.transform(spFiles);
    expect(o.options.tokenizer!.forward(rows[0][0])).toEqual(reference.forward(rows[0][0]));
    expect(o.options.tokenizer).not.toBeInstanceOf(sg.train.WordVocabulary);

    const log = console.log;
    console.log = () => {};
    try {
      await finetuneCommand([...args, ...run, '--out', out, '--no-progress', '--weights', join(dir, 'none.pt')]).then(
        () => expect.unreachable(),
        (e) => expect(e).not.toBeInstanceOf(UsageError), // tokenizer files given: --weights is read (missing here)
      );
      await finetuneCommand([...args, ...run, '--out', out, '--no-progress']);
    } finally {
      console.log = log;
    }
    expect(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8'))).toEqual({
      model: 'XLMR_BASE_ENCODER',
      files: spFiles,
    });
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as unknown[];
    expect(metrics.length).toBe(2); // both epochs trained
    expect(existsSync(join(out, 'vocab.json'))).toBe(false); // no word vocabulary
  }, 300_000);

  it('refuses pretrained weights without tokenizer files, and incomplete or foreign tokenizer files', async () => {
    const usage = (args: string[], message: RegExp) => {
      expect(() => finetuneOptionsFor(['--data', 'x/train.tsv', ...args])).toThrow(UsageError);
      expect(() => finetuneOptionsFor(['--data', 'x/train.tsv', ...args])).toThrow(message);
    };
    usage(['--weights', 'xlmr.base.encoder.pt'], /own tokenizer files: --sp-model FILE --vocab FILE.*--word-vocab/);
    usage(
      ['--model', 'ROBERTA_BASE_ENCODER', '--weights', 'w.pt'],
      /--encoder-json FILE --vocab-bpe FILE --vocab FILE/,
    );
    usage(['--sp-model', spFiles.spModel], /needs --sp-model FILE --vocab FILE; missing --vocab/);
    usage(['--encoder-json', 'e.json', '--vocab', spFiles.vocab], /--encoder-json is not a file of XLMR_BASE_ENCODER/);
    usage(['--sp-model', spFiles.spModel, '--vocab', 'nope.vocab.pt'], /--vocab: no such file/);
    usage(['--sp-model', spFiles.spModel, '--vocab', spFiles.vocab, '--word-vocab'], /--word-vocab excludes/);
    // --word-vocab accepts the word vocabulary with weights the user trained with it.
    const o = finetuneOptionsFor(['--data', 'x/train.tsv', '--weights', 'mine.pt', '--word-vocab']);
    expect(o?.task === 'text' && o.options.tokenizer).toBe(undefined);

    // The command line exits non-zero with the message.
    const { spawnSync } = await import('node:child_process');
    const entry = join(__dirname, '..', 'tools', 'shadergrad.mjs');
    for (const args of [
      ['--weights', 'w.pt'],
      ['--sp-model', spFiles.spModel],
    ]) {
      const r = spawnSync(process.execPath, [entry, 'finetune', '--data', 'x/train.tsv', ...args], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
      });
      expect(r.status).toBe(2); // a usage error
      expect(r.stderr).toMatch(args[0] === '--weights' ? /own tokenizer files/ : /missing --vocab/);
    }
  }, 180_000);
});
