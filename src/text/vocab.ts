/**
 * torchtext's vocabulary (`torchtext.vocab`): `Vocab` maps tokens to indices and back, with an
 * optional default index for unknown tokens; `vocab(orderedMap, options)` builds one from token
 * frequencies.
 */

/** torchtext's `Vocab`: token <-> index, `lookupIndices`, `lookupTokens`, `setDefaultIndex`. */
export class Vocab {
  private readonly itos: string[] = [];
  private readonly stoi = new Map<string, number>();
  private defaultIndex: number | null = null;

  /** A vocabulary of `tokens` in order (index i is `tokens[i]`); duplicates are an error. */
  constructor(tokens: readonly string[] = []) {
    for (const t of tokens) this.appendToken(t);
  }

  /** Number of tokens, as `len(vocab)`. */
  get length(): number {
    return this.itos.length;
  }

  /** Whether `token` is in the vocabulary, as `token in vocab` (`__contains__`). */
  contains(token: string): boolean {
    return this.stoi.has(token);
  }

  /** The index of `token` (the default index when unknown and set), as `vocab[token]`. */
  getItem(token: string): number {
    const i = this.stoi.get(token);
    if (i !== undefined) return i;
    if (this.defaultIndex !== null) return this.defaultIndex;
    throw new Error(`Vocab: token '${token}' not found and default index is not set`);
  }

  /** Index given to unknown tokens (`null`: unknown tokens are an error); `set_default_index`. */
  setDefaultIndex(index: number | null): void {
    if (index !== null && !Number.isInteger(index))
      throw new Error(`Vocab.setDefaultIndex: ${index} is not an integer`);
    this.defaultIndex = index;
  }

  /** The default index, or null when unset; `get_default_index`. */
  getDefaultIndex(): number | null {
    return this.defaultIndex;
  }

  /** Indices of `tokens`; `lookup_indices`. */
  lookupIndices(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.getItem(t));
  }

  /** The token at `index`; `lookup_token`. */
  lookupToken(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.itos.length) {
      throw new Error(`Vocab.lookupToken: index ${index} out of range [0, ${this.itos.length})`);
    }
    return this.itos[index];
  }

  /** Tokens at `indices`; `lookup_tokens`. */
  lookupTokens(indices: readonly number[]): string[] {
    return indices.map((i) => this.lookupToken(i));
  }

  /** Adds `token` at the end; `append_token` (an error if present). */
  appendToken(token: string): void {
    if (this.stoi.has(token)) throw new Error(`Vocab.appendToken: token '${token}' already exists in the vocab`);
    this.stoi.set(token, this.itos.length);
    this.itos.push(token);
  }

  /** Inserts `token` at `index`, shifting the later tokens; `insert_token`. */
  insertToken(token: string, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index > this.itos.length) {
      throw new Error(`Vocab.insertToken: index ${index} out of range [0, ${this.itos.length}]`);
    }
    if (this.stoi.has(token)) throw new Error(`Vocab.insertToken: token '${token}' already exists in the vocab`);
    this.itos.splice(index, 0, token);
    for (let i = index; i < this.itos.length; i++) this.stoi.set(this.itos[i], i);
  }

  /** Token -> index map; `get_stoi`. */
  getStoi(): Map<string, number> {
    return new Map(this.stoi);
  }

  /** Tokens in index order; `get_itos`. */
  getItos(): string[] {
    return [...this.itos];
  }

  /** Indices of the tokens (of one list or of each list of a batch), as `vocab(tokens)`. */
  forward(tokens: string[]): number[];
  forward(tokens: string[][]): number[][];
  forward(tokens: string[] | string[][]): number[] | number[][] {
    if (tokens.length > 0 && Array.isArray(tokens[0])) return (tokens as string[][]).map((t) => this.lookupIndices(t));
    return this.lookupIndices(tokens as string[]);
  }
}

/** Options of `vocab`. */
export interface VocabOptions {
  /** Keep tokens seen at least this often (default 1); `min_freq`. */
  minFreq?: number;
  /** Special tokens added first or last (default none); `specials`. */
  specials?: readonly string[];
  /** Put the specials at the start (default true) or the end; `special_first`. */
  specialFirst?: boolean;
}

/**
 * torchtext's `vocab(ordered_dict, min_freq=1, specials=None, special_first=True)`: the tokens of
 * `orderedMap` (in its order) whose frequency is at least `minFreq`, specials removed from it and
 * placed first or last.
 */
export function vocab(
  orderedMap: Map<string, number> | Iterable<readonly [string, number]>,
  options: VocabOptions = {},
): Vocab {
  const minFreq = options.minFreq ?? 1;
  if (!(minFreq >= 1)) throw new Error(`vocab: minFreq must be >= 1, got ${minFreq}`);
  const specials = options.specials ?? [];
  const specialSet = new Set(specials);
  const tokens: string[] = [];
  for (const [token, freq] of orderedMap) {
    if (!specialSet.has(token) && freq >= minFreq) tokens.push(token);
  }
  return new Vocab((options.specialFirst ?? true) ? [...specials, ...tokens] : [...tokens, ...specials]);
}
