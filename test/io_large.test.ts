// Weight files over 2 GiB (fs.readFile refuses them): a sparse 2.1 GiB torch.save zip whose
// 256 MiB tensor is zeros and whose last tensor lies past the 2 GiB mark loads, read by ranges
// with progress, and the process's peak memory grows by about the file's size, not twice it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { Pickle } from './fuzz/pickle_writer.js';
import { zipParts } from './fuzz/zip_writer.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const BIG = 64 * MiB; // elements: 256 MiB of float32 zeros
const DATA = 2.1 * GiB; // bytes after the header
const SMALL = [1.5, -2, 3.25];

/**
 * Writes a torch.save zip sparsely: data.pkl, the zeros (a hole), an unreferenced 1.8 GiB record
 * (a hole: safetensors would not allow bytes no tensor covers) and the small tensor's storage
 * past the 2 GiB mark.
 */
function writeSparse(path: string): number {
  const pickle = new Pickle().proto().emptyDict().mark();
  pickle.str('big').tensor('0', BIG, [BIG], [1]).str('small').tensor('1', 3, [3], [1]).setitems().stop();
  const { parts, size } = zipParts([
    { name: 'archive/data.pkl', data: pickle.bytes() },
    { name: 'archive/data/0', size: BIG * 4 },
    { name: 'archive/padding', size: Math.floor(DATA) - BIG * 4 },
    { name: 'archive/data/1', data: new Uint8Array(Float32Array.from(SMALL).buffer) },
  ]);
  const fd = openSync(path, 'w');
  try {
    for (const [at, bytes] of parts) writeSync(fd, bytes, 0, bytes.length, at);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  return size;
}

describe('files over 2 GiB', () => {
  let dir: string, path: string, size: number;
  beforeAll(async () => {
    await sg.init();
    dir = mkdtempSync(join(tmpdir(), 'sg-large-'));
    path = join(dir, 'large.pth');
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
