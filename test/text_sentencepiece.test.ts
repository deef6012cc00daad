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
