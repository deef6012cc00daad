/** Evaluation of a classifier: mean cross-entropy, accuracy and every prediction, without a graph. */
import type { Module } from '../nn/module.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { crossEntropy } from '../ops/loss.js';
import { argmax } from '../ops/extrema.js';
import type { Batch } from './data.js';
import { logitsOf } from '../models/outputs.js';

/** What `evaluateModel` measured. */
export interface Evaluation {
  /** Mean cross-entropy. */
  loss: number;
  accuracy: number;
  /** Predicted and true class of every sample, in the batches' order. */
  preds: number[];
  targets: number[];
  /** Dataset index of every sample. */
  indices: number[];
}

/**
 * Runs `model` in eval mode without a graph over `data` (its batches are disposed):
 * loss = (1/N) sum_i -log softmax(model(x_i))[y_i], accuracy = #{argmax = y} / N, as
 * `model.eval(); with torch.no_grad(): ...`. The model's training mode is restored afterwards;
 * `onBatch` receives the number of samples done.
 */
export async function evaluateModel(
  model: Module,
  data: AsyncIterable<Batch>,
  onBatch?: (done: number) => void,
): Promise<Evaluation> {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  const preds: number[] = [],
    targets: number[] = [],
    indices: number[] = [];
  try {
    for await (const b of data) {
      const [loss, pred] = noGrad(() =>
        tidy(() => {
          const logits = logitsOf(model.forward(b.images)); // GoogLeNet/Inception in training: their logits
          return [crossEntropy(logits, b.labels, { reduction: 'sum' }), argmax(logits, 1)];
        }),
      );
      lossSum += await loss.item();
      preds.push(...(await pred.data()));
      targets.push(...(await b.labels.data()));
      indices.push(...b.indices);
      for (const t of [loss, pred, b.images, b.labels]) t.dispose();
      onBatch?.(preds.length);
    }
  } finally {
    model.train(wasTraining);
  }
  const correct = preds.filter((p, i) => p === targets[i]).length;
  return {
    loss: preds.length ? lossSum / preds.length : NaN,
    accuracy: preds.length ? correct / preds.length : NaN,
    preds,
    targets,
    indices,
  };
}
