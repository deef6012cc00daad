/**
 * Lower bounds on the compressed data an image needs for the size its header declares, checked
 * before decoding: a 1 KB file declaring 9000 x 9000 pixels (under the pixel limit of
 * image_size.ts) would otherwise be decoded in full, costing time and memory set by the declared
 * size, before the decoder finds that the data ends ("truncated"). Both bounds are sound: a file
 * they refuse could never decode without a truncation error.
 *
 * - Huffman-coded JPEG (baseline, extended, progressive): every 8x8 block of every component is
 *   coded in a DC scan with at least one bit (a Huffman code is 1 to 16 bits long), so the bytes
 *   after the first scan header must be at least blocks / 8. A component of sampling factors
 *   h, v (of Hmax, Vmax) covers ceil(W h / Hmax) x ceil(H v / Vmax) samples (ITU T.81 A.1.1).
 *   Arithmetic-coded (SOF9..SOF15) and hierarchical (SOF5..SOF7) files are refused here: the
 *   libjpeg-turbo build decodes neither, and arithmetic coding has no useful lower bound.
 * - PNG: the IDAT chunks hold one zlib stream, and DEFLATE inflates at most 1032 bytes per input
 *   byte (a 258-byte match coded in 2 bits), so filtered scanlines needing more than
 *   1032 x (IDAT bytes) + 1 KiB cannot all be there.
 *
 * Either function may get only the start of a file (`fileBytes` is its whole size): what lies
 * beyond counts as possible image data, so the bound stays a lower bound.
 */

const be16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const be32 = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];

/** DEFLATE's largest expansion per input byte, and slack for the stream's first literals. */
const MAX_DEFLATE_RATIO = 1032;
const DEFLATE_SLACK = 1024;

/** The 8x8 blocks of a frame: per component ceil(ceil(W h / Hmax) / 8) x ceil(ceil(H v / Vmax) / 8). */
export function jpegBlocks(width: number, height: number, sampling: Array<[number, number]>): number {
  const hMax = Math.max(...sampling.map(([h]) => h));
  const vMax = Math.max(...sampling.map(([, v]) => v));
  let blocks = 0;
  for (const [h, v] of sampling)
    blocks += Math.ceil(Math.ceil((width * h) / hMax) / 8) * Math.ceil(Math.ceil((height * v) / vMax) / 8);
  return blocks;
}

/**
 * Why a JPEG cannot hold the data its frame declares, or null (also when the start of the file
 * given is too short to tell). `b` is the file or its start, `fileBytes` the file's size.
 */
export function jpegDataProblem(b: Uint8Array, fileBytes = b.length): string | null {
  let frame: { marker: number; width: number; height: number; sampling: Array<[number, number]> } | null = null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null; // a corrupt marker: left to the decoder's own message
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9) break;
    const length = be16(b, at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && !frame) {
      const problem = unsupportedProcess(marker);
      if (problem) return problem;
      const count = b[at + 9];
      if (at + 10 + 3 * count > b.length) return null;
      const sampling: Array<[number, number]> = [];
      for (let i = 0; i < count; i++) {
        const hv = b[at + 11 + 3 * i];
        sampling.push([Math.max(1, hv >> 4), Math.max(1, hv & 15)]);
      }
      if (count === 0) return null;
      frame = { marker, height: be16(b, at + 5), width: be16(b, at + 7), sampling };
    }
    if (marker === 0xda) {
      if (!frame) return null;
      return scanProblem(frame.width, frame.height, frame.sampling, Math.max(0, fileBytes - (at + 2 + length)));
    }
    at += 2 + length;
  }
  // No scan header: libjpeg stops while reading the header, before it allocates any pixels.
  return null;
}

function unsupportedProcess(marker: number): string | null {
  const sof = `SOF${marker - 0xc0}`;
  if (marker >= 0xc9)
    return `arithmetic-coded JPEG (${sof}) is not supported (the libjpeg-turbo build decodes Huffman-coded JPEG only; Pillow's usually does not either)`;
  if (marker >= 0xc5 && marker <= 0xc7) return `hierarchical JPEG (${sof}) is not supported (libjpeg decodes none)`;
  return null;
}

function scanProblem(width: number, height: number, sampling: Array<[number, number]>, bytes: number): string | null {
  const blocks = jpegBlocks(width, height, sampling);
  if (blocks <= 8 * bytes) return null;
  return `JPEG declares ${width}x${height} (${blocks} blocks) but holds only ${bytes} bytes of scan data: truncated or hostile`;
}

/** Channels of each PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Why a PNG's IDAT data cannot inflate to the scanlines its IHDR declares, or null (also for a
 * header it cannot read: the decoder says what is wrong). `b` is the file or its start.
 */
export function pngDataProblem(b: Uint8Array, fileBytes = b.length): string | null {
  if (b.length < 33) return null;
  const width = be32(b, 16);
  const height = be32(b, 20);
  const channels = PNG_CHANNELS[b[25]];
  if (!channels) return null;
  const bpp = b[24] * channels;
  // Non-interlaced: one filter byte and ceil(W bpp / 8) bytes per row; Adam7 rows are shorter
  // but hold the same pixels, so W H bpp / 8 bytes is a lower bound for both.
  const needed = b[28] === 0 ? height * (1 + Math.ceil((width * bpp) / 8)) : Math.ceil((width * height * bpp) / 8);
  let idat = 0;
  let at = 8;
  while (at + 8 <= b.length) {
    const length = be32(b, at);
    const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
    if (type === 'IDAT') idat += Math.min(length, Math.max(0, fileBytes - (at + 8)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  // Chunks beyond the bytes given may all be IDAT.
  if (at + 8 > b.length && fileBytes > b.length) idat += Math.max(0, fileBytes - at);
  const most = MAX_DEFLATE_RATIO * idat + DEFLATE_SLACK;
  if (needed <= most) return null;
  return `PNG declares ${width}x${height} (${needed} bytes of filtered scanlines) but holds only ${idat} bytes of IDAT data, which inflate to at most ${most}: truncated or hostile`;
}
