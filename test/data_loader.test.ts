// The DataLoader (shapes, seeded order, dropLast, epochs, identical batches with 0 and 2 worker
// threads) and the GPU ToTensor + Normalize kernel against a float64 reference.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { expectClose, poisonPool, rng } from './helpers.js';
import type { Image } from '../src/data/image.js';

const D = sg.data;
const T = sg.transforms;

beforeAll(async () => {
  await sg.init();
});

/** A small image with distinct pixels, `seed` making images differ (as in data.test.ts). */
function testImage(width: number, height: number, seed: number): Image {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i * i) >> 3)) & 255;
  return { width, height, channels: 3, data };
}

/** (v / 255 - mean[c]) / std[c] in float64, CHW, from HWC bytes. */
function reference(pixels: Uint8Array, [B, H, W, C]: number[], mean: number[], std: number[]): Float64Array {
  const out = new Float64Array(B * C * H * W);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const m = mean.length === 1 ? mean[0] : mean[c];
          const s = std.length === 1 ? std[0] : std[c];
          out[((b * C + c) * H + y) * W + x] = (pixels[((b * H + y) * W + x) * C + c] / 255 - m) / s;
        }
  return out;
}

describe('imagesToTensor (image_to_tensor.wgsl)', () => {
  it.each([
    [
      [3, 5, 7, 3],
      [0.485, 0.456, 0.406],
      [0.229, 0.224, 0.225],
    ],
    [[2, 3, 3, 1], [0.1307], [0.3081]],
    [[1, 4, 6, 4], [0.5], [0.25]],
  ])('shape %j (B, H, W, C) matches the float64 reference on a poisoned pool', async (shape, mean, std) => {
    const next = rng(shape.reduce((a, b) => a * b, 1));
    const pixels = Uint8Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(next() * 256));
    pixels[0] = 0;
    pixels[1] = 255;
    poisonPool(1 << 12);
    const x = D.imagesToTensor(pixels, shape as [number, number, number, number], mean, std);
    expect(x.shape).toEqual([shape[0], shape[3], shape[1], shape[2]]);
    expectClose(await x.data(), reference(pixels, shape, mean, std), 'imagesToTensor', { rtol: 1e-5, atol: 1e-5 });
    x.dispose();
  });

  it('rejects bad shapes and statistics before any GPU work', () => {
    expect(() => D.imagesToTensor(new Uint8Array(10), [1, 2, 2, 3])).toThrow(
      'imagesToTensor: 10 bytes cannot be images of shape [1, 2, 2, 3] (B, H, W, C)',
    );
    expect(() => D.imagesToTensor(new Uint8Array(12), [1, 2, 2, 3], [0, 0], [1, 1])).toThrow(
      'imagesToTensor: mean has 2 values for images of 3 channels',
    );
  });
});

describe('DataLoader over a TensorDataset', () => {
  const n = 10;
  const ds = new D.TensorDataset(
    { data: Float32Array.from({ length: n * 2 * 3 }, (_, i) => i), shape: [n, 2, 3] },
    { data: Int32Array.from({ length: n }, (_, i) => i), shape: [n] },
  );

  async function collect(
    loader: sg.data.DataLoader,
  ): Promise<Array<{ x: number[]; y: number[]; shape: readonly number[] }>> {
    const out = [];
    for await (const b of loader) {
      out.push({ x: Array.from(await b.x.data()), y: Array.from(await b.y.data()), shape: b.x.shape });
      expect(b.y.dtype).toBe('int32');
      b.dispose();
    }
    return out;
  }

  it('batches in order, with the last batch smaller unless dropLast', async () => {
    const loader = new D.DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = await collect(loader);
    expect(batches.map((b) => b.shape)).toEqual([
      [4, 2, 3],
      [4, 2, 3],
      [2, 2, 3],
    ]);
    expect(batches.map((b) => b.y)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batches[2].x).toEqual(Array.from({ length: 12 }, (_, i) => 48 + i));
    const dropped = new D.DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect((await collect(dropped)).map((b) => b.y)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('shuffles with the seed: same seed, same order; a new order every epoch', async () => {
    const a = new D.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const b = new D.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const a0 = (await collect(a)).flatMap((x) => x.y);
    const a1 = (await collect(a)).flatMap((x) => x.y);
    expect((await collect(b)).flatMap((x) => x.y)).toEqual(a0);
    expect([...a0].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a0).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a1).not.toEqual(a0);
    expect(a.epoch).toBe(2);
    expect(a0).toEqual(b.batchIndices(0).flat());
    const c = new D.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 8 });
    expect((await collect(c)).flatMap((x) => x.y)).not.toEqual(a0);
  });

  it('errors name the option or the dataset', () => {
    expect(() => new D.DataLoader(ds, { batchSize: 0 })).toThrow(
      'DataLoader: batchSize should be a positive integer, got 0',
    );
    expect(() => new D.DataLoader(ds, { numWorkers: 2 })).toThrow(
      /numWorkers > 0 needs an ImageFolder .*TensorDataset is read in the main thread/,
    );
  });
});

describe('DataLoader over an ImageFolder', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sg-loader-'));
    for (const [cls, count] of [
      ['cat', 5],
      ['dog', 6],
    ] as const) {
      mkdirSync(join(root, cls));
      for (let i = 0; i < count; i++) {
        const im = testImage(20 + 3 * i, 16 + i, i + (cls === 'dog' ? 10 : 0));
        writeFileSync(join(root, cls, `${i}.${i % 2 ? 'png' : 'jpg'}`), i % 2 ? D.encodePng(im) : D.encodeJpeg(im, 90));
      }
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const train = () =>
    new T.Compose([
      new T.RandomResizedCrop(8, { scale: [0.3, 1] }),
      new T.RandomHorizontalFlip(),
      new T.ColorJitter({ brightness: 0.3 }),
      new T.ToTensor(),
      new T.Normalize(T.IMAGENET_MEAN, T.IMAGENET_STD),
    ]);

  async function epoch(loader: sg.data.DataLoader): Promise<Array<[number[], number[]]>> {
    const out: Array<[number[], number[]]> = [];
    for await (const b of loader) {
      expect(b.x.shape.slice(1)).toEqual([3, 8, 8]);
      out.push([Array.from(await b.x.data()), Array.from(await b.y.data())]);
      b.dispose();
    }
    return out;
  }

  it('gives identical batches with 0 and 2 worker threads, for two epochs', async () => {
    const ds = new D.ImageFolder(root, { transform: train() });
    const opts = { batchSize: 4, shuffle: true, seed: 3 };
    const main = new D.DataLoader(ds, opts);
    const workers = new D.DataLoader(ds, { ...opts, numWorkers: 2 });
    const m0 = await epoch(main);
    const w0 = await epoch(workers);
    expect(m0.map(([, y]) => y.length)).toEqual([4, 4, 3]);
    expect(w0).toEqual(m0);
    const [m1, w1] = [await epoch(main), await epoch(workers)];
    expect(w1).toEqual(m1);
    expect(m1).not.toEqual(m0); // new order and new augmentation in epoch 1
    await workers.close();
  });

  it('the GPU tail equals ToTensor + Normalize on the CPU (transformOnGpu: false)', async () => {
    const ds = new D.ImageFolder(root, { transform: train() });
    const gpu = await epoch(new D.DataLoader(ds, { batchSize: 5, seed: 1 }));
    const cpu = await epoch(new D.DataLoader(ds, { batchSize: 5, seed: 1, transformOnGpu: false }));
    gpu.forEach(([x, y], k) => {
      expect(y).toEqual(cpu[k][1]);
      expectClose(x, cpu[k][0], `batch ${k}`, { rtol: 1e-5, atol: 1e-5 });
    });
  });

  it('works over a Subset from randomSplit, and reports images of different sizes', async () => {
    const ds = new D.ImageFolder(root, { transform: train() });
    const [a] = D.randomSplit(ds, [0.5, 0.5], { seed: 2 });
    const batches = await epoch(new D.DataLoader(a, { batchSize: 2, numWorkers: 1 }));
    expect(batches.flatMap(([, y]) => y)).toEqual(a.indices.map((i) => ds.targets[i]));
    const raw = new D.ImageFolder(root, { transform: new T.Compose([new T.ToTensor()]) });
    const it = new D.DataLoader(raw, { batchSize: 3 })[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(
      /DataLoader: images of a batch must have one size to be stacked, got 20x16 \(sample 0\) and 23x17 \(sample 1\)/,
    );
  });

  it('stops its workers when the loop breaks, and reports a file that fails to decode in a worker', async () => {
    const ds = new D.ImageFolder(root, { transform: train() });
    let seen = 0;
    for await (const b of new D.DataLoader(ds, { batchSize: 2, numWorkers: 2 })) {
      b.dispose();
      if (++seen === 2) break;
    }
    expect(seen).toBe(2);
    const broken = join(root, 'cat', '9.jpg');
    // A valid header (so ImageFolder's construction-time check passes) and cut-off image data.
    const whole = readFileSync(join(root, 'cat', '0.jpg'));
    writeFileSync(broken, whole.subarray(0, whole.length >> 1));
    try {
      const bad = new D.ImageFolder(root, { transform: train() });
      const it = new D.DataLoader(bad, { batchSize: 11, numWorkers: 1 })[Symbol.asyncIterator]();
      await expect(it.next()).rejects.toThrow(/cat\/9\.jpg: corrupt or unsupported JPEG file/);
    } finally {
      rmSync(broken);
    }
  });
});

describe('MNIST', () => {
  it('serves [1, 28, 28] digits in [0, 1] with their labels, through Normalize and the DataLoader', async () => {
    const test = await D.MNIST.load({ train: false, transform: new T.Normalize([0.1307], [0.3081]) });
    expect(test.length).toBe(2000);
    const loader = new D.DataLoader(test, { batchSize: 64 });
    expect(loader.length).toBe(32);
    const { value: b } = await loader[Symbol.asyncIterator]().next();
    expect(b.x.shape).toEqual([64, 1, 28, 28]);
    const x = await b.x.data();
    const raw = (await D.MNIST.load({ train: false })).get(0)[0] as sg.data.HostTensor;
    expectClose(
      x.subarray(0, 784),
      Array.from(raw.data, (v) => Math.fround(v - Math.fround(0.1307)) / Math.fround(0.3081)),
      'normalised digit',
    );
    const labels = Array.from(await b.y.data()) as number[];
    expect(labels.every((l) => l >= 0 && l <= 9)).toBe(true);
    expect(labels[0]).toBe(test.get(0)[1]);
    b.dispose();
  });
});
