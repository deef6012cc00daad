/**
 * Bilinear and bicubic resizing with antialiasing, as PIL's `Image.resize` (Resample.c), which
 * is what torchvision 0.14 runs on the PIL images its datasets give (and what its tensor path
 * with antialias=True approximates in float). Along one axis scaled by s = in / out, output
 * pixel i averages the input pixels j around its centre c = s (i + 0.5) with filter weights
 * w_j = filter((j + 0.5 - c) / max(s, 1)) over |j + 0.5 - c| < support * max(s, 1), normalised
 * to sum 1: shrinking averages every covered pixel (no aliasing), enlarging interpolates.
 * Filters: bilinear 1 - |x| (support 1); bicubic, Keys' kernel with a = -0.5 (support 2):
 * |x| < 1: ((a + 2)|x| - (a + 3))x^2 + 1, 1 <= |x| < 2: ((|x| - 5)|x| + 8)|x| - 4) a.
 * As PIL, weights are computed in float64 then fixed to 22 fractional bits, sums are integer
 * and rounded half up, and the width pass writes a clipped uint8 image that the height pass
 * reads: bit for bit what Pillow produces.
 */
import { type Image } from '../image.js';
import { Transform, requireImage, type TransformSpec } from './base.js';
import { checkOptions } from '../../args.js';

/** PIL's PRECISION_BITS: fixed-point fraction bits of the 8-bit resampler. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** torchvision's `InterpolationMode` values that Resize supports. */
export type ResizeInterpolation = 'bilinear' | 'bicubic';

const FILTERS: Record<ResizeInterpolation, { filter: (x: number) => number; support: number }> = {
  bilinear: { filter: (x) => (x < 1 ? 1 - x : 0), support: 1 },
  bicubic: {
    filter: (x) => (x < 1 ? (1.5 * x - 2.5) * x * x + 1 : x < 2 ? (((x - 5) * x + 8) * x - 4) * -0.5 : 0),
    support: 2,
  },
};

interface Coefficients {
  start: Int32Array;
  count: Int32Array;
  /** `count[i]` fixed-point weights of output i, at `i * stride`. */
  k: Int32Array;
  stride: number;
}

/** PIL's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
function coefficients(inSize: number, outSize: number, interpolation: ResizeInterpolation): Coefficients {
  const { filter, support: halfWidth } = FILTERS[interpolation];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = halfWidth * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const k = new Int32Array(outSize * stride);
  const w = new Float64Array(stride);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let total = 0;
    for (let j = 0; j < n; j++) total += w[j] = filter(Math.abs((j + lo - center + 0.5) / filterScale));
    for (let j = 0; j < n; j++) {
      const v = total !== 0 ? w[j] / total : w[j];
      k[i * stride + j] = Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE);
    }
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, k, stride };
}

/** PIL's clip8: a fixed-point sum (with its rounding half already added) to 0..255. */
const clip8 = (v: number): number => (v <= 0 ? 0 : v >= 256 * ONE ? 255 : Math.floor(v / ONE));

/**
 * Resamples one axis of a [outer, inSize, inner] uint8 array to [outer, outSize, inner]:
 * out = clip8(2^21 + sum_j k_j src_j), as ImagingResampleHorizontal/Vertical_8bpc.
 */
function resampleAxis(
  src: Uint8Array,
  outer: number,
  inSize: number,
  inner: number,
  outSize: number,
  interpolation: ResizeInterpolation,
): Uint8Array {
  const { start, count, k, stride } = coefficients(inSize, outSize, interpolation);
  const dst = new Uint8Array(outer * outSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < outSize; i++) {
      const base = (o * inSize + start[i]) * inner;
      for (let c = 0; c < inner; c++) {
        let acc = ONE / 2;
        for (let j = 0; j < count[i]; j++) acc += src[base + j * inner + c] * k[i * stride + j];
        dst[(o * outSize + i) * inner + c] = clip8(acc);
      }
    }
  }
  return dst;
}

/** `image` resized to `height` x `width` (bilinear or bicubic, antialiased as PIL). */
export function resizeImage(
  image: Image,
  height: number,
  width: number,
  interpolation: ResizeInterpolation = 'bilinear',
): Image {
  let data = image.data;
  if (width !== image.width) data = resampleAxis(data, image.height, image.width, 3, width, interpolation);
  if (height !== image.height) data = resampleAxis(data, 1, image.height, width * 3, height, interpolation);
  return { width, height, channels: 3, data: data === image.data ? data.slice() : data };
}

/**
 * The output [h, w] of torchvision's Resize: an int resizes the shorter side to it, the longer
 * one to int(size * long / short) (capped by `maxSize`); [h, w] is taken as is.
 */
export function resizedSize(
  height: number,
  width: number,
  size: number | readonly number[],
  maxSize?: number,
): [number, number] {
  if (typeof size !== 'number' && size.length === 2) return [size[0], size[1]];
  const requested = typeof size === 'number' ? size : size[0];
  const [short, long] = width <= height ? [width, height] : [height, width];
  let [newShort, newLong] = [requested, Math.trunc((requested * long) / short)];
  if (maxSize !== undefined) {
    if (maxSize <= requested)
      throw new Error(
        `Resize: maxSize = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${requested}`,
      );
    if (newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  }
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}

/**
 * Resizes an Image, as `torchvision.transforms.Resize(size, antialias=True)`: `size` an int
 * (the shorter side; aspect ratio kept) or [h, w]; `interpolation` 'bilinear' (default) or
 * 'bicubic', as `InterpolationMode.BILINEAR` / `BICUBIC`.
 */
export class Resize extends Transform<Image, Image> {
  readonly size: number | number[];
  readonly maxSize?: number;
  readonly interpolation: ResizeInterpolation;

  /** `new Resize(size, {maxSize, interpolation})`: `size` the shorter side (a number) or [h, w]; `maxSize` caps the longer side when `size` is a number. */
  constructor(
    size: number | readonly number[],
    options: { maxSize?: number; interpolation?: ResizeInterpolation } = {},
  ) {
    super();
    checkOptions('Resize', options, { maxSize: 'integer', interpolation: ['bilinear', 'bicubic'] });
    const ok =
      typeof size === 'number'
        ? Number.isInteger(size) && size > 0
        : size.length >= 1 && size.length <= 2 && size.every((s) => Number.isInteger(s) && s > 0);
    if (!ok) throw new Error(`Resize: size must be a positive integer or [h, w], got ${JSON.stringify(size)}`);
    if (options.maxSize !== undefined && typeof size !== 'number' && size.length !== 1)
      throw new Error('Resize: maxSize is only supported when size is an int (the shorter side)');
    this.size = typeof size === 'number' ? size : [...size];
    this.maxSize = options.maxSize;
    this.interpolation = options.interpolation ?? 'bilinear';
    if (!(this.interpolation in FILTERS))
      throw new Error(
        `Resize: interpolation must be 'bilinear' or 'bicubic', got ${JSON.stringify(this.interpolation)}`,
      );
  }

  apply(input: Image): Image {
    const image = requireImage('Resize', input);
    const [h, w] = resizedSize(image.height, image.width, this.size, this.maxSize);
    return resizeImage(image, h, w, this.interpolation);
  }

  toJSON(): TransformSpec {
    return {
      name: 'Resize',
      size: this.size,
      ...(this.maxSize !== undefined ? { maxSize: this.maxSize } : {}),
      ...(this.interpolation !== 'bilinear' ? { interpolation: this.interpolation } : {}),
    };
  }
}
