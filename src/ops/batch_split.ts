/**
 * Ops that treat every sample of a batch on its own (convolution, pooling, batch norm with
 * running statistics) bind their input and output whole. When one of them would exceed the
 * storage-binding limit (VGG at 224 x 224 and batch 16: [16, 64, 224, 224] floats are 196 MiB
 * against 128 MiB here), the op runs on runs of samples that fit, and the results are
 * concatenated along the batch. `slice` and `cat` carry the gradient, so autograd sees one op.
 */
import { Tensor, numel } from '../tensor.js';
import { isGradEnabled } from '../autograd.js';
import { bindingLimit } from '../gpu/chunks.js';
import { cat, slice } from './shape.js';
import { formatShape } from './util.js';

/**
 * `run(x)` for `x` [N, ...] whose per-sample result has `outPerSample` elements, in runs of
 * samples small enough to bind; null when the whole batch fits (the caller runs it as usual).
 */
export function splitBatch(op: string, x: Tensor, outPerSample: number, run: (part: Tensor) => Tensor): Tensor | null {
  const n = x.shape[0];
  const perSample = 4 * Math.max(numel(x.shape.slice(1)), outPerSample);
  const limit = bindingLimit();
  if (n <= 1 || perSample * n <= limit) return null;
  const samples = Math.floor(limit / perSample);
  if (samples < 1) {
    throw new Error(
      `${op}: one sample of input ${formatShape(x.shape)} needs ${perSample} bytes, more than the ${limit}-byte storage binding limit`,
    );
  }
  const parts: Tensor[] = [];
  const inputs: Tensor[] = [];
  for (let start = 0; start < n; start += samples) {
    const part = slice(x, 0, start, Math.min(n, start + samples));
    inputs.push(part);
    parts.push(run(part));
  }
  const out = cat(parts, 0);
  // Without a graph holding them, the pieces go now (with one, the caller's tidy frees them).
  if (!isGradEnabled() || !(x.requiresGrad || x.gradFn)) for (const t of [...inputs, ...parts]) t.dispose();
  return out;
}
