// sg.transforms: hand-computed pixels on tiny images, torchvision 0.14 fixtures (tensor path,
// tools/fixtures/make_data_fixtures.py), and seeded determinism of the random transforms.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import type { Image } from '../src/data/image.js';

const T = sg.transforms;
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'data', 'transforms.json'), 'utf8'));
const [H, W] = fixture.src_shape as [number, number];
const src: Image = { width: W, height: H, channels: 3, data: Uint8Array.from(fixture.src) };
const cases = (op: string) => (fixture.cases as any[]).filter((c) => c.op === op);

/** An image from rows of [r, g, b] pixels. */
function img(rows: number[][][]): Image {
  return { width: rows[0].length, height: rows.length, channels: 3, data: Uint8Array.from(rows.flat(2)) };
}
/** A grey image whose pixels are `values` (rows of numbers): r = g = b. */
const grey = (rows: number[][]) => img(rows.map((r) => r.map((v) => [v, v, v])));
const channel0 = (im: Image) => Array.from({ length: im.width * im.height }, (_, i) => im.data[i * 3]);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('transforms: hand-computed pixels', () => {
  it('Resize averages with triangle weights when shrinking (antialias)', () => {
    // 4 -> 2 wide: scale 2, weights (3, 3, 1) / 7 and (1, 3, 3) / 7 (plain bilinear would give 35, 175).
    const out = new T.Resize([1, 2]).apply(grey([[0, 70, 140, 210]]));
    expect(channel0(out)).toEqual([50, 160]);
    // Enlarging is bilinear with edge clamping: 2 -> 4 gives 0, 0.25, 0.75, 1 of the way.
    expect(channel0(new T.Resize([1, 4]).apply(grey([[0, 200]])))).toEqual([0, 50, 150, 200]);
  });

  it('Resize with an int sets the shorter side and keeps the aspect ratio (truncating)', () => {
    expect(T.resizedSize(9, 13, 5)).toEqual([5, 7]); // int(5 * 13 / 9) = 7
    expect(T.resizedSize(13, 9, 5)).toEqual([7, 5]);
    expect(T.resizedSize(375, 500, 72)).toEqual([72, 96]);
    expect(T.resizedSize(9, 13, [7, 4])).toEqual([7, 4]);
    expect(T.resizedSize(100, 300, 10, 20)).toEqual([6, 20]); // maxSize caps the longer side
  });

  it('CenterCrop rounds the offset half to even, as Python', () => {
    const row = [[0, 1, 2, 3, 4, 5, 6]];
    expect(channel0(new T.CenterCrop([1, 2]).apply(grey(row)))).toEqual([2, 3]); // round(2.5) = 2
    expect(channel0(new T.CenterCrop([1, 4]).apply(grey(row)))).toEqual([2, 3, 4, 5]); // round(1.5) = 2
    // A crop larger than the image pads with zeros: 2 wide -> 4, left pad (4 - 2) // 2 = 1.
    expect(channel0(new T.CenterCrop([1, 4]).apply(grey([[9, 8]])))).toEqual([0, 9, 8, 0]);
  });

  it('ToTensor makes CHW floats in [0, 1]; Normalize subtracts and divides per channel', () => {
    const t = new T.ToTensor().apply(
      img([
        [
          [0, 51, 255],
          [102, 153, 204],
        ],
      ]),
    );
    expect(t.shape).toEqual([3, 1, 2]);
    expect(Array.from(t.data)).toEqual([0, 102 / 255, 51 / 255, 153 / 255, 1, 204 / 255].map(Math.fround));
    const n = new T.Normalize([0.25, 0.5, 0.5], [0.5, 0.25, 2]).apply({
      shape: [3, 1, 1],
      data: Float32Array.from([0.5, 1, 0]),
    });
    expect(Array.from(n.data)).toEqual([0.5, 2, -0.25]);
    expect(T.IMAGENET_MEAN).toEqual([0.485, 0.456, 0.406]);
    expect(T.IMAGENET_STD).toEqual([0.229, 0.224, 0.225]);
  });

  it('RandomHorizontalFlip flips always at p = 1 and never at p = 0', () => {
    const im = grey([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(channel0(new T.RandomHorizontalFlip(1).apply(im))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(channel0(new T.RandomHorizontalFlip(0).apply(im))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rotation by 90 degrees turns the image counter-clockwise; corners outside are filled', () => {
    const im = grey([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(channel0(new T.RandomRotation([90, 90]).apply(im))).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    // 45 degrees: the corners come from outside the image -> fill.
    const r = new T.RandomRotation([45, 45], { fill: 7 }).apply(
      grey([
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ]),
    );
    expect(channel0(r)[0]).toBe(7);
    expect(channel0(r)[5]).toBe(1);
  });

  it('brightness scales and clamps; contrast blends with the mean grey', () => {
    expect(channel0(T.adjustBrightness(grey([[100, 200]]), 1.5))).toEqual([150, 255]);
    // mean grey of (100, 200) = uint8(0.2989 * v + 0.587 * v + 0.114 * v) = (99, 199) -> 149
    expect(channel0(T.adjustContrast(grey([[100, 200]]), 0.5))).toEqual([124, 174]);
  });

  it('Compose chains, and every transform round-trips through toJSON/fromJSON', () => {
    const tf = new T.Compose([
      new T.RandomResizedCrop(8, { scale: [0.5, 1] }),
      new T.RandomHorizontalFlip(),
      new T.RandomRotation(10),
      new T.ColorJitter({ brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.1 }),
      new T.Resize([8, 8]),
      new T.CenterCrop(6),
      new T.ToTensor(),
      new T.Normalize(T.IMAGENET_MEAN, T.IMAGENET_STD),
    ]);
    const again = T.fromJSON(JSON.parse(JSON.stringify(tf.toJSON())));
    expect(again.toJSON()).toEqual(tf.toJSON());
    const a = tf.apply(src, T.seededRandom(4)) as sg.data.HostTensor;
    const b = again.apply(src, T.seededRandom(4)) as sg.data.HostTensor;
    expect(a.shape).toEqual([3, 6, 6]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(String(tf)).toContain('RandomResizedCrop(size=[8,8], scale=[0.5,1]');
  });

  it('errors name the transform and the problem', () => {
    const t = new T.ToTensor().apply(src);
    expect(() => new T.RandomHorizontalFlip().apply(t as any)).toThrow(
      /RandomHorizontalFlip: expects an Image .*float32 HostTensor of shape \[3, 9, 13\].*before ToTensor/,
    );
    expect(() => new T.Normalize([0.5], [0])).toThrow(/Normalize: std evaluated to zero/);
    expect(() => new T.Resize(0)).toThrow(/Resize: size must be a positive integer/);
    expect(() => new T.ColorJitter({ hue: 0.7 })).toThrow(/ColorJitter: hue values should be between \[-0.5,0.5\]/);
    expect(() => T.fromJSON({ name: 'MyCrop' })).toThrow(/unknown transform 'MyCrop'/);
  });
});

describe('transforms vs torchvision 0.14 (tensor path)', () => {
  it.each(cases('resize').map((c) => [JSON.stringify(c.size), c]))(
    'Resize(%s) of a 13x9 image, bilinear antialias: within 1 grey level',
    (_, c) => {
      const out = new T.Resize(c.size).apply(src);
      expect([out.height, out.width]).toEqual(c.out_shape);
      expect(maxAbsDiff(out.data, c.out)).toBeLessThanOrEqual(1);
    },
  );

  it.each(cases('center_crop').map((c) => [JSON.stringify(c.size), c]))(
    'CenterCrop(%s): exact, padding included',
    (_, c) => {
      const out = new T.CenterCrop(c.size).apply(src);
      expect([out.height, out.width]).toEqual(c.out_shape);
      expect(Array.from(out.data)).toEqual(c.out);
    },
  );

  it('ToTensor + Normalize (ImageNet statistics): within 1e-6', () => {
    const [c] = cases('to_tensor_normalize');
    const out = new T.Normalize(c.mean, c.std).apply(new T.ToTensor().apply(src));
    expect(out.shape).toEqual(c.out_shape);
    expect(maxAbsDiff(out.data, c.out)).toBeLessThanOrEqual(1e-6);
  });

  it('Resize(5) -> CenterCrop(4) -> ToTensor -> Normalize on a 6x11 image: within 1e-4 per grey level', () => {
    const [c] = cases('eval_pipeline');
    const tall: Image = { width: c.in_shape[1], height: c.in_shape[0], channels: 3, data: Uint8Array.from(c.in) };
    const tf = new T.Compose([
      new T.Resize(5),
      new T.CenterCrop(4),
      new T.ToTensor(),
      new T.Normalize(T.IMAGENET_MEAN, T.IMAGENET_STD),
    ]);
    const out = tf.apply(tall) as sg.data.HostTensor;
    expect(out.shape).toEqual(c.out_shape);
    // One grey level is 1 / (255 * std) ~ 0.0175 after normalising; resize rounding may differ by one.
    expect(maxAbsDiff(out.data, c.out)).toBeLessThanOrEqual(1 / (255 * 0.224) + 1e-4);
  });

  it.each((fixture.cases as any[]).filter((c) => c.op.startsWith('adjust_')).map((c) => [c.op, c.factor, c]))(
    '%s(%s): within 1 grey level',
    (op, factor, c) => {
      const fn = {
        adjust_brightness: T.adjustBrightness,
        adjust_contrast: T.adjustContrast,
        adjust_saturation: T.adjustSaturation,
        adjust_hue: T.adjustHue,
      }[op as string]!;
      expect(maxAbsDiff(fn(src, factor as number).data, c.out)).toBeLessThanOrEqual(1);
    },
  );

  it.each(cases('rotate').map((c) => [c.angle, c]))('rotate(%s), nearest, fill 0: exact', (angle, c) => {
    expect(Array.from(T.rotateImage(src, angle as number).data)).toEqual(c.out);
  });
});

describe('random transforms are seeded', () => {
  const tfs = {
    RandomResizedCrop: new T.RandomResizedCrop([5, 6]),
    RandomHorizontalFlip: new T.RandomHorizontalFlip(),
    RandomRotation: new T.RandomRotation(30),
    ColorJitter: new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
  };
  it.each(Object.entries(tfs))('%s: same seed, same image; other seeds give other images', (_, tf) => {
    const outs = Array.from({ length: 8 }, (_, s) =>
      Array.from((tf.apply(src, T.seededRandom(s)) as Image).data).join(),
    );
    expect(Array.from((tf.apply(src, T.seededRandom(3)) as Image).data).join()).toBe(outs[3]);
    expect(new Set(outs).size).toBeGreaterThan(1);
  });

  it('the shared generator is reseeded by manualSeed', () => {
    const tf = new T.RandomRotation(45);
    T.manualSeed(11);
    const a = Array.from(tf.apply(src).data);
    T.manualSeed(11);
    expect(Array.from(tf.apply(src).data)).toEqual(a);
  });

  it('RandomResizedCrop samples windows within range, and falls back to the centre', () => {
    const rng = T.seededRandom(0);
    for (let k = 0; k < 200; k++) {
      const [i, j, h, w] = T.RandomResizedCrop.getParams(30, 40, [0.08, 1], [3 / 4, 4 / 3], rng);
      expect(i >= 0 && j >= 0 && i + h <= 30 && j + w <= 40 && h > 0 && w > 0).toBe(true);
      expect(h * w).toBeGreaterThanOrEqual(0.08 * 1200 * 0.8);
    }
    // Area 1000 as a square (32 x 32) never fits a 10 x 100 image: the centre 10 x 10 crop.
    expect(T.RandomResizedCrop.getParams(10, 100, [1, 1], [1, 1], rng)).toEqual([0, 45, 10, 10]);
  });
});
