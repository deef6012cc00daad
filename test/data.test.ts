// sg.data: decoding (PNG colour types and JPEGs against PIL fixtures, errors by magic bytes),
// ImageFolder on a generated folder, randomSplit, and the demo image set.
import { describe, it, expect, vi, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import type { Image } from '../src/data/image.js';

const D = sg.data;
const FIX = join(__dirname, 'fixtures', 'data');
const fixture = JSON.parse(readFileSync(join(FIX, 'transforms.json'), 'utf8'));
const bytes = (path: string) => new Uint8Array(readFileSync(path));

/** A small image with distinct pixels, `seed` making images differ. */
function testImage(width: number, height: number, seed: number): Image {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i * i) >> 3)) & 255;
  return { width, height, channels: 3, data };
}

describe('decodeImage', () => {
  const pngs: Array<[string, string, any]> = fixture.pngs
    .filter((p: any) => p.rgb)
    .map((p: any) => [p.file, p.mode, p]);
  it.each(pngs)('%s (PIL mode %s) decodes as PIL convert("RGB")', (file, _, p) => {
    const im = D.decodeImage(bytes(join(FIX, file)), file);
    expect([im.height, im.width, im.channels]).toEqual([...p.shape, 3]);
    expect(Array.from(im.data)).toEqual(p.rgb);
  });

  it('16-bit PNG samples are scaled to 8 bits: round(v * 255 / 65535)', () => {
    const p = fixture.pngs.find((q: any) => q.rgb16);
    const im = D.decodeImage(bytes(join(FIX, p.file)));
    expect(Array.from(im.data)).toEqual(p.rgb16.map((v: number) => Math.floor((v * 255) / 65535 + 0.5)));
  });

  // jpeg-js repeats subsampled chroma where libjpeg interpolates it: 4:2:0 files differ more.
  it.each([
    ['jpeg/progressive.jpg', 3, 1],
    ['jpeg/gray.jpg', 1, 0.5],
    ['jpeg/baseline420.jpg', 16, 6],
  ])('%s decodes close to PIL (libjpeg): max error <= %s, mean <= %s', (file, max, mean) => {
    const j = fixture.jpegs.find((q: any) => q.file === file);
    const im = D.decodeImage(bytes(join(FIX, file as string)));
    expect([im.height, im.width]).toEqual(j.shape);
    let worst = 0;
    let total = 0;
    im.data.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - j.rgb[i]));
      total += Math.abs(v - j.rgb[i]);
    });
    expect(worst).toBeLessThanOrEqual(max as number);
    expect(total / im.data.length).toBeLessThanOrEqual(mean as number);
  });

  it('JPEG and PNG encoding round-trip', () => {
    const im = testImage(9, 7, 1);
    expect(Array.from(D.decodeImage(D.encodePng(im)).data)).toEqual(Array.from(im.data));
    const smooth: Image = { ...im, data: im.data.map((_, i) => 100 + ((i / 3) % 9) * 5) };
    const back = D.decodeImage(D.encodeJpeg(smooth, 95));
    expect(back.width).toBe(9);
    back.data.forEach((v, i) => expect(Math.abs(v - smooth.data[i])).toBeLessThanOrEqual(6));
  });

  it('detects the format by magic bytes, not by name; errors name the file and the problem', () => {
    const png = D.encodePng(testImage(3, 2, 0));
    expect(D.decodeImage(png, 'photo.jpg').width).toBe(3); // a PNG named .jpg is still a PNG
    expect(D.sniffFormat(png)).toBe('PNG');
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
    expect(() => D.decodeImage(gif, 'ants/imageNotFound.gif')).toThrow(
      'ants/imageNotFound.gif: GIF images are not supported (expected JPEG or PNG)',
    );
    expect(() => D.decodeImage(new Uint8Array([0x42, 0x4d, 1, 2]), 'x.bmp')).toThrow(
      'x.bmp: BMP images are not supported',
    );
    expect(() => D.decodeImage(new Uint8Array([1, 2, 3, 4, 5]), 'notes.png')).toThrow(
      'notes.png: not a JPEG or PNG image (the file starts with bytes 01 02 03 04)',
    );
    expect(() => D.decodeImage(new Uint8Array(0), 'empty.jpg')).toThrow('empty.jpg: the file is empty');
    const jpg = D.encodeJpeg(testImage(16, 16, 2));
    expect(() => D.decodeImage(jpg.subarray(0, jpg.length >> 1), 'half.jpg')).toThrow(
      /^half\.jpg: corrupt or unsupported JPEG file \(/,
    );
    expect(() => D.decodeImage(png.subarray(0, 30), 'cut.png')).toThrow(/^cut\.png: corrupt or unsupported PNG file/);
  });
});

describe('ImageFolder', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sg-imagefolder-'));
    const put = (rel: string, data: Uint8Array | string) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), data);
    };
    // Classes sort by code point: 'Zebra' < 'ant' < 'bee'.
    put('good/bee/b2.jpg', D.encodeJpeg(testImage(6, 5, 1)));
    put('good/bee/b1.png', D.encodePng(testImage(4, 4, 2)));
    put('good/ant/sub/a3.jpg', D.encodeJpeg(testImage(5, 5, 3)));
    put('good/ant/a1.jpg', D.encodeJpeg(testImage(5, 6, 4)));
    put('good/ant/a2.dat', D.encodePng(testImage(3, 3, 5))); // a PNG despite its name
    put('good/ant/.DS_Store', 'junk');
    put('good/Zebra/z.png', D.encodePng(testImage(2, 2, 6)));
    put('good/notes.txt', 'not a class');
    put('bad/ant/a.jpg', D.encodeJpeg(testImage(4, 4, 7)));
    put('bad/ant/imageNotFound.gif', 'GIF89a-----');
    put('bad/bee/b.jpg', D.encodeJpeg(testImage(4, 4, 8)));
    put('bad/bee/readme.txt', 'hello');
    mkdirSync(join(root, 'empty'));
    put('one/only/x.png', D.encodePng(testImage(2, 2, 9)));
    put('hollow/ant/x.png', D.encodePng(testImage(2, 2, 9)));
    mkdirSync(join(root, 'hollow', 'bee'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('orders classes and samples as torchvision (sorted folders, sorted walk)', () => {
    const ds = new D.ImageFolder(join(root, 'good'));
    expect(ds.classes).toEqual(['Zebra', 'ant', 'bee']);
    expect(ds.classToIdx).toEqual({ Zebra: 0, ant: 1, bee: 2 });
    expect(ds.samples.map(([p, c]) => [p.slice(root.length + 6), c])).toEqual([
      ['Zebra/z.png', 0],
      ['ant/a1.jpg', 1],
      ['ant/a2.dat', 1],
      ['ant/sub/a3.jpg', 1],
      ['bee/b1.png', 2],
      ['bee/b2.jpg', 2],
    ]);
    expect(ds.length).toBe(6);
    expect(ds.skipped).toBe(0);
    const [x, y] = ds.get(3);
    expect(y).toBe(1);
    expect(Array.from((x as Image).data.subarray(0, 6))).toEqual(
      Array.from(D.decodeImage(D.encodeJpeg(testImage(5, 5, 3))).data.subarray(0, 6)),
    );
  });

  it('fails at construction on files that are not JPEG or PNG, naming them', () => {
    expect(() => new D.ImageFolder(join(root, 'bad'))).toThrow(
      /ImageFolder: 2 files in .* cannot be decoded: ant\/imageNotFound\.gif: GIF images are not supported \(expected JPEG or PNG\); bee\/readme\.txt: not a JPEG or PNG image .*onBadImage: 'skip'/,
    );
  });

  it('skipInvalid leaves them out, counts them and warns once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ds = new D.ImageFolder(join(root, 'bad'), { skipInvalid: true });
    expect(ds.length).toBe(2);
    expect(ds.skipped).toBe(2);
    expect(ds.skippedFiles).toEqual(['ant/imageNotFound.gif', 'bee/readme.txt']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/skipped 2 files/);
    warn.mockRestore();
  });

  it('errors for a missing or empty folder, too few classes, and a class without images', () => {
    expect(() => new D.ImageFolder(join(root, 'nope'))).toThrow(/ImageFolder: .*nope is not a folder/);
    expect(() => new D.ImageFolder(join(root, 'empty'))).toThrow(/couldn't find any class folder in .*empty/);
    expect(new D.ImageFolder(join(root, 'one')).classes).toEqual(['only']);
    expect(() => new D.ImageFolder(join(root, 'one'), { minClasses: 2 })).toThrow(
      /has 1 class folder \(only\); at least 2 are needed/,
    );
    expect(() => new D.ImageFolder(join(root, 'hollow'))).toThrow(/found no valid file for the classes bee/);
  });

  it('applies transform and targetTransform', () => {
    const T = sg.transforms;
    const ds = new D.ImageFolder(join(root, 'good'), {
      transform: new T.Compose([new T.Resize([3, 3]), new T.ToTensor()]),
      targetTransform: (t) => t * 10,
    });
    const [x, y] = ds.get(5);
    expect((x as sg.data.HostTensor).shape).toEqual([3, 3, 3]);
    expect(y).toBe(20);
  });
});

describe('randomSplit and Subset', () => {
  const ds = new D.TensorDataset({ data: Float32Array.from({ length: 10 }, (_, i) => i), shape: [10] });

  it("splits fractions with torch's rounding rule (floor, then the remainder round robin)", () => {
    expect(D.randomSplit(ds, [0.8, 0.2]).map((s) => s.length)).toEqual([8, 2]);
    expect(D.randomSplit(ds, [0.45, 0.45, 0.1]).map((s) => s.length)).toEqual([5, 4, 1]); // floor 4, 4, 1 + 1
    expect(D.randomSplit(ds, [0.34, 0.33, 0.33]).map((s) => s.length)).toEqual([4, 3, 3]);
    expect(D.randomSplit(ds, [3, 7]).map((s) => s.length)).toEqual([3, 7]);
  });

  it('is a seeded partition', () => {
    const [a, b] = D.randomSplit(ds, [0.7, 0.3], { seed: 5 });
    const [a2] = D.randomSplit(ds, [0.7, 0.3], { seed: 5 });
    const [a3] = D.randomSplit(ds, [0.7, 0.3], { seed: 6 });
    expect(a2.indices).toEqual(a.indices);
    expect(a3.indices).not.toEqual(a.indices);
    expect([...a.indices, ...b.indices].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a.get(2)).toEqual([a.indices[2]]);
  });

  it('errors name the problem', () => {
    expect(() => D.randomSplit(ds, [4, 5])).toThrow(
      /sum of input lengths \[4, 5\] does not equal the length of the input dataset \(10\)/,
    );
    expect(() => new D.Subset(ds, [0, 10])).toThrow(/Subset: index 10 is out of range for a dataset of 10 samples/);
  });
});

const DEMO = join(__dirname, '..', 'examples', 'data', 'hymenoptera');
describe.skipIf(!existsSync(DEMO))('the demo image set', () => {
  it('has 244 train and 153 val images in two classes, shorter side 72', () => {
    const train = new D.ImageFolder(join(DEMO, 'train'), { minClasses: 2 });
    const val = new D.ImageFolder(join(DEMO, 'val'), { minClasses: 2 });
    expect(train.classes).toEqual(['ants', 'bees']);
    expect([train.length, val.length]).toEqual([244, 153]);
    expect([train.targets.filter((t) => t === 0).length, val.targets.filter((t) => t === 0).length]).toEqual([123, 70]);
    for (const i of [0, 100, 243]) {
      const im = train.loadImage(i);
      expect(Math.min(im.width, im.height)).toBe(72);
    }
  });
});

const SHARED = '/work/shared/assets/datasets/hymenoptera_data';
describe.skipIf(!existsSync(SHARED))('hymenoptera_data (shared assets, CI only)', () => {
  it('decodes both progressive JPEGs', () => {
    for (const rel of ['train/ants/ant photos.jpg', 'val/bees/6a00d8341c630a53ef00e553d0beb18834-800wi.jpg']) {
      const im = D.readImage(join(SHARED, rel));
      expect(im.width * im.height).toBeGreaterThan(10000);
      expect(im.data.length).toBe(im.width * im.height * 3);
    }
  });

  it('ImageFolder names the GIF placeholder, or skips it with skipInvalid', () => {
    expect(() => new D.ImageFolder(join(SHARED, 'train'))).toThrow(
      /ants\/imageNotFound\.gif: GIF images are not supported \(expected JPEG or PNG\)/,
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const train = new D.ImageFolder(join(SHARED, 'train'), { skipInvalid: true });
    warn.mockRestore();
    expect([train.length, train.skipped, train.classes]).toEqual([244, 1, ['ants', 'bees']]);
    expect(new D.ImageFolder(join(SHARED, 'val')).length).toBe(153);
  });
});
