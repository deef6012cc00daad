// The conformance table (tools/fixtures/make_conformance.py, written by PyTorch 1.13): every
// public op on NaN, +-inf, +-0, empty tensors, size-1 dims, odd sizes and non-contiguous views
// (transpose, permute, slices), run through shadergrad and compared with PyTorch's output: same
// shape, NaN where PyTorch has NaN, the sign of every zero, relative error < 1e-4; an error where
// PyTorch raises (shadergrad's names the op). Gradient cases (gradients.json, layers.json:
// make_conformance_grad.py) compare every input's .grad after backward(gradOut) the same way.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { poisonPool } from './helpers.js';
import { OPS, compare, type Case } from './conformance_ops.js';

const DIR = join(__dirname, 'fixtures', 'conformance');
const GROUPS = ['elementwise', 'reductions', 'softmax', 'nn', 'shapes', 'gradients', 'layers'];

beforeAll(async () => {
  await sg.init();
});

describe('conformance with PyTorch 1.13', () => {
  it.each(GROUPS)('%s', async (group) => {
    const { torch, cases } = JSON.parse(readFileSync(join(DIR, `${group}.json`), 'utf8')) as {
      torch: string;
      cases: Case[];
    };
    expect(torch.startsWith('1.13')).toBe(true);
    poisonPool();
    const live = sg.memory().liveTensors;
    const failures: string[] = [];
    for (const c of cases) {
      const problem = await compare(c);
      if (problem) {
        const shapes = c.inputs.map((i) => `[${i.shape}]${i.view ? ` ${JSON.stringify(i.view)}` : ''}`).join(', ');
        failures.push(`${c.op}(${shapes}) ${JSON.stringify(c.args)}: ${problem}`);
      }
    }
    expect(failures.join('\n'), `${failures.length} of ${cases.length} cases differ`).toBe('');
    expect(sg.memory().liveTensors).toBe(live);
    expect(cases.length).toBeGreaterThan(15);
  });

  it('covers every op of the table, and the table names only ops shadergrad has', () => {
    const ops = new Set(
      GROUPS.flatMap((g) =>
        (JSON.parse(readFileSync(join(DIR, `${g}.json`), 'utf8')).cases as Case[]).map((c) => c.op),
      ),
    );
    expect([...ops].sort()).toEqual(Object.keys(OPS).sort());
  });
});
