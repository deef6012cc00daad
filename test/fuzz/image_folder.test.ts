// Image folders holding a corrupt, a zero-byte, a bomb, a 1x1 and an 8000x8000 image:
// ImageFolder (and finetune / the CLI through it) stops naming the bad file, or with
// onBadImage 'skip' (--on-bad-image skip) leaves it out with one warning; 1x1 and 8000x8000
// images decode and batch, the big one within bounded memory.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../src/index.js';
import { finetuneOptions } from '../../tools/cli/finetune.js';
import { jpegHeader, png } from './hostile_files.js';

const { data: D, transforms: T } = sg;
let root: string;

beforeAll(async () => {
  await sg.init();
  root = mkdtempSync(join(tmpdir(), 'sg-badimages-'));
  for (const c of ['ants', 'bees']) mkdirSync(join(root, c));
  const tiny: sg.data.Image = { width: 1, height: 1, channels: 3, data: Uint8Array.from([200, 10, 30]) };
  writeFileSync(join(root, 'ants', 'one.jpg'), D.encodeJpeg(tiny));
  writeFileSync(join(root, 'ants', 'one.png'), D.encodePng(tiny));
  writeFileSync(join(root, 'ants', 'big.png'), png(8000, 8000));
  writeFileSync(join(root, 'ants', 'empty.jpg'), new Uint8Array(0));
  writeFileSync(join(root, 'bees', 'corrupt.jpg'), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 7, 7, 7, 7]));
  writeFileSync(join(root, 'bees', 'bomb.jpg'), jpegHeader(15000, 15000));
  writeFileSync(join(root, 'bees', 'ok.png'), png(5, 3));
});

describe('ImageFolder with bad images', () => {
  it("onBadImage 'error' (the default) names every bad file", () => {
    expect(() => new D.ImageFolder(root)).toThrow(
      /3 files in .* cannot be decoded: ants\/empty\.jpg: the file is empty.*bees\/bomb\.jpg: image size \(15000x15000.*bees\/corrupt\.jpg: corrupt or unsupported JPEG file/,
    );
    expect(() => new D.ImageFolder(root, { onBadImage: 'bad' as 'skip' })).toThrow(
      /option 'onBadImage' must be one of "error", "skip"/,
    );
  });

  it("onBadImage 'skip' leaves them out with one warning; 1x1 and 8000x8000 images load and batch", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tf = new T.Compose([new T.Resize([4, 4]), new T.ToTensor()]);
    const ds = new D.ImageFolder(root, { onBadImage: 'skip', transform: tf });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/skipped 3 files/);
    warn.mockRestore();
    expect(ds.skippedFiles).toEqual(['ants/empty.jpg', 'bees/bomb.jpg', 'bees/corrupt.jpg']);
    expect(ds.samples.map(([p]) => p.slice(root.length + 1))).toEqual([
      'ants/big.png',
      'ants/one.jpg',
      'ants/one.png',
      'bees/ok.png',
    ]);
    const peak = () => process.resourceUsage().maxRSS * 1024;
    const before = peak();
    const big = ds.loadImage(0);
    expect([big.width, big.height]).toEqual([8000, 8000]);
    expect(big.data[3 * (8000 * 8000 - 1)]).toBe(128);
    // 64 MP: 192 MB of RGB, the decoder's RGBA and its inflated rows; well under a gigabyte more.
    expect(peak() - before).toBeLessThan(2 ** 30);
    const one = ds.loadImage(1);
    expect([one.width, one.height]).toEqual([1, 1]);
    let n = 0;
    for await (const b of new D.DataLoader(ds, { batchSize: 2 })) {
      expect(b.x.shape).toEqual([2, 3, 4, 4]);
      n += 2;
      b.dispose();
    }
    expect(n).toBe(4);
  });

  it('maxImagePixels: a lower limit refuses the 8000x8000 image, null lifts the limit for the bomb header', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const low = new D.ImageFolder(root, { onBadImage: 'skip', maxImagePixels: 10_000_000 });
    expect(low.skippedFiles).toContain('ants/big.png');
    const none = new D.ImageFolder(root, { onBadImage: 'skip', maxImagePixels: null });
    expect(none.skippedFiles).toEqual(['ants/empty.jpg', 'bees/corrupt.jpg']);
    warn.mockRestore();
  });

  it('finetune stops before any training, naming the file; --on-bad-image and --max-image-pixels parse', async () => {
    await expect(sg.train.finetune({ data: root, model: 'resnet18', epochs: 1 })).rejects.toThrow(/ants\/empty\.jpg/);
    const o = finetuneOptions([
      '--data',
      root,
      '--model',
      'resnet18',
      '--on-bad-image',
      'skip',
      '--max-image-pixels',
      '100',
    ])!;
    expect([o.onBadImage, o.maxImagePixels]).toEqual(['skip', 100]);
    expect(finetuneOptions(['--data', root, '--model', 'resnet18'])!.onBadImage).toBe('error');
    expect(() => finetuneOptions(['--data', root, '--model', 'resnet18', '--on-bad-image', 'ignore'])).toThrow(
      /--on-bad-image must be one of error, skip, got "ignore"/,
    );
  });
});

describe('ImageFolder with a valid header but a corrupt body', () => {
  let bodyRoot: string;
  beforeAll(() => {
    bodyRoot = mkdtempSync(join(tmpdir(), 'sg-badbody-'));
    for (const c of ['ants', 'bees']) mkdirSync(join(bodyRoot, c));
    const noisy: sg.data.Image = { width: 32, height: 32, channels: 3, data: new Uint8Array(32 * 32 * 3) };
    noisy.data.forEach((_, i) => (noisy.data[i] = (i * 73 + ((i * i) >> 5)) & 255));
    const jpg = D.encodeJpeg(noisy);
    const sos = jpg.findIndex((v, i) => v === 0xff && jpg[i + 1] === 0xda);
    // The headers and 40 bytes of scan data: enough for the size check, not for the image.
    writeFileSync(join(bodyRoot, 'ants', 'cut.jpg'), jpg.subarray(0, sos + 14 + 40));
    writeFileSync(join(bodyRoot, 'ants', 'ok1.png'), png(6, 5));
    writeFileSync(join(bodyRoot, 'ants', 'ok2.jpg'), jpg);
    writeFileSync(join(bodyRoot, 'bees', 'ok3.png'), png(7, 3));
    // An IDAT of 200 bytes that are not a zlib stream (as many as 8x8 RGB rows need).
    writeFileSync(join(bodyRoot, 'bees', 'garbled.png'), png(8, 8, new Uint8Array(200).fill(0xa7)));
  });

  const tf = () => new T.Compose([new T.Resize([4, 4]), new T.ToTensor()]);

  async function epoch(loader: sg.data.DataLoader): Promise<number[]> {
    const labels: number[] = [];
    for await (const b of loader) {
      labels.push(...Array.from(await b.y.data()));
      b.dispose();
    }
    return labels;
  }

  it.each([0, 1])("'skip' leaves out files that fail to decode, one warning each (numWorkers %i)", async (workers) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ds = new D.ImageFolder(bodyRoot, { onBadImage: 'skip', transform: tf() });
    expect(ds.skippedFiles).toEqual([]); // the headers are fine
    const loader = new D.DataLoader(ds, { batchSize: 2, numWorkers: workers });
    try {
      expect(await epoch(loader)).toEqual([0, 0, 1]); // ok1.png, ok2.jpg | ok3.png
      expect(await epoch(loader)).toEqual([0, 0, 1]);
    } finally {
      await loader.close();
    }
    expect(ds.skippedFiles).toEqual(['ants/cut.jpg', 'bees/garbled.png']);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(
        /^ImageFolder: skipped ants\/cut\.jpg, whose header is valid .*cut\.jpg: corrupt or unsupported JPEG file \(truncated/,
      ),
      expect.stringMatching(
        /^ImageFolder: skipped bees\/garbled\.png, whose header is valid .*garbled\.png: corrupt or unsupported PNG file/,
      ),
    ]);
    warn.mockRestore();
  });

  it("'error' (the default) stops at the first such file, naming it", async () => {
    const ds = new D.ImageFolder(bodyRoot, { transform: tf() });
    for (const workers of [0, 1]) {
      const loader = new D.DataLoader(ds, { batchSize: 2, numWorkers: workers });
      await expect(epoch(loader)).rejects.toThrow(
        /^DataLoader: .*ants\/cut\.jpg: corrupt or unsupported JPEG file \(truncated.*Pass onBadImage: 'skip' to the ImageFolder/,
      );
      await loader.close();
    }
  });
});
