/**
 * The data side of transfer learning: torchvision's tutorial transforms, and batches of a
 * dataset for one epoch with the dataset index of every sample (for the prediction grid).
 */
import type { Tensor } from '../tensor.js';
import type { Dataset, Example } from '../data/datasets.js';
import { DataLoader, type CollateFn } from '../data/loader.js';
import * as T from '../data/transforms.js';
import { checkOptions } from '../args.js';

/** One batch on the GPU: images [N, 3, H, W] float32, labels [N] int32, and their dataset indices. */
export interface Batch {
  images: Tensor;
  labels: Tensor;
  indices: number[];
}

/**
 * The transforms of torchvision's transfer-learning tutorial: for training a random resized
 * crop and a horizontal flip, for evaluation a resize to size * 256/224 and a centre crop; then
 * ToTensor and ImageNet normalisation. Small inputs (CIFAR, size < 64) are resized, not cropped.
 */
export function imageTransform(size: number, train: boolean): T.Compose {
  const geometry =
    size < 64
      ? [new T.Resize(size), new T.CenterCrop(size), ...(train ? [new T.RandomHorizontalFlip()] : [])]
      : train
        ? [new T.RandomResizedCrop(size), new T.RandomHorizontalFlip()]
        : [new T.Resize(Math.round((size * 256) / 224)), new T.CenterCrop(size)];
  return new T.Compose([...geometry, new T.ToTensor(), new T.Normalize(T.IMAGENET_MEAN, T.IMAGENET_STD)]);
}

/** How `batches` draws an epoch. */
export interface BatchOptions {
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  /** The epoch whose shuffle and augmentation to draw (default 0). */
  epoch?: number;
  /** Worker threads that decode and transform ahead of the GPU (default 2; 0 decodes inline). */
  numWorkers?: number;
  /** Makes each batch of its samples (the DataLoader's `collateFn`; default: stacked). */
  collateFn?: CollateFn;
}

/**
 * Batches of `dataset` from sg.data's DataLoader for `epoch` (its seeded shuffle and per-sample
 * augmentation), with the dataset index of every sample. The caller disposes each batch's tensors.
 */
export async function* batches(dataset: Dataset<Example>, o: BatchOptions): AsyncGenerator<Batch> {
  checkOptions('batches', o, {
    batchSize: 'integer',
    shuffle: 'boolean',
    seed: 'integer',
    epoch: 'integer',
    numWorkers: 'integer',
    collateFn: 'function',
  });
  const loader = new DataLoader(dataset, {
    batchSize: o.batchSize,
    shuffle: o.shuffle,
    seed: o.seed,
    numWorkers: o.numWorkers ?? 2,
    collateFn: o.collateFn,
  });
  loader.epoch = o.epoch ?? 0;
  const order = loader.batchIndices(loader.epoch);
  let b = 0;
  for await (const { x, y } of loader) yield { images: x, labels: y, indices: order[b++] };
}
