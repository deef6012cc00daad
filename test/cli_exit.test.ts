// Exit codes of the real `shadergrad` process: every error exits non-zero (2 for a usage error,
// 1 for a failure), with the message on stderr. Runs tools/shadergrad.mjs once (which bundles
// the command line), then the bundle it made for the other cases.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(__dirname, '..');
const bundle = join(repo, '.cache', 'run', 'shadergrad-cli.mjs');
const fixture = (name: string) => join(__dirname, 'fixtures', 'io', name);
const tmp = mkdtempSync(join(tmpdir(), 'sg-exit-'));

function shadergrad(args: string[], entry = bundle): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

beforeAll(() => {
  // Builds the bundle; no command: the usage, exit code 2.
  const r = shadergrad([], join(repo, 'tools', 'shadergrad.mjs'));
  expect(r.status).toBe(2);
  expect(r.stdout).toMatch(/^usage: shadergrad <command>/);
}, 180_000);

describe('shadergrad exit codes', () => {
  const notThere = join(tmp, 'missing.pth');
  const empty = join(tmp, 'empty.pth');
  writeFileSync(empty, '');
  const cases: Array<[string, string[], number, RegExp]> = [
    ['an unknown command', ['bogus'], 2, /unknown command "bogus"/],
    ['inspect without a file', ['inspect'], 2, /^$/],
    ['inspect on a missing file', ['inspect', notThere], 1, /shadergrad inspect: .*missing\.pth/],
    ['inspect on an empty file', ['inspect', empty], 1, /shadergrad inspect: .*empty\.pth/],
    ['inspect on a refused file', ['inspect', fixture('evil_global.pt')], 1, /refusing to load global os\.system/],
    ['inspect with two files', ['inspect', notThere, empty], 2, /one file at a time/],
    ['inspect with an unknown option', ['inspect', '--bogus', notThere], 2, /bogus/],
    ['summary without a model', ['summary'], 2, /which model/],
    ['summary of an unknown model', ['summary', 'resnet9000'], 2, /unknown model "resnet9000"/],
    ['print of an unknown model', ['print', 'resnet9000'], 2, /unknown model "resnet9000"/],
    ['predict without images', ['predict', '--model', 'resnet18', '--weights', notThere], 2, /give at least one image/],
    [
      'predict with a missing weight file',
      ['predict', '--model', 'resnet18', '--weights', notThere, 'x.png'],
      1,
      /missing\.pth/,
    ],
    ['evaluate without --data', ['evaluate', '--model', 'resnet18', '--weights', notThere], 2, /data/],
    [
      'evaluate on a missing folder',
      ['evaluate', '--model', 'resnet18', '--weights', notThere, '--data', join(tmp, 'nope')],
      1,
      /nope/,
    ],
    ['finetune with an unknown option', ['finetune', '--bogus'], 2, /bogus/],
    ['finetune on a missing folder', ['finetune', '--model', 'resnet18', '--data', join(tmp, 'nope')], 1, /nope/],
  ];
  for (const [what, args, status, stderr] of cases) {
    it(`${what}: exit code ${status}`, () => {
      const r = shadergrad(args);
      expect(r.stderr).toMatch(stderr);
      expect(r.status, r.stderr).toBe(status);
    }, 120_000);
  }
});
