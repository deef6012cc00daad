/**
 * GPT-2's byte-level BPE tokenizer, as torchtext's `GPT2BPETokenizer` (RoBERTa's first stage):
 * text is split by GPT-2's regex pre-tokenizer, each piece's UTF-8 bytes are mapped to printable
 * characters (GPT-2's byte-to-unicode table), and BPE merges are applied by rank (lowest first).
 * The ids come back as decimal strings (torchtext's behaviour), or the BPE tokens with `returnTokens`.
 */
import { builtin } from '../../data/node.js';

/** GPT-2's pre-tokenizer: contractions, letter runs, number runs, other runs, whitespace. */
const PRE_TOKENIZER = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the others to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const table: string[] = new Array<string>(256);
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + extra++);
  return table;
}

/** Options of `GPT2BPETokenizer`. */
export interface GPT2BPETokenizerOptions {
  /** Return the BPE tokens instead of their ids as strings (default false), as `return_tokens`. */
  returnTokens?: boolean;
}

/** A UTF-8 text file's contents (a path in Node, or the file's bytes), naming the op in the error. */
function readText(op: string, pathOrBytes: string | Uint8Array): string {
  if (pathOrBytes instanceof Uint8Array) return new TextDecoder().decode(pathOrBytes);
  try {
    return builtin<typeof import('node:fs')>('node:fs', op).readFileSync(pathOrBytes, 'utf8');
  } catch (e) {
    throw new Error(`${op}: cannot read '${pathOrBytes}': ${(e as Error).message}`);
  }
}

/**
 * torchtext's `GPT2BPETokenizer(encoder_json_path, vocab_bpe_path, return_tokens=False)`:
 * `forward(text)` gives the ids of the BPE tokens as strings (`['15496', '995']` for
 * "Hello world"), one list per string of a batch.
 */
export class GPT2BPETokenizer {
  private readonly encoder: Map<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly byteEncoder = bytesToUnicode();
  private readonly cache = new Map<string, string[]>();
  private readonly returnTokens: boolean;

  /** `encoderJsonPath`: GPT-2's `encoder.json`; `vocabBpePath`: its `vocab.bpe` merges (paths, or the files' bytes). */
  constructor(
    encoderJsonPath: string | Uint8Array,
    vocabBpePath: string | Uint8Array,
    options: GPT2BPETokenizerOptions = {},
  ) {
    const op = 'GPT2BPETokenizer';
    const [encoderName, mergesName] = [encoderJsonPath, vocabBpePath].map((f) =>
      typeof f === 'string' ? f : '<bytes>',
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(readText(op, encoderJsonPath));
    } catch (e) {
      throw new Error(`${op}: '${encoderName}' is not a JSON encoder: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`${op}: '${encoderName}' must hold a JSON object of token -> id`);
    }
    this.encoder = new Map(Object.entries(parsed as Record<string, number>));
    const lines = readText(op, vocabBpePath).split('\n');
    let rank = 0;
    for (const [i, line] of lines.entries()) {
      if (line.startsWith('#version') || line.trim() === '') continue;
      const parts = line.split(' ');
      if (parts.length !== 2) throw new Error(`${op}: ${mergesName} line ${i + 1} is not a merge 'a b': '${line}'`);
      this.ranks.set(`${parts[0]} ${parts[1]}`, rank++);
    }
    this.returnTokens = options.returnTokens ?? false;
  }

  /** Token ids (as strings) or tokens of one string, or of each string of a batch. */
  forward(text: string): string[];
  forward(text: string[]): string[][];
  forward(text: string | string[]): string[] | string[][];
  forward(text: string | string[]): string[] | string[][] {
    if (Array.isArray(text)) return text.map((t) => this.tokenize(t));
    if (typeof text !== 'string') throw new Error('GPT2BPETokenizer.forward: expects a string or an array of strings');
    return this.tokenize(text);
  }

  private tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new Error('GPT2BPETokenizer.forward: expects a string or an array of strings');
    const out: string[] = [];
    for (const match of text.matchAll(PRE_TOKENIZER)) {
      const mapped = Array.from(new TextEncoder().encode(match[0]), (b) => this.byteEncoder[b]).join('');
      for (const token of this.bpe(mapped)) {
        if (this.returnTokens) {
          out.push(token);
          continue;
        }
        const id = this.encoder.get(token);
        if (id === undefined) throw new Error(`GPT2BPETokenizer: BPE token '${token}' is not in the encoder`);
        out.push(String(id));
      }
    }
    return out;
  }

  /** GPT-2's BPE: repeatedly merge the adjacent pair of lowest rank until none is mergeable. */
  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    let word = Array.from(token);
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(word[i]);
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }
}
