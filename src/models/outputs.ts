/** What a zoo model's `forward` returns, reduced to the logits. */
import { Tensor } from '../tensor.js';

/**
 * The logits of a model's output: the tensor itself, or the `logits` field of GoogLeNet's and
 * Inception v3's training-mode outputs (`{logits, auxLogits2, auxLogits1}`, `{logits, auxLogits}`),
 * as `outputs.logits` in PyTorch. Anything else is an error naming what it got.
 */
export function logitsOf(output: unknown): Tensor {
  if (output instanceof Tensor) return output;
  const logits = (output as { logits?: unknown } | null)?.logits;
  if (logits instanceof Tensor) return logits;
  throw new Error(
    `logitsOf: expected a tensor or an object with a logits tensor, got ${output === null ? 'null' : typeof output}`,
  );
}
