// The matmul tuning's memory between runs (src/ops/tuning_store.ts; the browser's IndexedDB side
// is exercised by the site's e2e test, tools/browser/web_e2e.mjs) and sg.matmulTuning().
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { readTuning, writeTuning } from '../src/ops/tuning_store.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-tuning-'));
const saved = process.env.SHADERGRAD_CACHE_DIR;
process.env.SHADERGRAD_CACHE_DIR = dir;
afterAll(() => {
  if (saved === undefined) delete process.env.SHADERGRAD_CACHE_DIR;
  else process.env.SHADERGRAD_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('tuning store (Node: a JSON file per cache version)', () => {
  it('returns null before anything is stored, then what was stored, per adapter', async () => {
    expect(await readTuning('matmul-test', 'adapter A')).toBeNull();
    await writeTuning('matmul-test', 'adapter A', '09_x');
    await writeTuning('matmul-test', 'adapter B', '05_y');
    await writeTuning('matmul-test', 'adapter A', '07_z');
    expect(await readTuning('matmul-test', 'adapter A')).toBe('07_z');
    expect(await readTuning('matmul-test', 'adapter B')).toBe('05_y');
    expect(JSON.parse(readFileSync(join(dir, 'matmul-test.json'), 'utf8'))).toEqual({
      'adapter A': '07_z',
      'adapter B': '05_y',
    });
    // Another cache version is another record: older choices are not read.
    expect(await readTuning('matmul-test2', 'adapter A')).toBeNull();
  });

  it('treats an unreadable record as empty and replaces it', async () => {
    writeFileSync(join(dir, 'matmul-bad.json'), '{not json');
    expect(await readTuning('matmul-bad', 'adapter A')).toBeNull();
    await writeTuning('matmul-bad', 'adapter A', '09_x');
    expect(await readTuning('matmul-bad', 'adapter A')).toBe('09_x');
  });
});

describe('sg.matmulTuning', () => {
  it('says how the version was chosen, and a stored choice is what init used', async () => {
    await sg.init();
    const first = sg.matmulTuning();
    expect(first).not.toBeNull();
    expect(['timed', 'cache', 'memory']).toContain(first!.source);
    expect(first!.version).toBe(sg.chosenMatmulVersion());
    // This run's file now holds the choice (timed here: the cache directory started empty,
    // unless another test file in this worker tuned first, when it is remembered in memory).
    if (first!.source === 'timed') expect(await readTuning('matmul-v1', first!.adapter)).toBe(first!.version);
    await sg.tuneMatmul();
    expect(sg.matmulTuning()).toEqual({ ...first, source: 'memory' });
  });
});
