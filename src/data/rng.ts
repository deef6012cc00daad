/**
 * Seeded randomness for data preparation (shuffles, splits, random augmentation). It runs on
 * the CPU and is independent of the GPU generator behind `sg.manualSeed`.
 *
 * How seeding works: a random transform draws from the `Rng` it is called with. The DataLoader
 * gives each sample its own generator, seeded by `sampleSeed(loaderSeed, epoch, datasetIndex)`,
 * so a sample's augmentation depends only on (seed, epoch, index): the same in the main thread
 * and in any worker, whatever the batch size or the number of workers.
 */
import { seededRandom } from './mnist.js';

/** A generator of floats uniform in [0, 1). */
export type Rng = () => number;

export { seededRandom };

/** Mixes 32-bit integers into one well-spread 32-bit seed (murmur3's finaliser per part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The seed of sample `index`'s augmentation in `epoch` of a loader seeded with `seed`. */
export const sampleSeed = (seed: number, epoch: number, index: number): number => mixSeed(seed, epoch, index);

/** A float uniform in [lo, hi), as `torch.empty(1).uniform_(lo, hi)`. */
export const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();

/** An integer uniform in [lo, hi), as `torch.randint(lo, hi)`. */
export const randint = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo));

/** A random permutation of 0..n-1 (Fisher-Yates), as `torch.randperm(n)`. */
export function randperm(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The generator random transforms use when called without one (reseed with `manualSeed`). */
let shared: Rng = seededRandom(0);

/** Reseeds the generator that transforms use when they are called without an `Rng`. */
export function manualSeed(seed: number): void {
  shared = seededRandom(seed);
}

export const defaultRng = (): Rng => shared;
