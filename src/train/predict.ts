/** Prediction with a trained classifier: class probabilities of one image, and the top k. */
import type { Module } from '../nn/module.js';
import type { HostTensor } from '../data/image.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { tensor } from '../ops/create.js';
import { softmax } from '../ops/softmax.js';
import { logitsOf } from '../models/outputs.js';

/**
 * The class probabilities softmax(model(x)) of one preprocessed image `x` [C, H, W] (a host
 * tensor, as a transform pipeline ending in ToTensor/Normalize gives it; or token ids [S] of dtype int32), with the model in eval
 * mode and no graph: `model.eval(); torch.softmax(model(x[None]), 1)[0]` under `torch.no_grad()`.
 */
export async function classify(model: Module, x: HostTensor): Promise<Float32Array> {
  const wasTraining = model.training;
  model.eval();
  try {
    const probs = noGrad(() =>
      tidy(() =>
        softmax(logitsOf(model.forward(tensor(x.data, { shape: [1, ...x.shape], dtype: x.dtype ?? 'float32' }))), 1),
      ),
    );
    const values = await probs.data();
    probs.dispose();
    return values as Float32Array;
  } finally {
    model.train(wasTraining);
  }
}

/** Indices of the k largest values, largest first (`torch.topk(values, k).indices`); ties keep index order. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a])
    .slice(0, k);
}
