/**
 * Images on the CPU and their decoding. An `Image` is 8-bit RGB, row-major HWC (what PIL's
 * `.convert('RGB')` gives); after `ToTensor` a sample is a `HostTensor`, float32 CHW.
 * JPEG (baseline and progressive) is decoded by libjpeg-turbo in wasm as Pillow decodes it
 * (jpeg.ts), PNG by `pngjs` (Node only); the format is detected from the first bytes, never
 * from the file name.
 */
import jpegEncode from 'jpeg-js/lib/encoder.js';
import { decodeJpeg } from './jpeg.js';
import { nodeFs, nodeRequire } from './node.js';
import { checkImageSize, jpegSize, pngSize } from './image_size.js';
import { jpegDataProblem, pngDataProblem } from './image_data_bound.js';

type PngJs = typeof import('pngjs');
let pngjs: PngJs | null = null;
/** pngjs, loaded on first use (Node only: it needs zlib). */
const png = (): PngJs => (pngjs ??= nodeRequire<PngJs>('pngjs', 'PNG decoding and encoding'));

/** An 8-bit RGB image: `data[(y * width + x) * 3 + c]`. */
export interface Image {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Always 3 (RGB). */
  channels: 3;
  /** width * height * 3 bytes, row after row, R, G, B per pixel. */
  data: Uint8Array;
}

/** A float32 array on the CPU with its shape, row-major (a sample after `ToTensor`: [C, H, W]). */
export interface HostTensor {
  /** Sizes of the dimensions, outermost first. */
  shape: number[];
  /** The values, row-major; as many as the product of `shape`. */
  data: Float32Array;
  /**
   * 'int32': the values are integers (token ids, exact below 2^24) that batches and `classify`
   * upload as an int32 tensor; default float32.
   */
  dtype?: 'float32' | 'int32';
}

/** Whether `x` is an `Image` (uint8 pixels with `width` and `height`). */
export function isImage(x: unknown): x is Image {
  return (
    typeof x === 'object' && x !== null && (x as Image).data instanceof Uint8Array && 'width' in x && 'height' in x
  );
}

/** Whether `x` is a `HostTensor` (float32 data on the CPU with a `shape`). */
export function isHostTensor(x: unknown): x is HostTensor {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as HostTensor).data instanceof Float32Array &&
    Array.isArray((x as HostTensor).shape)
  );
}

/** A new black image (or one filled with `value`). */
export function blankImage(width: number, height: number, value = 0): Image {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(value) };
}

/** Image formats recognised by their magic bytes; only JPEG and PNG are decoded. */
const SIGNATURES: Array<[string, number[], number?]> = [
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['BMP', [0x42, 0x4d]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
  ['WebP', [0x57, 0x45, 0x42, 0x50], 8], // "RIFF" size "WEBP"
];

/** The number of leading bytes `sniffFormat` needs. */
export const HEADER_BYTES = 12;

/** 'JPEG', 'PNG', another recognised format's name, or null, from a file's first bytes. */
export function sniffFormat(header: Uint8Array): string | null {
  for (const [name, magic, at = 0] of SIGNATURES) {
    if (magic.every((b, i) => header[at + i] === b)) return name;
  }
  return null;
}

/**
 * Why a file with this header cannot be decoded, or null when it looks like JPEG or PNG.
 * `name` (a path or file name) starts the message.
 */
export function headerProblem(header: Uint8Array, name: string): string | null {
  const format = sniffFormat(header);
  if (format === 'JPEG' || format === 'PNG') return null;
  if (header.length === 0) return `${name}: the file is empty (expected JPEG or PNG)`;
  if (format) return `${name}: ${format} images are not supported (expected JPEG or PNG)`;
  const hex = Array.from(header.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${name}: not a JPEG or PNG image (the file starts with bytes ${hex})`;
}

/** Options of `decodeImage` and `readImage`. */
export interface DecodeOptions {
  /**
   * The decompression-bomb limit in pixels, checked on the header before decoding: above it a
   * warning, above twice it an error (default 89,478,485, Pillow's `Image.MAX_IMAGE_PIXELS`;
   * null: no limit).
   */
  maxImagePixels?: number | null;
}

/**
 * Decodes JPEG or PNG bytes to 8-bit RGB, as Pillow's `Image.open(f).convert('RGB')`. The
 * header's declared size is checked against `maxImagePixels` first (see image_size.ts), then
 * against the compressed data the file holds (a file far too short for its size is refused
 * before decoding: image_data_bound.ts). Throws
 * an error starting with `name` when it cannot decode.
 */
export function decodeImage(bytes: Uint8Array, name = 'image', options: DecodeOptions = {}): Image {
  const problem = headerProblem(bytes.subarray(0, HEADER_BYTES), name);
  if (problem) throw new Error(problem);
  const format = sniffFormat(bytes);
  const size = format === 'JPEG' ? jpegSize(bytes) : pngSize(bytes);
  if ('problem' in size) throw new Error(`${name}: corrupt or unsupported ${format} file (${size.problem})`);
  checkImageSize(size.width, size.height, name, options.maxImagePixels);
  const short = format === 'JPEG' ? jpegDataProblem(bytes) : pngDataProblem(bytes);
  if (short) throw new Error(`${name}: ${short}`);
  try {
    return format === 'JPEG' ? decodeJpeg(bytes) : decodePng(bytes);
  } catch (e) {
    throw new Error(`${name}: corrupt or unsupported ${format} file (${(e as Error).message})`);
  }
}

function decodePng(bytes: Uint8Array): Image {
  // pngjs expands grayscale and palette images to RGBA and rescales 16-bit samples to 8 bits
  // (round(v * 255 / 65535)); as PIL's convert('RGB'), alpha is dropped, not composited.
  const image = png().PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const n = image.width * image.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = image.data[i * 4];
    data[i * 3 + 1] = image.data[i * 4 + 1];
    data[i * 3 + 2] = image.data[i * 4 + 2];
  }
  return { width: image.width, height: image.height, channels: 3, data };
}

/** Reads and decodes an image file (Node only), as `decodeImage`. Errors name the file. */
export function readImage(path: string, options: DecodeOptions = {}): Image {
  const fs = nodeFs('readImage');
  if (!fs.statSync(path).isFile()) throw new Error(`${path}: not a regular file`);
  const bytes = fs.readFileSync(path);
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, options);
}

/** Encodes an image as baseline JPEG (jpeg-js), `quality` 1..100. */
export function encodeJpeg(image: Image, quality = 90): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let i = 0; i < image.width * image.height; i++) {
    rgba.set(image.data.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpegEncode({ width: image.width, height: image.height, data: rgba }, quality).data);
}

/** Encodes an image as an 8-bit RGB PNG (pngjs). */
export function encodePng(image: Image): Uint8Array {
  const { PNG } = png();
  const out = new PNG({
    width: image.width,
    height: image.height,
    colorType: 2,
    inputColorType: 2,
    inputHasAlpha: false,
  });
  out.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new Uint8Array(PNG.sync.write(out, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}
