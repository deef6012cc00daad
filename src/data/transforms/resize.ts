/**
 * Bilinear resizing with antialiasing, as torchvision 0.14's tensor path with antialias=True
 * (ATen's `_upsample_bilinear2d_aa`, itself PIL's algorithm): output pixel i of a dimension
 * scaled by s = in / out averages the input pixels j around its centre c = s (i + 0.5) with
 * triangle weights w_j = max(0, 1 - |j + 0.5 - c| / max(s, 1)) over the support
 * |j + 0.5 - c| < max(s, 1), normalised to sum 1. Shrinking thus averages every covered pixel
 * (no aliasing); enlarging is plain bilinear. Width is resampled first, then height, in float32
 * as torch does, and uint8 results are rounded half to even (torch.round).
 */
import { type Image } from '../image.js';
import { Transform, requireImage, roundHalfEven, type TransformSpec } from './base.js';

const f = Math.fround;

interface Weights {
  start: Int32Array;
  count: Int32Array;
  /** `count[i]` weights of output i, at `i * stride`. */
  w: Float32Array;
  stride: number;
}

function aaWeights(inSize: number, outSize: number): Weights {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1; // (interp_size / 2) * scale, interp_size = 2
  const invScale = scale >= 1 ? 1 / scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const x = Math.abs((j + lo - center + 0.5) * invScale);
      const wj = f(x < 1 ? 1 - x : 0);
      w[i * stride + j] = wj;
      total = f(total + wj);
    }
    for (let j = 0; j < n && total !== 0; j++) w[i * stride + j] = f(w[i * stride + j] / total);
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, w, stride };
}

/**
 * Resamples one axis of a [outer, inSize, inner] float array to [outer, outSize, inner].
 * Each output is sum_j w_j src_j accumulated in float32 from j = 0 (as ATen's kernel).
 */
function resampleAxis(src: Float32Array, outer: number, inSize: number, inner: number, outSize: number): Float32Array {
  const { start, count, w, stride } = aaWeights(inSize, outSize);
  const dst = new Float32Array(outer * outSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < outSize; i++) {
      for (let k = 0; k < inner; k++) {
        let acc = 0;
        for (let j = 0; j < count[i]; j++) acc = f(acc + f(src[(o * inSize + start[i] + j) * inner + k] * w[i * stride + j]));
        dst[(o * outSize + i) * inner + k] = acc;
      }
    }
  }
  return dst;
}

/** `image` resized to `height` x `width` (bilinear, antialiased when shrinking). */
export function resizeImage(image: Image, height: number, width: number): Image {
  if (height === image.height && width === image.width) return { ...image, data: image.data.slice() };
  let data: Float32Array = Float32Array.from(image.data);
  if (width !== image.width) data = resampleAxis(data, image.height, image.width, 3, width);
  if (height !== image.height) data = resampleAxis(data, 1, image.height, width * 3, height);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.min(255, Math.max(0, roundHalfEven(data[i])));
  return { width, height, channels: 3, data: out };
}

/**
 * The output [h, w] of torchvision's Resize: an int resizes the shorter side to it, the longer
 * one to int(size * long / short) (capped by `maxSize`); [h, w] is taken as is.
 */
export function resizedSize(height: number, width: number, size: number | readonly number[], maxSize?: number): [number, number] {
  if (typeof size !== 'number' && size.length === 2) return [size[0], size[1]];
  const requested = typeof size === 'number' ? size : size[0];
  const [short, long] = width <= height ? [width, height] : [height, width];
  let [newShort, newLong] = [requested, Math.trunc((requested * long) / short)];
  if (maxSize !== undefined) {
    if (maxSize <= requested) throw new Error(`Resize: maxSize = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${requested}`);
    if (newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  }
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}

/**
 * Resizes an Image, as `torchvision.transforms.Resize(size, antialias=True)`: `size` an int
 * (the shorter side; aspect ratio kept) or [h, w]. Bilinear only.
 */
export class Resize extends Transform<Image, Image> {
  readonly size: number | number[];
  readonly maxSize?: number;

  constructor(size: number | readonly number[], options: { maxSize?: number } = {}) {
    super();
    const ok = typeof size === 'number' ? Number.isInteger(size) && size > 0 : size.length >= 1 && size.length <= 2 && size.every((s) => Number.isInteger(s) && s > 0);
    if (!ok) throw new Error(`Resize: size must be a positive integer or [h, w], got ${JSON.stringify(size)}`);
    if (options.maxSize !== undefined && typeof size !== 'number' && size.length !== 1) throw new Error('Resize: maxSize is only supported when size is an int (the shorter side)');
    this.size = typeof size === 'number' ? size : [...size];
    this.maxSize = options.maxSize;
  }

  apply(input: Image): Image {
    const image = requireImage('Resize', input);
    const [h, w] = resizedSize(image.height, image.width, this.size, this.maxSize);
    return resizeImage(image, h, w);
  }

  toJSON(): TransformSpec {
    return { name: 'Resize', size: this.size, ...(this.maxSize !== undefined ? { maxSize: this.maxSize } : {}) };
  }
}
