/**
 * Loading one file-backed sample: read, decode, transform with a generator seeded for this
 * sample. Shared by the main thread and the worker threads, so both give identical results.
 */
import { readImage, type HostTensor, type Image } from './image.js';
import { seededRandom } from './rng.js';
import { type AnyTransform, type TransformSpec } from './transforms/base.js';

export function loadFileSample(
  path: string,
  transform: AnyTransform | undefined,
  seed: number,
  maxImagePixels?: number | null,
): Image | HostTensor {
  const image = readImage(path, { maxImagePixels });
  return transform ? transform.apply(image, seededRandom(seed)) : image;
}

/**
 * A sample whose file passed the header checks when the dataset was made but failed to decode
 * (a corrupt body after a valid header): `bad` is the decoder's error, which names the file.
 */
export interface BadSample {
  path: string;
  bad: string;
}

/** Whether a loaded sample is a `BadSample`. */
export const isBadSample = (s: unknown): s is BadSample => typeof s === 'object' && s !== null && 'bad' in s;

/** `loadFileSample`, but a file that fails to decode gives a BadSample (a transform's error still throws). */
export function tryLoadFileSample(
  path: string,
  transform: AnyTransform | undefined,
  seed: number,
  maxImagePixels?: number | null,
): Image | HostTensor | BadSample {
  let image: Image;
  try {
    image = readImage(path, { maxImagePixels });
  } catch (e) {
    return { path, bad: (e as Error).message };
  }
  return transform ? transform.apply(image, seededRandom(seed)) : image;
}

/** Messages from the DataLoader to a worker: the pipeline once, then batches of [path, seed]. */
export type WorkerRequest =
  | { kind: 'init'; spec: TransformSpec | null; maxImagePixels?: number | null }
  | { kind: 'batch'; id: number; items: Array<[string, number]> };

/** A worker's answer to one batch request. */
export type WorkerReply =
  | { id: number; samples: Array<Image | HostTensor | BadSample>; error?: undefined }
  | { id: number; error: string; samples?: undefined };
