/**
 * torchtext's `torchtext.transforms`: each transform an object with `forward`, chained by
 * `Sequential`. Token lists are one sequence (`T[]`) or a batch (`T[][]`).
 */
import type { Tensor } from '../tensor.js';
import { addToken, toTensor, truncate, type TokenInput } from './functional.js';
import type { Vocab } from './vocab.js';

export { GPT2BPETokenizer, type GPT2BPETokenizerOptions } from './tokenizers/gpt2_bpe.js';
export { SentencePieceTokenizer } from './tokenizers/sentencepiece.js';

/** Tokens to ids through a `Vocab`; torchtext's `VocabTransform(vocab)`. */
export class VocabTransform {
  /** The vocabulary used for lookups. */
  constructor(readonly vocab: Vocab) {}
  /** Ids of one token list or of each list of a batch. */
  forward(input: TokenInput<string>): TokenInput<number> {
    return this.vocab.forward(input as string[]);
  }
}

/** The first `maxSeqLen` tokens; torchtext's `Truncate(max_seq_len)`. */
export class Truncate {
  /** `maxSeqLen`: tokens kept per sequence. */
  constructor(readonly maxSeqLen: number) {
    if (!Number.isInteger(maxSeqLen) || maxSeqLen < 0)
      throw new Error(`Truncate: maxSeqLen must be an integer >= 0, got ${maxSeqLen}`);
  }
  /** Truncated sequence(s). */
  forward<T>(input: TokenInput<T>): TokenInput<T> {
    return truncate(input, this.maxSeqLen);
  }
}

/** Options of `AddToken`. */
export interface AddTokenOptions {
  /** The token (id or string) to add. */
  token: number | string;
  /** At the start (default true) or the end. */
  begin?: boolean;
}

/** Adds a token at the start or end of each sequence; torchtext's `AddToken(token, begin=True)`. */
export class AddToken {
  readonly token: number | string;
  readonly begin: boolean;
  /** `{token, begin}`: the token, and whether it goes first (default true). */
  constructor(options: AddTokenOptions) {
    this.token = options.token;
    this.begin = options.begin ?? true;
  }
  /** The sequence(s) with the token added. */
  forward<T extends number | string>(input: TokenInput<T>): TokenInput<T> {
    return addToken(input, this.token as T, this.begin);
  }
}

/**
 * Pads each id sequence to at least `maxLength` with `padValue`; torchtext's
 * `PadTransform(max_length, pad_value)`, here on id lists (before `ToTensor`), not on tensors.
 */
export class PadTransform {
  /** `maxLength`: target length; `padValue`: the padding id. */
  constructor(
    readonly maxLength: number,
    readonly padValue: number,
  ) {
    if (!Number.isInteger(maxLength) || maxLength < 0)
      throw new Error(`PadTransform: maxLength must be an integer >= 0, got ${maxLength}`);
  }
  /** The padded sequence(s); longer sequences are unchanged. */
  forward(input: TokenInput<number>): TokenInput<number> {
    const pad = (s: number[]): number[] =>
      s.length >= this.maxLength ? s : [...s, ...new Array<number>(this.maxLength - s.length).fill(this.padValue)];
    if (input.length > 0 && Array.isArray(input[0])) return (input as number[][]).map(pad);
    return pad(input as number[]);
  }
}

/** Options of `ToTensor`. */
export interface ToTensorOptions {
  /** Padding id for batches of different lengths (default none: equal lengths required). */
  paddingValue?: number | null;
  /** Element type: only 'int32' (torchtext's default is int64; shadergrad has no int64). */
  dtype?: 'int32';
}

/** Ids to an int32 tensor ([n] or [batch, longest]); torchtext's `ToTensor(padding_value, dtype)`. */
export class ToTensor {
  readonly paddingValue: number | null;
  /** `{paddingValue, dtype}`: see `ToTensorOptions`. */
  constructor(options: ToTensorOptions = {}) {
    if (options.dtype !== undefined && options.dtype !== 'int32') {
      throw new Error(`ToTensor: dtype must be 'int32', got '${String(options.dtype)}'`);
    }
    this.paddingValue = options.paddingValue ?? null;
  }
  /** The tensor of the id sequence(s). */
  forward(input: TokenInput<number>): Tensor {
    return toTensor(input, this.paddingValue);
  }
}

/** A transform step: anything with `forward`. */
export interface TransformLike {
  /** Applies the step. */
  forward(input: never): unknown;
}

/** Applies transforms in order; torchtext's `Sequential(*transforms)`. */
export class Sequential {
  readonly transforms: TransformLike[];
  /** The transforms, applied first to last. */
  constructor(...transforms: TransformLike[]) {
    this.transforms = transforms;
  }
  /** The output of the last transform. */
  forward(input: unknown): unknown {
    let x = input;
    for (const t of this.transforms) x = (t.forward as (v: unknown) => unknown)(x);
    return x;
  }
}
