/**
 * The DataLoader's CPU work per sample, in one thread (= samples/s per worker): read a JPEG,
 * decode it, RandomResizedCrop(224) + RandomHorizontalFlip (ToTensor + Normalize run on the GPU
 * per batch). Decoders compared: libjpeg-turbo in wasm (sg.data's, as Pillow decodes) against
 * jpeg-js (sg.data's decoder before it). On the tutorial's full-size hymenoptera photos when
 * ../shared holds them, else the 72 px copies in examples/data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpegDecode from 'jpeg-js/lib/decoder.js';
import * as sg from '../src/index.js';
import { fixed, printTable } from './timing.js';

const DIRS = [
  '../shared/assets/datasets/hymenoptera_data/train',
  '/work/shared/assets/datasets/hymenoptera_data/train',
  'examples/data/hymenoptera/train',
];

function photos(limit: number): { dir: string; files: string[] } {
  const dir = DIRS.find(existsSync)!;
  const files = ['ants', 'bees'].flatMap((c) =>
    readdirSync(join(dir, c))
      .filter((f) => /\.jpe?g$/i.test(f))
      .map((f) => join(dir, c, f)),
  );
  return {
    dir,
    files: files.filter((_, i) => i % Math.max(1, Math.floor(files.length / limit)) === 0).slice(0, limit),
  };
}

function jpegJs(bytes: Uint8Array): sg.data.Image {
  const { width, height, data } = jpegDecode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: 250,
    maxMemoryUsageInMB: 4096,
  });
  return { width, height, channels: 3, data };
}

/** Samples per second and ms of decoding per sample, over `files`. */
function time(files: string[], decode: (bytes: Uint8Array, file: string) => sg.data.Image): [number, number] {
  const T = sg.transforms;
  const augment = new T.Compose([new T.RandomResizedCrop(224), new T.RandomHorizontalFlip()]);
  let decoding = 0;
  const start = performance.now();
  files.forEach((file, i) => {
    const bytes = new Uint8Array(readFileSync(file));
    const t0 = performance.now();
    const image = decode(bytes, file);
    decoding += performance.now() - t0;
    augment.apply(image, sg.transforms.seededRandom(i));
  });
  const seconds = (performance.now() - start) / 1000;
  return [files.length / seconds, decoding / files.length];
}

export function benchLoader(quick: boolean): void {
  const { dir, files } = photos(quick ? 20 : 60);
  time(files.slice(0, 3), (b, f) => sg.data.decodeImage(b, f)); // warm-up (wasm compile, JIT)
  const [turbo, turboMs] = time(files, (b, f) => sg.data.decodeImage(b, f));
  const [js, jsMs] = time(files, (b) => jpegJs(b));
  printTable(
    `DataLoader CPU work per worker (${files.length} photos of ${dir}; read, decode, RandomResizedCrop(224), flip)`,
    ['JPEG decoder', 'samples/s per worker', 'decode ms/sample'],
    [
      ["libjpeg-turbo wasm (now; Pillow's pixels)", fixed(turbo), fixed(turboMs)],
      ['jpeg-js (before)', fixed(js), fixed(jsMs)],
    ],
  );
}
