/**
 * ColorJitter, as torchvision 0.14's tensor path on uint8 images: each factor f blends the
 * image with a reference, out = clamp(f * img + (1 - f) * ref, 0, 255) truncated to uint8:
 * brightness with black, contrast with the mean grey level, saturation with the grey image
 * (grey = uint8(0.2989 R + 0.587 G + 0.114 B)); hue shifts H in HSV space. The four run in a
 * random order, drawn first, then the factors.
 */
import { type Image } from '../image.js';
import { randperm, uniform, type Rng } from '../rng.js';
import { Transform, requireImage, rngOr, type TransformSpec } from './base.js';
import { checkOptions } from '../../args.js';

const f = Math.fround;

/** uint8(0.2989 R + 0.587 G + 0.114 B) per pixel, computed in float32 as torch does. */
function grey(image: Image): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  const d = image.data;
  for (let i = 0; i < n; i++)
    out[i] = Math.trunc(f(f(f(f(0.2989) * d[i * 3]) + f(f(0.587) * d[i * 3 + 1])) + f(f(0.114) * d[i * 3 + 2])));
  return out;
}

/** clamp(ratio * a + (1 - ratio) * b, 0, 255), truncated to uint8 (torchvision's `_blend`). */
function blend(a: Uint8Array, b: (i: number) => number, ratio: number): Uint8Array {
  const out = new Uint8Array(a.length);
  const r = f(ratio);
  const r1 = f(1 - ratio);
  for (let i = 0; i < a.length; i++) out[i] = Math.trunc(Math.min(255, Math.max(0, f(f(r * a[i]) + f(r1 * b(i))))));
  return out;
}

/** out = clamp(factor * img, 0, 255) (a blend with black): 0 gives black, 1 the original; as torchvision's `adjust_brightness`. */
export function adjustBrightness(image: Image, factor: number): Image {
  return { ...image, data: blend(image.data, () => 0, factor) };
}

/** out = clamp(factor * img + (1 - factor) * m, 0, 255), m the mean grey level: 0 gives flat grey, 1 the original; as torchvision's `adjust_contrast`. */
export function adjustContrast(image: Image, factor: number): Image {
  const g = grey(image);
  let sum = 0;
  for (const v of g) sum += v;
  const mean = f(sum / g.length);
  return { ...image, data: blend(image.data, () => mean, factor) };
}

/** out = clamp(factor * img + (1 - factor) * grey(img), 0, 255): 0 gives the grey image, 1 the original; as torchvision's `adjust_saturation`. */
export function adjustSaturation(image: Image, factor: number): Image {
  const g = grey(image);
  return { ...image, data: blend(image.data, (i) => g[Math.floor(i / 3)], factor) };
}

/** Shifts the hue by `factor` turns (in [-0.5, 0.5]) through HSV, as torchvision's adjust_hue. */
export function adjustHue(image: Image, factor: number): Image {
  if (!(factor >= -0.5 && factor <= 0.5)) throw new Error(`adjustHue: hue_factor (${factor}) is not in [-0.5, 0.5]`);
  const d = image.data;
  const out = new Uint8Array(d.length);
  for (let p = 0; p < d.length; p += 3) {
    const [r, g, b] = [d[p] / 255, d[p + 1] / 255, d[p + 2] / 255];
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const cr = maxc - minc;
    const s = cr / (maxc === minc ? 1 : maxc);
    const div = maxc === minc ? 1 : cr;
    const [rc, gc, bc] = [(maxc - r) / div, (maxc - g) / div, (maxc - b) / div];
    let h = maxc === r ? bc - gc : maxc === g ? 2 + rc - bc : 4 + gc - rc;
    h = (((h / 6 + 1) % 1) + factor + 1) % 1;
    const i6 = Math.floor(h * 6);
    const fr = h * 6 - i6;
    const v = maxc;
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    const [pp, q, t] = [clamp(v * (1 - s)), clamp(v * (1 - s * fr)), clamp(v * (1 - s * (1 - fr)))];
    const rgb = [
      [v, t, pp],
      [q, v, pp],
      [pp, v, t],
      [pp, q, v],
      [t, pp, v],
      [v, pp, q],
    ][i6 % 6];
    for (let k = 0; k < 3; k++) out[p + k] = Math.trunc(rgb[k] * 255);
  }
  return { ...image, data: out };
}

type Range = [number, number] | null;

function range(
  what: string,
  value: number | [number, number] | undefined,
  center: number,
  bound: [number, number],
  clipFirst: boolean,
): Range {
  if (value === undefined) return null;
  let r: [number, number];
  if (typeof value === 'number') {
    if (value < 0) throw new Error(`ColorJitter: if ${what} is a single number, it must be non negative, got ${value}`);
    r = [center - value, center + value];
    if (clipFirst) r[0] = Math.max(r[0], 0);
  } else r = [value[0], value[1]];
  if (!(bound[0] <= r[0] && r[0] <= r[1] && r[1] <= bound[1]))
    throw new Error(`ColorJitter: ${what} values should be between ${JSON.stringify(bound)}, got ${JSON.stringify(r)}`);
  return r[0] === center && r[1] === center ? null : r;
}

/** Options of `ColorJitter`: the ranges its factors are drawn from (each off when omitted), as torchvision's arguments. */
export interface ColorJitterOptions {
  /** Factor range [max(0, 1 - b), 1 + b] for a number b, or [min, max]. */
  brightness?: number | [number, number];
  /** Factor range [max(0, 1 - c), 1 + c] for a number c, or [min, max]. */
  contrast?: number | [number, number];
  /** Factor range [max(0, 1 - s), 1 + s] for a number s, or [min, max]. */
  saturation?: number | [number, number];
  /** Shift range [-h, h] (h <= 0.5), or [min, max]. */
  hue?: number | [number, number];
}

/** Random brightness, contrast, saturation and hue, as `torchvision.transforms.ColorJitter`. */
export class ColorJitter extends Transform<Image, Image> {
  readonly brightness: Range;
  readonly contrast: Range;
  readonly saturation: Range;
  readonly hue: Range;

  /** `new ColorJitter({brightness, contrast, saturation, hue})`, as `ColorJitter(brightness=0, contrast=0, saturation=0, hue=0)`. */
  constructor(options: ColorJitterOptions = {}) {
    super();
    checkOptions('ColorJitter', options, {
      brightness: 'number|number[]',
      contrast: 'number|number[]',
      saturation: 'number|number[]',
      hue: 'number|number[]',
    });
    this.brightness = range('brightness', options.brightness, 1, [0, Infinity], true);
    this.contrast = range('contrast', options.contrast, 1, [0, Infinity], true);
    this.saturation = range('saturation', options.saturation, 1, [0, Infinity], true);
    this.hue = range('hue', options.hue, 0, [-0.5, 0.5], false);
  }

  apply(input: Image, rng?: Rng): Image {
    let image = requireImage('ColorJitter', input);
    const r = rngOr(rng);
    const order = randperm(4, r);
    const draw = (x: Range) => (x ? uniform(r, x[0], x[1]) : null);
    const factors = [draw(this.brightness), draw(this.contrast), draw(this.saturation), draw(this.hue)];
    const ops = [adjustBrightness, adjustContrast, adjustSaturation, adjustHue];
    for (const k of order) if (factors[k] !== null) image = ops[k](image, factors[k]!);
    return image === input ? { ...image, data: image.data.slice() } : image;
  }

  toJSON(): TransformSpec {
    const spec: TransformSpec = { name: 'ColorJitter' };
    for (const k of ['brightness', 'contrast', 'saturation', 'hue'] as const) if (this[k]) spec[k] = this[k];
    return spec;
  }
}
