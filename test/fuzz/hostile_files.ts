// Hostile safetensors files, training checkpoints and images: headers with offsets past the end,
// overlapping or with gaps, malformed entries, absurd lengths (2^60), bad checkpoint metadata,
// image headers declaring decompression bombs. Each case says what must happen.
import { deflateSync } from 'node:zlib';
import type { Case } from './harness.js';

/** A safetensors file from a header object and `data` bytes (the header is not checked here). */
export function safetensors(header: unknown, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const F32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

/** An 8-bit RGB PNG of `w` x `h` declared in its IHDR, with `idat` as its compressed data. */
export function png(w: number, h: number, idat?: Uint8Array): Uint8Array {
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, adaptive filtering, no interlace
  // Rows of filter byte 0 and grey pixels, compressed (fast: zeros compress at once).
  const data = idat ?? deflateSync(greyRows(w, h), { level: 1 });
  const sig = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', data), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `h` rows of filter byte 0 and `w` grey RGB pixels. */
function greyRows(w: number, h: number): Uint8Array {
  const rows = new Uint8Array(h * (1 + w * 3)).fill(128);
  for (let y = 0; y < h; y++) rows[y * (1 + w * 3)] = 0;
  return rows;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A JPEG that is only SOI, a frame header declaring `w` x `h` and EOI (about 1 KB with padding). */
export function jpegHeader(w: number, h: number): Uint8Array {
  const sof = [0xff, 0xc0, 0, 17, 8, h >> 8, h & 0xff, w >> 8, w & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const comment = [0xff, 0xfe, 0x03, 0xe8, ...new Array(998).fill(0x20)];
  return Uint8Array.from([0xff, 0xd8, ...comment, ...sof, 0xff, 0xd9]);
}

/** SOI, a baseline frame of `w` x `h` (Y 2x2, Cb and Cr 1x1: 4:2:0), a scan header, `scan` bytes, EOI. */
export function jpegWithScan(w: number, h: number, scan: number, sof = 0xc0): Uint8Array {
  const frame = [0xff, sof, 0, 17, 8, h >> 8, h & 0xff, w >> 8, w & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0];
  return Uint8Array.from([0xff, 0xd8, ...frame, ...sos, ...new Array(scan).fill(0x55), 0xff, 0xd9]);
}

export function hostileFileCases(): Case[] {
  const d8 = new Uint8Array(8);
  const st = (name: string, header: unknown, data: Uint8Array, expect: RegExp, length?: bigint): Case => ({
    name,
    reader: 'load',
    bytes: safetensors(header, data, length),
    expect,
  });
  return [
    st('len60.safetensors', { a: F32([2], 0, 8) }, d8, /over the format's cap/, 2n ** 60n),
    st('longhead.safetensors', { a: F32([2], 0, 8) }, d8, /truncated: .*header needs/, 10n ** 6n),
    st('past.safetensors', { a: F32([4], 0, 16) }, d8, /truncated: .*tensor 'a' needs data bytes 0\.\.16/),
    st(
      'overlap.safetensors',
      { a: F32([2], 0, 8), b: F32([1], 4, 8) },
      d8,
      /tensor 'b' starts at byte 4, expected 8 \(it overlaps/,
    ),
    st('gap.safetensors', { a: F32([1], 4, 8) }, d8, /tensor 'a' starts at byte 4, expected 0 \(a gap of 4 bytes/),
    st('tail.safetensors', { a: F32([1], 0, 4) }, d8, /cover 4 bytes, the data section has 8/),
    st('null.safetensors', { a: null }, d8, /tensor 'a' is null, not an object/),
    st(
      'strshape.safetensors',
      { a: { dtype: 'F32', shape: '2', data_offsets: [0, 8] } },
      d8,
      /tensor 'a' has shape "2"/,
    ),
    st(
      'negoff.safetensors',
      { a: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } },
      d8,
      /tensor 'a' has data_offsets \[-8,0\]/,
    ),
    st(
      'reversed.safetensors',
      { a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } },
      d8,
      /tensor 'a' has data_offsets/,
    ),
    st('floatoff.safetensors', { a: { dtype: 'F32', shape: [2], data_offsets: [0.5, 8.5] } }, d8, /data_offsets/),
    st('dtype.safetensors', { a: { dtype: 7, shape: [2], data_offsets: [0, 8] } }, d8, /tensor 'a' has dtype 7/),
    st(
      'c64.safetensors',
      { a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } },
      d8,
      /unsupported safetensors dtype C64/,
    ),
    st(
      'hugeshape.safetensors',
      { a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } },
      d8,
      /too many elements/,
    ),
    st('meta.safetensors', { __metadata__: { a: 1 }, b: F32([2], 0, 8) }, d8, /__metadata__ 'a' is 1/),
    st('array.safetensors', [1, 2], d8, /not a checkpoint/),
    {
      name: 'utf8.safetensors',
      reader: 'load',
      bytes: (() => {
        const b = safetensors({ a: F32([2], 0, 8) }, d8);
        b[10] = 0xff;
        return b;
      })(),
      expect: /bad safetensors header JSON/,
    },
    { name: 'empty.safetensors', reader: 'load', bytes: new Uint8Array(0), expect: /not a checkpoint/ },
    { name: 'zeros.ckpt', reader: 'checkpoint', bytes: new Uint8Array(64), expect: /not a shadergrad checkpoint/ },
    {
      name: 'meta.ckpt',
      reader: 'checkpoint',
      bytes: safetensors({ __metadata__: { format: 'shadergrad.checkpoint', epoch: '{' } }, new Uint8Array(0)),
      expect: /bad checkpoint metadata 'epoch'/,
    },
    {
      name: 'epoch.ckpt',
      reader: 'checkpoint',
      bytes: safetensors({ __metadata__: { format: 'shadergrad.checkpoint', epoch: '"abc"' } }, new Uint8Array(0)),
      expect: /'epoch': expected a finite number or null, got 'abc'/,
    },
    {
      name: 'rng.ckpt',
      reader: 'checkpoint',
      bytes: safetensors(
        { __metadata__: { format: 'shadergrad.checkpoint', rng: '{"seed":"x","stream":0}' } },
        new Uint8Array(0),
      ),
      expect: /'rng'/,
    },
    {
      name: 'opt.ckpt',
      reader: 'checkpoint',
      bytes: safetensors(
        {
          __metadata__: {
            format: 'shadergrad.checkpoint',
            optimizer: '{"type":"Adam","params":[{"step":1,"tensors":["exp_avg"]}],"groups":[{}]}',
          },
        },
        new Uint8Array(0),
      ),
      expect: /optimizer tensor optimizer\.0\.exp_avg is missing/,
    },
    {
      name: 'optparams.ckpt',
      reader: 'checkpoint',
      bytes: safetensors(
        { __metadata__: { format: 'shadergrad.checkpoint', optimizer: '{"type":"Adam","params":5,"groups":[]}' } },
        new Uint8Array(0),
      ),
      expect: /'optimizer': expected params and groups lists/,
    },
    {
      name: 'bomb15000.jpg',
      reader: 'image',
      bytes: jpegHeader(15000, 15000),
      expect: /15000x15000 = 225000000 pixels\) exceeds twice the limit/,
    },
    {
      name: 'bomb30000.png',
      reader: 'image',
      bytes: png(30000, 30000, new Uint8Array(16)),
      expect: /30000x30000 = 900000000 pixels\) exceeds twice/,
    },
    {
      name: 'limit.png',
      reader: 'image',
      bytes: png(64, 64),
      expect: /exceeds twice the limit of 2000/,
      options: { maxImagePixels: 2000 },
    },
    { name: 'nolimit.png', reader: 'image', bytes: png(64, 64), expect: 'ok', options: { maxImagePixels: null } },
    { name: 'zero.png', reader: 'image', bytes: png(0, 5, new Uint8Array(16)), expect: /declares 0x5 pixels/ },
    { name: 'empty.jpg', reader: 'image', bytes: new Uint8Array(0), expect: /the file is empty/ },
    {
      name: 'nosof.jpg',
      reader: 'image',
      bytes: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xd9]),
      expect: /no JPEG frame header/,
    },
    { name: 'one.png', reader: 'image', bytes: png(1, 1), expect: 'ok' },
    // Under the pixel limit (81 MP) but far too short for it: refused before decoding.
    {
      name: 'short9000.jpg',
      reader: 'image',
      bytes: jpegWithScan(9000, 9000, 1000),
      expect: /blocks\) but holds only 1002 bytes of scan data/,
    },
    {
      name: 'short15000.jpg',
      reader: 'image',
      bytes: jpegWithScan(15000, 15000, 1000),
      expect: /JPEG declares 15000x15000/,
      options: { maxImagePixels: null },
    },
    {
      name: 'short9000.png',
      reader: 'image',
      bytes: png(9000, 9000, new Uint8Array(1000)),
      expect: /holds only 1000 bytes of IDAT data/,
    },
    {
      name: 'short15000.png',
      reader: 'image',
      bytes: png(15000, 15000, new Uint8Array(1000)),
      expect: /PNG declares 15000x15000/,
      options: { maxImagePixels: null },
    },
    {
      name: 'arith.jpg',
      reader: 'image',
      bytes: jpegWithScan(16, 16, 100, 0xc9),
      expect: /arithmetic-coded JPEG \(SOF9\) is not supported/,
    },
  ];
}
