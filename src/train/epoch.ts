/**
 * One training epoch: forward, cross-entropy, backward, (clipping,) optimizer step per batch,
 * with running sums of the loss and the hits, resumable after any finished batch.
 */
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm_ } from '../nn/utils.js';
import { tidy } from '../memory.js';
import { crossEntropy } from '../ops/loss.js';
import { argmax } from '../ops/extrema.js';
import { eq } from '../ops/compare.js';
import type { Batch } from './data.js';
import { logitsOf } from '../models/outputs.js';
import { checkOptions } from '../args.js';
import type { Tensor } from '../tensor.js';

/** Progress through an epoch: batches done and the running sums of its metrics. */
export interface EpochProgress {
  batches: number;
  seen: number;
  lossSum: number;
  correct: number;
}

/** Options of `trainEpoch`. */
export interface EpochOptions {
  /** Progress of an interrupted run of this epoch: its batches are skipped, its sums continued. */
  resumeFrom?: EpochProgress | null;
  clipGradNorm?: number;
  /** Checked after each batch; when aborted the epoch stops there. */
  signal?: AbortSignal;
  /** Called with the progress so far each time the running sums are read back (every `readEvery` batches, and at the end). */
  onBatch?: (progress: EpochProgress) => void;
  /**
   * Read the loss and hits back from the GPU every this many batches (default 1): each read
   * waits for the GPU to finish, so reading every batch stalls the queue once per step; the
   * CLI's progress bar reads every 10. An abort is still seen after every batch.
   */
  readEvery?: number;
}

/**
 * Trains `model` for one pass over `data` (its batches are disposed): per batch
 * loss = crossEntropy(model(x), y), backward, optional clipping of the trainable parameters'
 * gradient norm, `opt.step()`. The model is in training mode, except layers whose parameters are
 * all frozen, which run in eval mode so that batch norm keeps its running statistics.
 */
export async function trainEpoch(
  model: Module,
  opt: Optimizer<{ lr: number }>,
  data: AsyncIterable<Batch>,
  o: EpochOptions = {},
): Promise<{ progress: EpochProgress; interrupted: boolean }> {
  checkOptions('trainEpoch', o, {
    resumeFrom: 'object|null',
    clipGradNorm: 'number',
    signal: 'object',
    onBatch: 'function',
    readEvery: 'integer',
  });
  model.train();
  for (const m of model.modules()) if (m.parameters().length && m.parameters().every((p) => !p.requiresGrad)) m.eval();
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  const progress = { ...(o.resumeFrom ?? { batches: 0, seen: 0, lossSum: 0, correct: 0 }) };
  const skip = progress.batches;
  let k = 0;
  // Batches trained but not yet read back: their loss and hits stay on the GPU until a flush.
  const pending: Array<{ loss: Tensor; hits: Tensor; n: number }> = [];
  const flush = async () => {
    for (const p of pending) {
      progress.lossSum += (await p.loss.item()) * p.n;
      progress.correct += await p.hits.item();
      progress.seen += p.n;
      progress.batches++;
      p.loss.dispose();
      p.hits.dispose();
    }
    pending.length = 0;
    o.onBatch?.(progress);
  };
  for await (const b of data) {
    if (k++ < skip) {
      b.images.dispose();
      b.labels.dispose();
      continue;
    } // trained before the interruption
    const [loss, hits] = tidy(() => {
      const logits = logitsOf(model.forward(b.images)); // GoogLeNet/Inception in training: their logits
      const l = crossEntropy(logits, b.labels);
      opt.zeroGrad();
      l.backward();
      if (o.clipGradNorm) clipGradNorm_(trainable, o.clipGradNorm);
      opt.step();
      return [l.detach(), eq(argmax(logits, 1), b.labels).sum()];
    });
    pending.push({ loss, hits, n: b.indices.length });
    b.images.dispose();
    b.labels.dispose();
    if (pending.length >= (o.readEvery ?? 1)) await flush();
    // Read once per batch, after onBatch (which may abort); what is pending is read back first.
    if (o.signal?.aborted) {
      if (pending.length) await flush();
      return { progress, interrupted: true };
    }
  }
  if (pending.length) await flush();
  return { progress, interrupted: false };
}
