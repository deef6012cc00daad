// Images far too short for the size they declare are refused before decoding (the bounds of
// src/data/image_data_bound.ts: one bit per 8x8 block in a Huffman-coded JPEG's DC scans, and
// DEFLATE's 1032:1 for a PNG's IDAT data), while real images (PIL's progressive, grey and 4:2:0
// JPEGs, every PNG colour type, the example photos, zlib's best compression) still pass.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as sg from '../src/index.js';
import { jpegBlocks, jpegDataProblem, pngDataProblem } from '../src/data/image_data_bound.js';
import { jpegWithScan, png } from './fuzz/hostile_files.js';

const D = sg.data;
const FIX = join(__dirname, 'fixtures', 'data');
const bytes = (path: string) => new Uint8Array(readFileSync(path));

/** Every file under `dir` ending in one of `ends`. */
function filesUnder(dir: string, ends: string[]): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return filesUnder(p, ends);
    return ends.some((e) => n.toLowerCase().endsWith(e)) ? [p] : [];
  });
}

describe('JPEG: one bit per block', () => {
  it('counts blocks per component from the sampling factors (odd sizes round up)', () => {
    // 37x21 at 4:2:0: Y 5x3 blocks, Cb and Cr each ceil(19/8) x ceil(11/8) = 3x2.
    expect(
      jpegBlocks(37, 21, [
        [2, 2],
        [1, 1],
        [1, 1],
      ]),
    ).toBe(15 + 6 + 6);
    expect(jpegBlocks(8, 8, [[1, 1]])).toBe(1);
    expect(
      jpegBlocks(15000, 15000, [
        [1, 1],
        [1, 1],
        [1, 1],
      ]),
    ).toBe(3 * 1875 * 1875);
  });

  it('real JPEGs pass: progressive, grey, 4:2:0 (PIL) and the example photos', () => {
    const files = [
      ...filesUnder(join(FIX, 'jpeg'), ['.jpg']),
      ...filesUnder(join(__dirname, '..', 'examples', 'data'), ['.jpg', '.jpeg']),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect([f, jpegDataProblem(bytes(f))]).toEqual([f, null]);
    const progressive = D.decodeImage(bytes(join(FIX, 'jpeg', 'progressive.jpg')));
    expect([progressive.width, progressive.height]).toEqual([24, 16]);
  });

  it('a 15000x15000 JPEG of 1 KB is refused before decoding, naming blocks and bytes', () => {
    const bomb = jpegWithScan(15000, 15000, 1000);
    const blocks = jpegBlocks(15000, 15000, [
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
    expect(() => D.decodeImage(bomb, 'bomb.jpg', { maxImagePixels: null })).toThrow(
      `bomb.jpg: JPEG declares 15000x15000 (${blocks} blocks) but holds only 1002 bytes of scan data: truncated or hostile`,
    );
    // Under the pixel limit (81 MP), so only this bound stops it.
    expect(() => D.decodeImage(jpegWithScan(9000, 9000, 500), 'short.jpg')).toThrow(
      /short\.jpg: JPEG declares 9000x9000/,
    );
  });

  it('the bound is exact at one bit per block, and counts what follows the scan header', () => {
    const blocks = jpegBlocks(64, 64, [
      [2, 2],
      [1, 1],
      [1, 1],
    ]); // 64 + 16 + 16 = 96 blocks: 12 bytes
    expect(blocks).toBe(96);
    expect(jpegDataProblem(jpegWithScan(64, 64, 10))).toBeNull(); // 10 + EOI = 12 bytes
    expect(jpegDataProblem(jpegWithScan(64, 64, 9))).toMatch(/96 blocks\) but holds only 11 bytes/);
    // Only the start of a file, as ImageFolder reads it: the rest of the file counts.
    expect(jpegDataProblem(jpegWithScan(64, 64, 0), 40_000)).toBeNull();
  });

  it('a real progressive JPEG whose frame is enlarged is refused, not decoded', () => {
    const b = bytes(join(FIX, 'jpeg', 'progressive.jpg'));
    const sof = b.findIndex((v, i) => v === 0xff && b[i + 1] === 0xc2);
    b.set([9000 >> 8, 9000 & 0xff, 9000 >> 8, 9000 & 0xff], sof + 5);
    expect(() => D.decodeImage(b, 'big.jpg')).toThrow(
      /big\.jpg: JPEG declares 9000x9000 \(\d+ blocks\) but holds only/,
    );
  });

  it('arithmetic-coded and hierarchical JPEGs are refused clearly (the decoder has neither)', () => {
    expect(() => D.decodeImage(jpegWithScan(16, 16, 100, 0xc9), 'a.jpg')).toThrow(
      /a\.jpg: arithmetic-coded JPEG \(SOF9\) is not supported/,
    );
    expect(() => D.decodeImage(jpegWithScan(16, 16, 100, 0xc5), 'h.jpg')).toThrow(
      /h\.jpg: hierarchical JPEG \(SOF5\) is not supported/,
    );
  });
});

describe('PNG: DEFLATE inflates at most 1032:1', () => {
  it('real PNGs of every colour type pass, and so does zlib at its best ratio', () => {
    const files = filesUnder(join(FIX, 'png'), ['.png']);
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) expect([f, pngDataProblem(bytes(f))]).toEqual([f, null]);
    // 3000 x 1000 black RGB: 9,001,000 bytes of rows, compressed ~1030:1 by zlib level 9.
    const rows = new Uint8Array(1000 * 9001);
    const zeros = png(3000, 1000, deflateSync(rows, { level: 9 }));
    expect(zeros.length).toBeLessThan(12_000);
    expect(pngDataProblem(zeros)).toBeNull();
    const im = D.decodeImage(png(300, 200, deflateSync(new Uint8Array(200 * 901), { level: 9 })));
    expect([im.width, im.height, im.data[0]]).toEqual([300, 200, 0]);
  });

  it('a 15000x15000 PNG with 1 KB of IDAT is refused before inflating', () => {
    const bomb = png(15000, 15000, new Uint8Array(1000));
    expect(() => D.decodeImage(bomb, 'bomb.png', { maxImagePixels: null })).toThrow(
      'bomb.png: PNG declares 15000x15000 (675015000 bytes of filtered scanlines) but holds only 1000 bytes of IDAT data, which inflate to at most 1033024: truncated or hostile',
    );
    expect(() => D.decodeImage(png(9000, 9000, new Uint8Array(1000)), 'short.png')).toThrow(
      /short\.png: PNG declares 9000x9000/,
    );
  });

  it('interlaced and low bit depths: the bound counts the pixels bits', () => {
    const ihdr = (b: Uint8Array, depth: number, colour: number, interlace: number) => {
      const out = b.slice();
      out.set([depth, colour, 0, 0, interlace], 24);
      return out; // the CRC is wrong, which the bound does not read
    };
    const base = png(8000, 8000, new Uint8Array(1000));
    // 1-bit grey, interlaced: 8,000,000 bytes of pixels > 1032 x 1000 + 1024.
    expect(pngDataProblem(ihdr(base, 1, 0, 1))).toMatch(/\(8000000 bytes of filtered scanlines\)/);
    // With 8 KB of IDAT it could hold them.
    expect(pngDataProblem(ihdr(png(8000, 8000, new Uint8Array(8000)), 1, 0, 1))).toBeNull();
  });
});
