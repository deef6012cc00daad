// SentencePieceTokenizer (src/text/tokenizers/sentencepiece*.ts) against sentencepiece 0.1.97 on
// small real models trained by tools/fixtures/make_sentencepiece_fixtures.py (unigram and BPE;
// nmt_nfkc, nfkc and identity normalizers; byte fallback; no dummy prefix / kept whitespace;
// whitespace as suffix; user-defined and control pieces): exact pieces and ids for every test
// sentence, and the ids of 200 random strings drawn from the test alphabet.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SentencePieceTokenizer } from '../src/text/tokenizers/sentencepiece.js';

const DIR = join(__dirname, 'fixtures/sentencepiece');

interface Case {
  text: string;
  pieces: string[];
  ids: number[];
}
interface ModelCases {
  vocab_size: number;
  pieces: string[];
  sentences: Case[];
  random_ids: number[][];
}
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as {
  random_strings: string[];
  models: Record<string, ModelCases>;
};

describe('SentencePieceTokenizer vs sentencepiece 0.1.97', () => {
  for (const [name, model] of Object.entries(cases.models)) {
    describe(name, () => {
      const tok = new SentencePieceTokenizer(join(DIR, `${name}.model`));

      it('has the same vocabulary (idToPiece, pieceToId, vocabSize)', () => {
        expect(tok.vocabSize).toBe(model.vocab_size);
        model.pieces.forEach((p, id) => {
          expect(tok.idToPiece(id)).toBe(p);
          expect(tok.pieceToId(p)).toBe(id);
        });
      });

      it('gives the exact pieces and ids of every test sentence', () => {
        for (const c of model.sentences) {
          expect({ text: c.text, pieces: tok.encodeAsPieces(c.text) }).toEqual({ text: c.text, pieces: c.pieces });
          expect({ text: c.text, ids: tok.encode(c.text) }).toEqual({ text: c.text, ids: c.ids });
        }
      });

      it('gives the exact ids of 200 random strings', () => {
        cases.random_strings.forEach((s, i) => {
          expect({ s, ids: tok.encode(s) }).toEqual({ s, ids: model.random_ids[i] });
        });
      });
    });
  }
});

describe('SentencePieceTokenizer input checks', () => {
  const path = join(DIR, 'unigram_nmt.model');
  const bytes = new Uint8Array(readFileSync(path));

  it('reads the bytes as the path, and batches like torchtext', () => {
    const [a, b] = [new SentencePieceTokenizer(path), new SentencePieceTokenizer(bytes)];
    expect(b.forward(['Hello world', '', 'café'])).toEqual(a.forward(['Hello world', '', 'café']));
    expect(a.forward('')).toEqual([]);
    expect(a.modelType).toBe('unigram');
    expect(a.pieceToId('<s>')).toBe(1);
    expect(a.pieceToId('no such piece')).toBe(0);
    expect(() => a.idToPiece(a.vocabSize)).toThrow(/idToPiece: id 400 out of range \[0, 400\)/);
    expect(() => a.forward(3 as unknown as string)).toThrow(/SentencePieceTokenizer.forward: expects a string/);
  });

  it('refuses bad files with errors naming them', () => {
    expect(() => new SentencePieceTokenizer(join(DIR, 'missing.model'))).toThrow(
      /SentencePieceTokenizer: cannot read '.*missing.model': no such file/,
    );
    expect(() => new SentencePieceTokenizer(bytes.subarray(0, bytes.length - 1000))).toThrow(
      /SentencePieceTokenizer: <bytes>: not a valid sentencepiece model: truncated protobuf/,
    );
    expect(() => new SentencePieceTokenizer(new TextEncoder().encode('{"not": "a model"}'))).toThrow(
      /SentencePieceTokenizer: <bytes>: not a (valid )?sentencepiece model/,
    );
    expect(() => new SentencePieceTokenizer(join(DIR, 'bundles.json'))).toThrow(
      /bundles.json: not a (valid )?sentencepiece model/,
    );
    // A word model: pieces [<unk> (UNKNOWN)], trainer_spec { model_type: WORD }.
    const word = Uint8Array.of(0x0a, 9, 0x0a, 5, ...new TextEncoder().encode('<unk>'), 0x18, 2, 0x12, 2, 0x18, 3);
    expect(() => new SentencePieceTokenizer(word)).toThrow(
      /model_type word is not supported \(unigram and BPE models only\)/,
    );
    const noUnk = Uint8Array.of(0x0a, 7, 0x0a, 5, ...new TextEncoder().encode('hello'), 0x12, 2, 0x18, 1);
    expect(() => new SentencePieceTokenizer(noUnk)).toThrow(/the model has no unknown piece/);
  });
});

describe('SentencePieceTokenizer on damaged models', () => {
  // A fixed-seed linear congruential generator: the same mutants on every run.
  let seed = 19;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const named = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect((e as Error).message).toMatch(/^SentencePieceTokenizer/);
    }
  };

  it('truncations and byte mutations load and encode, or fail with an error naming the tokenizer', () => {
    for (const name of ['bpe_raw', 'unigram_suffix', 'unigram_nmt']) {
      const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.model`)));
      const step = Math.max(7, Math.floor(bytes.length / 100));
      const mutants = bytes.length > 100000 ? 60 : 300;
      for (let n = 0; n < bytes.length; n += step)
        named(() => new SentencePieceTokenizer(bytes.subarray(0, n)).encode('a b'));
      for (let i = 0; i < mutants; i++) {
        const mutant = bytes.slice();
        for (let k = 0; k <= rand(4); k++) mutant[rand(mutant.length)] = rand(256);
        named(() => new SentencePieceTokenizer(mutant).encode('Hello wörld 😀 你好'));
      }
    }
  });
});
