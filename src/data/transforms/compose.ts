/**
 * `Compose` chains transforms; `fromJSON` rebuilds any transform from its `toJSON()` data
 * (DataLoader workers receive the pipeline this way); `splitForGpu` separates a trailing
 * ToTensor [+ Normalize], which the DataLoader runs on the GPU for a whole batch.
 */
import { type Rng } from '../rng.js';
import { Transform, rngOr, type AnyTransform, type Sample, type TransformSpec } from './base.js';
import { Resize } from './resize.js';
import { CenterCrop, RandomResizedCrop } from './crop.js';
import { RandomHorizontalFlip, RandomRotation } from './geometry.js';
import { ColorJitter } from './color.js';
import { Normalize, ToTensor } from './tensor.js';

/** Applies `transforms` in order, as `torchvision.transforms.Compose`; one `rng` serves them all. */
export class Compose extends Transform<Sample, Sample> {
  readonly transforms: AnyTransform[];

  /** `new Compose([t1, t2, ...])`, as `Compose([...])`. */
  constructor(transforms: AnyTransform[]) {
    super();
    this.transforms = [...transforms];
  }

  apply(input: Sample, rng?: Rng): Sample {
    const r = rngOr(rng);
    return this.transforms.reduce((x, t) => t.apply(x, r), input);
  }

  toJSON(): TransformSpec {
    return { name: 'Compose', transforms: this.transforms.map((t) => t.toJSON()) };
  }

  override toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${t}\n`).join('')})`;
  }
}

/** Rebuilds a transform from `transform.toJSON()`. */
export function fromJSON(spec: TransformSpec): AnyTransform {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fields of toJSON(), passed to each constructor
  const a = spec as Record<string, any>;
  switch (spec.name) {
    case 'Compose':
      return new Compose((a.transforms as TransformSpec[]).map(fromJSON));
    case 'Resize':
      return new Resize(a.size, { maxSize: a.maxSize, interpolation: a.interpolation });
    case 'CenterCrop':
      return new CenterCrop(a.size);
    case 'RandomResizedCrop':
      return new RandomResizedCrop(a.size, { scale: a.scale, ratio: a.ratio });
    case 'RandomHorizontalFlip':
      return new RandomHorizontalFlip(a.p);
    case 'RandomRotation':
      return new RandomRotation(a.degrees, { interpolation: a.interpolation, fill: a.fill });
    case 'ColorJitter':
      return new ColorJitter({
        brightness: a.brightness ?? undefined,
        contrast: a.contrast ?? undefined,
        saturation: a.saturation ?? undefined,
        hue: a.hue ?? undefined,
      });
    case 'ToTensor':
      return new ToTensor();
    case 'Normalize':
      return new Normalize(a.mean, a.std);
    default:
      throw new Error(
        `transforms.fromJSON: unknown transform '${spec.name}' (custom transforms cannot be sent to DataLoader workers; use numWorkers: 0)`,
      );
  }
}

/** The identity (what is left of a pipeline once its tail moved to the GPU). */
const identity = new Compose([]);

/**
 * Splits `transform` into a CPU part and a GPU tail: if it is (or a Compose ends with)
 * ToTensor, optionally followed by Normalize, the tail becomes { mean, std } (0 and 1 without
 * Normalize), for the DataLoader's batched kernel. Otherwise `gpu` is null.
 */
export function splitForGpu(transform: AnyTransform | undefined): {
  cpu: AnyTransform | undefined;
  gpu: { mean: number[]; std: number[] } | null;
} {
  const list = transform instanceof Compose ? transform.transforms : transform ? [transform] : [];
  let n = list.length;
  let norm: Normalize | null = null;
  if (n > 0 && list[n - 1] instanceof Normalize) norm = list[--n] as Normalize;
  if (n === 0 || !(list[n - 1] instanceof ToTensor)) return { cpu: transform, gpu: null };
  const rest = list.slice(0, n - 1);
  return {
    cpu: rest.length === 0 ? identity : new Compose(rest),
    gpu: norm ? { mean: norm.mean, std: norm.std } : { mean: [0], std: [1] },
  };
}
