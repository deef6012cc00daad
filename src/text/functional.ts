/**
 * torchtext's `torchtext.functional`: `toTensor`, `truncate`, `addToken` on token lists (one
 * sequence, or a batch of sequences).
 */
import { tensor } from '../ops/create.js';
import type { Tensor } from '../tensor.js';

/** One sequence of tokens (ids or strings), or a batch of them. */
export type TokenInput<T> = T[] | T[][];

const isBatch = <T>(input: TokenInput<T>): input is T[][] => input.length > 0 && Array.isArray(input[0]);

/** The first `maxSeqLen` tokens of each sequence; `torchtext.functional.truncate`. */
export function truncate<T>(input: TokenInput<T>, maxSeqLen: number): TokenInput<T> {
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 0)
    throw new Error(`truncate: maxSeqLen must be an integer >= 0, got ${maxSeqLen}`);
  if (isBatch(input)) return input.map((s) => s.slice(0, maxSeqLen));
  return (input as T[]).slice(0, maxSeqLen);
}

/** `token` prepended (`begin`, default true) or appended to each sequence; `torchtext.functional.add_token`. */
export function addToken<T>(input: TokenInput<T>, token: T, begin = true): TokenInput<T> {
  const add = (s: T[]): T[] => (begin ? [token, ...s] : [...s, token]);
  if (isBatch(input)) return input.map(add);
  return add(input as T[]);
}

/**
 * An int32 tensor of ids: shape [n] for one sequence, [batch, longest] for a batch padded with
 * `paddingValue` (required when lengths differ); `torchtext.functional.to_tensor` (int32, not int64).
 */
export function toTensor(input: TokenInput<number>, paddingValue: number | null = null): Tensor {
  if (!isBatch(input)) return tensor(input as number[], { dtype: 'int32', shape: [input.length] });
  const longest = Math.max(...input.map((s) => s.length));
  if (paddingValue === null && input.some((s) => s.length !== longest)) {
    throw new Error('toTensor: sequences of different lengths need a paddingValue');
  }
  const flat = new Int32Array(input.length * longest).fill(paddingValue ?? 0);
  input.forEach((s, i) => flat.set(s, i * longest));
  return tensor(flat, { dtype: 'int32', shape: [input.length, longest] });
}
