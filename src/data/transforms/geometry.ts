/**
 * Random flips and rotations, as torchvision 0.14's tensor path. A rotation by `angle` degrees
 * (counter-clockwise) about the image centre samples, for output pixel (x, y), the input at
 *   [xi, yi] = R(angle) [x - (W-1)/2, y - (H-1)/2] + [(W-1)/2, (H-1)/2],
 *   R = [[cos, -sin], [sin, cos]]
 * (torchvision's inverse affine matrix and affine grid with grid_sample, align_corners=False),
 * nearest neighbour (rounding half to even) or bilinear, with `fill` outside the image.
 */
import { type Image } from '../image.js';
import { uniform, type Rng } from '../rng.js';
import { Transform, requireImage, rngOr, roundHalfEven, type TransformSpec } from './base.js';
import { checkOptions } from '../../args.js';

const f = Math.fround;

/** The image mirrored left to right. */
export function hflipImage(image: Image): Image {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = (y * width + width - 1 - x) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width, height, channels: 3, data: out };
}

/** Flips with probability `p`, as `torchvision.transforms.RandomHorizontalFlip(p)`. */
export class RandomHorizontalFlip extends Transform<Image, Image> {
  /** `new RandomHorizontalFlip(p)`: flips with probability `p` (default 0.5). */
  constructor(readonly p = 0.5) {
    super();
  }

  apply(input: Image, rng?: Rng): Image {
    const image = requireImage('RandomHorizontalFlip', input);
    return rngOr(rng)() < this.p ? hflipImage(image) : { ...image, data: image.data.slice() };
  }

  toJSON(): TransformSpec {
    return { name: 'RandomHorizontalFlip', p: this.p };
  }
}

/** How pixels are sampled: nearest neighbour or bilinear, as torchvision's `InterpolationMode.NEAREST` / `BILINEAR`. */
export type Interpolation = 'nearest' | 'bilinear';

/** The image rotated by `angle` degrees counter-clockwise about its centre (same size). */
export function rotateImage(
  image: Image,
  angle: number,
  interpolation: Interpolation = 'nearest',
  fill: readonly number[] = [0, 0, 0],
): Image {
  const { width: W, height: H, data } = image;
  const out = new Uint8Array(data.length);
  // Mirrors torch's float32 steps (so that ties round the same way): theta / (size / 2) as the
  // affine grid, [xc, yc, 1] @ theta, then grid_sample's ((g + 1) * size - 1) / 2.
  const rad = (angle * Math.PI) / 180;
  const [c, s] = [Math.cos(rad), Math.sin(rad)];
  const [hw, hh] = [0.5 * W, 0.5 * H];
  const t = [f(f(c) / hw), f(f(-s) / hw), f(f(s) / hh), f(f(c) / hh)];
  const unnormalise = (g: number, size: number) => f(f(f(f(g + 1) * size) - 1) / 2);
  const at = (x: number, y: number, k: number) =>
    x >= 0 && x < W && y >= 0 && y < H ? data[(y * W + x) * 3 + k] : fill[k];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [xc, yc] = [x - (W - 1) / 2, y - (H - 1) / 2];
      const xs = unnormalise(f(f(xc * t[0]) + f(yc * t[1])), W);
      const ys = unnormalise(f(f(xc * t[2]) + f(yc * t[3])), H);
      for (let k = 0; k < 3; k++) {
        let v: number;
        if (interpolation === 'nearest') {
          v = at(roundHalfEven(xs), roundHalfEven(ys), k);
        } else {
          const [x0, y0] = [Math.floor(xs), Math.floor(ys)];
          const [fx, fy] = [xs - x0, ys - y0];
          v =
            (1 - fy) * ((1 - fx) * at(x0, y0, k) + fx * at(x0 + 1, y0, k)) +
            fy * ((1 - fx) * at(x0, y0 + 1, k) + fx * at(x0 + 1, y0 + 1, k));
          v = Math.min(255, Math.max(0, roundHalfEven(v)));
        }
        out[(y * W + x) * 3 + k] = v;
      }
    }
  }
  return { width: W, height: H, channels: 3, data: out };
}

/**
 * Rotates by an angle uniform in [-degrees, degrees] (or [min, max]), as
 * `torchvision.transforms.RandomRotation(degrees, interpolation=NEAREST, expand=False, fill=0)`.
 */
export class RandomRotation extends Transform<Image, Image> {
  readonly degrees: [number, number];
  readonly interpolation: Interpolation;
  readonly fill: number[];

  /** `new RandomRotation(degrees, {interpolation, fill})`: an angle uniform in [-degrees, degrees] or [min, max]; `fill` a number or one per channel (default 0). */
  constructor(
    degrees: number | [number, number],
    options: { interpolation?: Interpolation; fill?: number | number[] } = {},
  ) {
    super();
    checkOptions('RandomRotation', options, { interpolation: ['nearest', 'bilinear'], fill: 'number|number[]' });
    if (typeof degrees === 'number' && degrees < 0)
      throw new Error(`RandomRotation: if degrees is a single number, it must be positive, got ${degrees}`);
    this.degrees = typeof degrees === 'number' ? [-degrees, degrees] : [degrees[0], degrees[1]];
    this.interpolation = options.interpolation ?? 'nearest';
    const fill = options.fill ?? 0;
    this.fill =
      typeof fill === 'number' ? [fill, fill, fill] : fill.length === 1 ? [fill[0], fill[0], fill[0]] : [...fill];
  }

  apply(input: Image, rng?: Rng): Image {
    const image = requireImage('RandomRotation', input);
    const angle = uniform(rngOr(rng), this.degrees[0], this.degrees[1]);
    return rotateImage(image, angle, this.interpolation, this.fill);
  }

  toJSON(): TransformSpec {
    return { name: 'RandomRotation', degrees: this.degrees, interpolation: this.interpolation, fill: this.fill };
  }
}
