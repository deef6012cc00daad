// `shadergrad inspect FILE` (tools/cli/inspect.ts): the table, the total, truncation and errors.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { join } from 'node:path';
import { inspectCommand } from '../tools/cli/inspect.js';

const fx = (name: string) => join(__dirname, 'fixtures', 'io', name);

/** Runs the command and returns what it printed (stdout and stderr) and the exit code it set. */
async function run(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await inspectCommand(args);
    return { out: out.join('\n'), err: err.join('\n'), code: process.exitCode as number | undefined };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = before;
  }
}

afterEach(() => vi.restoreAllMocks());

describe('inspect command', () => {
  it('prints name, dtype, shape and numel per tensor, and the total', async () => {
    const { out, code } = await run([fx('torch_zip.pt')]);
    expect(code).toBeUndefined();
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/torch_zip\.pt \(zip\): 11 tensors$/);
    expect(lines[1]).toMatch(/^name\s+dtype\s+shape\s+numel$/);
    expect(lines[3]).toMatch(/^fc\.weight\s+float32\s+\[2, 3\]\s+6$/);
    expect(out).toMatch(/\nhalf\s+float16\s+\[3\]\s+3\n/);
    expect(out).toMatch(/\nbn\.num_batches_tracked\s+int64\s+\[\]\s+1\n/);
    // 6 + 2 + 2 + 1 + 3 + 2 + 4 + 3 + 12 + 4 + 4
    expect(lines.at(-1)).toBe('total: 43 parameters (elements, buffers included) in 11 tensors');
  });

  it('--filter keeps matching names; a truncated zip is listed with a warning', async () => {
    const { out } = await run([fx('truncated.pt'), '--filter', 'w']);
    expect(out).toMatch(/\nw\s+float32\s+\[10, 10\]\s+100\n/);
    expect(out).toMatch(/\nwarning: truncated: .*only 0 of 1 tensors have their data$/);
  });

  it('errors go to stderr with exit code 1; no file prints the usage with exit code 2', async () => {
    const bad = await run([fx('evil_global.pt')]);
    expect(bad.err).toMatch(/^shadergrad inspect: refusing to load global os\.system/);
    expect(bad.code).toBe(1);
    const none = await run([]);
    expect(none.out).toMatch(/^usage: shadergrad inspect FILE/);
    expect(none.code).toBe(2);
  });
});
