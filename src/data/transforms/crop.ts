/**
 * Crops: `CenterCrop` and `RandomResizedCrop` (the standard ImageNet training augmentation),
 * with torchvision 0.14's arithmetic, including Python's round-half-to-even.
 */
import { blankImage, type Image } from '../image.js';
import { randint, uniform, type Rng } from '../rng.js';
import { Transform, pairSize, requireImage, rngOr, roundHalfEven, type TransformSpec } from './base.js';
import { resizeImage } from './resize.js';
import { checkOptions } from '../../args.js';

/** The `height` x `width` window at (top, left); pixels outside the image are 0 (as F.crop). */
export function cropImage(image: Image, top: number, left: number, height: number, width: number): Image {
  const out = blankImage(width, height);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height) continue;
    const x0 = Math.max(0, -left);
    const x1 = Math.min(width, image.width - left);
    if (x1 <= x0) continue;
    out.data.set(
      image.data.subarray((sy * image.width + left + x0) * 3, (sy * image.width + left + x1) * 3),
      (y * width + x0) * 3,
    );
  }
  return out;
}

/**
 * Crops the centre, as `torchvision.transforms.CenterCrop(size)`: top = round((H - h) / 2),
 * left = round((W - w) / 2); an image smaller than the crop is padded with zeros first.
 */
export class CenterCrop extends Transform<Image, Image> {
  readonly size: [number, number];

  /** `new CenterCrop(size)`: `size` a number (a square) or [h, w]. */
  constructor(size: number | readonly number[]) {
    super();
    this.size = pairSize('CenterCrop', size);
  }

  apply(input: Image): Image {
    const image = requireImage('CenterCrop', input);
    const [h, w] = this.size;
    // Padding (left = (w - W) // 2, top = (h - H) // 2) then cropping is one crop at a negative offset.
    const padTop = h > image.height ? Math.floor((h - image.height) / 2) : 0;
    const padLeft = w > image.width ? Math.floor((w - image.width) / 2) : 0;
    const paddedH = h > image.height ? h : image.height;
    const paddedW = w > image.width ? w : image.width;
    const top = roundHalfEven((paddedH - h) / 2) - padTop;
    const left = roundHalfEven((paddedW - w) / 2) - padLeft;
    return cropImage(image, top, left, h, w);
  }

  toJSON(): TransformSpec {
    return { name: 'CenterCrop', size: this.size };
  }
}

/** Options of `RandomResizedCrop`: the ranges of the crop's area and aspect ratio, as torchvision's `scale` and `ratio`. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1]). */
  scale?: [number, number];
  /** Range of the crop's aspect ratio w / h, sampled log-uniformly (default [3/4, 4/3]). */
  ratio?: [number, number];
}

/**
 * A random crop of random area and aspect ratio, resized to `size`, as
 * `torchvision.transforms.RandomResizedCrop(size, scale, ratio, antialias=True)`.
 */
export class RandomResizedCrop extends Transform<Image, Image> {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];

  /** `new RandomResizedCrop(size, {scale, ratio})`: `size` a number (a square) or [h, w]. */
  constructor(size: number | readonly number[], options: RandomResizedCropOptions = {}) {
    super();
    checkOptions('RandomResizedCrop', options, { scale: 'number[]', ratio: 'number[]' });
    this.size = pairSize('RandomResizedCrop', size);
    this.scale = options.scale ?? [0.08, 1];
    this.ratio = options.ratio ?? [3 / 4, 4 / 3];
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) {
      throw new Error(
        `RandomResizedCrop: scale and ratio should be of kind (min, max), got scale ${JSON.stringify(this.scale)}, ratio ${JSON.stringify(this.ratio)}`,
      );
    }
  }

  /** [top, left, height, width] of the crop: 10 attempts at a window that fits, else the centre. */
  static getParams(
    height: number,
    width: number,
    scale: [number, number],
    ratio: [number, number],
    rng: Rng,
  ): [number, number, number, number] {
    const area = height * width;
    const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const targetArea = area * uniform(rng, scale[0], scale[1]);
      const aspect = Math.exp(uniform(rng, logRatio[0], logRatio[1]));
      const w = roundHalfEven(Math.sqrt(targetArea * aspect));
      const h = roundHalfEven(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = randint(rng, 0, height - h + 1);
        const j = randint(rng, 0, width - w + 1);
        return [i, j, h, w];
      }
    }
    // Fallback: the largest centred crop whose ratio is within range.
    const inRatio = width / height;
    let [w, h] = [width, height];
    if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
    else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  apply(input: Image, rng?: Rng): Image {
    const image = requireImage('RandomResizedCrop', input);
    const [top, left, h, w] = RandomResizedCrop.getParams(
      image.height,
      image.width,
      this.scale,
      this.ratio,
      rngOr(rng),
    );
    return resizeImage(cropImage(image, top, left, h, w), this.size[0], this.size[1]);
  }

  toJSON(): TransformSpec {
    return { name: 'RandomResizedCrop', size: this.size, scale: this.scale, ratio: this.ratio };
  }
}
