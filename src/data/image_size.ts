/**
 * An image's size from its header, read before decoding, and Pillow's decompression-bomb
 * limit: a 1 KB JPEG can declare 15000 x 15000 pixels and cost gigabytes to decode. As Pillow's
 * `Image.MAX_IMAGE_PIXELS` (89,478,485, a quarter of a gigabyte of RGB): above it a warning
 * (`DecompressionBombWarning`), above twice it an error naming the file
 * (`DecompressionBombError`), both before any pixel is decoded. The limit is an option.
 *
 * JPEG: the frame header (SOF0..SOF15 but DHT, JPG and DAC) after any APPn/COM segments gives
 * height and width (big-endian at +5 and +7). PNG: the IHDR chunk right after the signature.
 */

/** Pillow's `Image.MAX_IMAGE_PIXELS`: int(1024 * 1024 * 1024 // 4 // 3). */
export const MAX_IMAGE_PIXELS = 89_478_485;

/** The declared width and height, or a reason the header is unreadable. */
export type HeaderSize = { width: number; height: number } | { problem: string };

const be16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const be32 = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];

/** The size a PNG's IHDR declares. */
export function pngSize(b: Uint8Array): HeaderSize {
  if (b.length < 24) return { problem: `the PNG header is cut short (${b.length} bytes)` };
  if (String.fromCharCode(...b.subarray(12, 16)) !== 'IHDR')
    return { problem: 'the PNG does not start with an IHDR chunk' };
  return { width: be32(b, 16), height: be32(b, 20) };
}

/** The size a JPEG's frame header declares (segments are walked from the start). */
export function jpegSize(b: Uint8Array): HeaderSize {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return { problem: `bad JPEG marker at byte ${at}` };
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Standalone markers (TEM, RSTn, SOI) carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // EOI or start of scan before any frame header
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 9 > b.length) break;
      return { height: be16(b, at + 5), width: be16(b, at + 7) };
    }
    at += 2 + be16(b, at + 2);
  }
  return { problem: 'no JPEG frame header (SOF) before the image data or the end of the file' };
}

/**
 * Checks a declared size against the pixel limit (`maxPixels`, default MAX_IMAGE_PIXELS; null
 * or Infinity: no limit): throws above twice the limit, warns above it, as Pillow does.
 * Zero-sized images are refused. `name` starts the messages.
 */
export function checkImageSize(width: number, height: number, name: string, maxPixels?: number | null): void {
  if (width === 0 || height === 0) throw new Error(`${name}: the image header declares ${width}x${height} pixels`);
  const limit = maxPixels === undefined ? MAX_IMAGE_PIXELS : maxPixels;
  if (limit === null || !Number.isFinite(limit)) return;
  const pixels = width * height;
  if (pixels > 2 * limit) {
    throw new Error(
      `${name}: image size (${width}x${height} = ${pixels} pixels) exceeds twice the limit of ${limit} pixels, could be a decompression bomb; refused before decoding (raise the limit with the maxImagePixels option, as Pillow's Image.MAX_IMAGE_PIXELS)`,
    );
  }
  if (pixels > limit)
    console.warn(
      `${name}: image size (${width}x${height} = ${pixels} pixels) exceeds the limit of ${limit} pixels, could be a decompression bomb`,
    );
}
