// Weight files over 2 GiB (fs.readFile refuses them): a sparse 2.1 GiB safetensors file whose
// 256 MiB tensor is zeros and whose last tensor lies past the 2 GiB mark loads, read by ranges
// with progress, and the process's peak memory grows by about the file's size, not twice it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const BIG = 64 * MiB; // elements: 256 MiB of float32 zeros
const DATA = 2.1 * GiB; // bytes after the header
const SMALL = [1.5, -2, 3.25];

/** Writes the file sparsely: header, the small tensor at the end, a hole for the zeros. */
function writeSparse(path: string): number {
  const end = Math.floor(DATA / 4) * 4;
  const header: Record<string, unknown> = {
    big: { dtype: 'F32', shape: [BIG], data_offsets: [0, BIG * 4] },
    small: { dtype: 'F32', shape: [3], data_offsets: [end - 12, end] },
  };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(new TextEncoder().encode(json), 8);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head, 0, head.length, 0);
    writeSync(fd, new Uint8Array(Float32Array.from(SMALL).buffer), 0, 12, head.length + end - 12);
    ftruncateSync(fd, head.length + end);
  } finally {
    closeSync(fd);
  }
  return head.length + end;
}

describe('files over 2 GiB', () => {
  let dir: string, path: string, size: number;
  beforeAll(async () => {
    await sg.init();
    dir = mkdtempSync(join(tmpdir(), 'sg-large-'));
    path = join(dir, 'large.safetensors');
    size = writeSparse(path);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads by ranges with progress; peak memory grows by about the file, not twice it', async () => {
    expect(size).toBeGreaterThan(2 * GiB);
    const rssBefore = process.memoryUsage().rss;
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const seen: number[] = [];
    const state = await sg.io.load(path, {
      onProgress: (read, total) => {
        expect(total).toBe(size);
        seen.push(read);
      },
    });
    const grew = process.resourceUsage().maxRSS * 1024 - Math.max(rssBefore, 0);
    expect(seen.at(-1)).toBe(size);
    expect(seen.length).toBe(Math.ceil(size / (64 * MiB)));
    expect(seen.every((v, i) => i === 0 || v > seen[i - 1])).toBe(true);
    expect(Array.from(await state.get('small')!.data())).toEqual(SMALL);
    const big = state.get('big')!;
    expect(big.shape).toEqual([BIG]);
    const total = big.abs().sum();
    expect(await total.item()).toBe(0);
    total.dispose();
    for (const t of state.values()) t.dispose();
    // The file's bytes once, plus the GPU's copy of the tensors (host memory on a software
    // adapter such as llvmpipe) and the upload's staging copy; a second copy of the file would
    // add another 2.1 GiB.
    console.log(
      `io_large: file ${(size / GiB).toFixed(2)} GiB, peak RSS grew by ${(grew / GiB).toFixed(2)} GiB (peak before: ${(peakBefore / GiB).toFixed(2)} GiB)`,
    );
    expect(grew).toBeLessThan(size + 2 * BIG * 4 + 256 * MiB);
  });
});
