/**
 * What every transform is: a function of one sample and a random generator, plus a description
 * as plain data (`toJSON()`), from which `fromJSON` rebuilds it (that is how DataLoader workers
 * get the same pipeline). Geometric and colour transforms take an `Image` (uint8 HWC RGB);
 * `ToTensor` turns it into a float32 CHW `HostTensor`, which `Normalize` takes.
 */
import { isImage, type HostTensor, type Image } from '../image.js';
import { defaultRng, type Rng } from '../rng.js';

/** What a transform takes and returns: an `Image` (uint8 HWC RGB) or a float32 CHW `HostTensor`. */
export type Sample = Image | HostTensor;

/** A transform as data: its class name and constructor arguments. */
export interface TransformSpec {
  name: string;
  [arg: string]: unknown;
}

/**
 * A transform of any input and output types: what a pipeline (`Compose`), a dataset or a loader
 * holds, whose stages each have their own types.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each stage of a pipeline has its own types
export type AnyTransform = Transform<any, any>;

/** The base of the image transforms, as torchvision's transform classes: `apply(input, rng)` plus a plain-data description (`toJSON()`). */
export abstract class Transform<I = Sample, O = Sample> {
  /** Transforms one sample; random transforms draw from `rng` (default: see `transforms.manualSeed`). */
  abstract apply(input: I, rng?: Rng): O;
  /** Plain data describing this transform; `fromJSON` rebuilds it. */
  abstract toJSON(): TransformSpec;

  /** torchvision's repr, e.g. `CenterCrop(size=[224, 224])`. */
  toString(): string {
    const { name, ...args } = this.toJSON();
    return `${name}(${Object.entries(args)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')})`;
  }
}

/** The generator to use: the one given, or the shared default. */
export const rngOr = (rng: Rng | undefined): Rng => rng ?? defaultRng();

/** Throws unless `x` is an Image (uint8 HWC), naming the transform. */
export function requireImage(what: string, x: unknown): Image {
  if (isImage(x)) return x;
  throw new Error(
    `${what}: expects an Image (uint8 HWC RGB, before ToTensor), got ${describeSample(x)}; put it before ToTensor()`,
  );
}

export function describeSample(x: unknown): string {
  if (isImage(x)) return `an Image ${x.width}x${x.height}`;
  const t = x as HostTensor;
  if (t && t.data instanceof Float32Array && Array.isArray(t.shape))
    return `a float32 HostTensor of shape [${t.shape.join(', ')}]`;
  return typeof x;
}

/** (h, w) from an int (square) or [h, w], as torchvision's `_setup_size`. */
export function pairSize(what: string, size: number | readonly number[]): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size.length === 1 ? [size[0], size[0]] : size;
  if (
    !(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0) ||
    (typeof size !== 'number' && size.length > 2)
  ) {
    throw new Error(`${what}: size must be a positive integer or [h, w], got ${JSON.stringify(size)}`);
  }
  return [h, w];
}

/** Python's round(): halves go to the even neighbour (also torch.round and nearbyint). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
