import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { encodeDispatch } from '../src/gpu/commands.js';
import type { Kernel } from '../src/gpu/pipelines.js';
import { bucketSize } from '../src/gpu/pool.js';

beforeAll(async () => {
  await sg.init();
});

describe('device', () => {
  it('describes the adapter and the limits in use', () => {
    const info = sg.deviceInfo();
    expect(info.adapterName.length).toBeGreaterThan(0);
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(info.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
  });

  it('init() twice returns the same device', async () => {
    const again = await sg.init();
    expect(again).toBe(sg.deviceInfo());
  });

  it('a shader that fails to compile is reported with the kernel name', async () => {
    const broken: Kernel = {
      name: 'deliberately_broken',
      source: '@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }',
      bindings: [],
    };
    encodeDispatch(broken, [], null, [1]);
    await expect(sg.synchronize()).rejects.toThrow(/deliberately_broken/);
    // The failed batch may report follow-up errors once; then the device is usable again.
    await sg.synchronize().catch(() => undefined);
    expect(await sg.tensor([1, 2]).add(1).toArray()).toEqual([2, 3]);
  });

  it('a binding the shader does not expect is a clear error naming the kernel', () => {
    const k: Kernel = { name: 'fill', source: '', bindings: ['write', 'uniform'] };
    expect(() => encodeDispatch(k, [], null, [1])).toThrow(/kernel fill takes 2 bindings, got 0/);
  });

  it('pool buckets round up by at most 25% above 64 KiB', () => {
    expect(bucketSize(1)).toBe(16);
    expect(bucketSize(1000)).toBe(1024);
    for (const bytes of [65537, 100_000, 1_000_000, 12_345_678]) {
      const b = bucketSize(bytes);
      expect(b).toBeGreaterThanOrEqual(bytes);
      expect(b).toBeLessThanOrEqual(bytes * 1.25 + 16);
    }
  });
});

describe('process lifetime', () => {
  const script = (body: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-exit-'));
    const file = join(dir, 'run.mjs');
    writeFileSync(file, `import * as sg from ${JSON.stringify(join(process.cwd(), 'dist', 'index.js'))};\n${body}`);
    return file;
  };
  const run = (file: string) =>
    execFileSync('node', [file], {
      timeout: 30_000,
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
    });

  beforeAll(() => {
    execFileSync('node', ['tools/build.mjs'], { stdio: 'pipe' });
  });

  it('Node exits by itself after sg.shutdown()', () => {
    const out = run(
      script(`await sg.init(); console.log(await sg.tensor([1, 2]).add(2).toArray()); await sg.shutdown();`),
    );
    expect(out).toContain('[ 3, 4 ]');
  });

  it('Node exits by itself without sg.shutdown()', () => {
    const out = run(script(`await sg.init(); console.log(await sg.tensor([5]).mul(2).item());`));
    expect(out.trim()).toBe('10');
  });

  it('reading after shutdown gives a clear error', () => {
    const out = run(
      script(`await sg.init(); const t = sg.tensor([1]); await sg.shutdown();
      try { await t.data(); } catch (e) { console.log(e.message); }`),
    );
    expect(out).toMatch(/shut down/);
  });

  it('the built package imports from another folder that installs it by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-consumer-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', process.cwd()], {
      cwd: dir,
      stdio: 'pipe',
    });
    writeFileSync(
      join(dir, 'main.mjs'),
      `import * as sg from 'shadergrad'; await sg.init(); console.log(await sg.arange(4).sum().item()); await sg.shutdown();`,
    );
    const out = execFileSync('node', ['main.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
    });
    expect(out.trim()).toBe('6');
  });
});
