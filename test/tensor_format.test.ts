// Printing tensors: the metadata form console.log shows (no GPU read), and PyTorch's repr of the
// values (test/fixtures/tensor_format.json, written by tools/fixtures/make_format_fixtures.py
// from PyTorch 1.13: fixed, integer and scientific modes, summarisation, wrapping, suffixes).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { formatTensor } from '../src/tensor_format.js';

interface Case {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Array<number | string>;
  requiresGrad: boolean;
  gradFn: string | null;
  repr: string;
}
const cases: Case[] = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'tensor_format.json'), 'utf8'));
const numbers = (c: Case) =>
  Float32Array.from(c.values, (v) =>
    typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity').replace('nan', 'NaN')),
  );

describe('formatTensor, as repr(torch.tensor)', () => {
  it.each(cases.map((c) => [c.name, c] as [string, Case]))('%s', (_, c) => {
    const gradFn = c.gradFn?.replace(/0$/, '') ?? null;
    expect(formatTensor(numbers(c), c.shape, c.dtype, { requiresGrad: c.requiresGrad, gradFn })).toBe(c.repr);
  });
});

describe('printing a Tensor and a Module', () => {
  beforeAll(async () => void (await sg.init()));

  it('console.log / util.inspect show shape, dtype and autograd state without reading the GPU', () => {
    const x = sg.ones([2, 3], { requiresGrad: true });
    const y = x.mul(2);
    expect(inspect(x)).toBe('Tensor(shape=[2, 3], dtype=float32, requiresGrad=true)');
    expect(inspect(y)).toBe('Tensor(shape=[2, 3], dtype=float32, requiresGrad=true, gradFn=MulBackward)');
    expect(inspect({ y })).toContain('y: Tensor(shape=[2, 3], dtype=float32, requiresGrad=true, gradFn=MulBackward)');
    x.dispose();
    y.dispose();
    expect(inspect(x)).toBe('Tensor(shape=[2, 3], dtype=float32, requiresGrad=true, disposed)');
  });

  it('toStringAsync and print give the values as PyTorch prints them', async () => {
    const before = sg.memory().liveTensors;
    const t = sg.tensor([
      [1, 2.5],
      [3, 4],
    ]);
    expect(await t.toStringAsync()).toBe('tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])');
    const labels = sg.tensor([1, 2], { dtype: 'int32' });
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      await labels.print();
    } finally {
      console.log = log;
    }
    expect(lines).toEqual(['tensor([1, 2], dtype=torch.int32)']);
    t.dispose();
    labels.dispose();
    expect(sg.memory().liveTensors).toBe(before);
  });

  it("console.log of a module shows its toString(), PyTorch's form", () => {
    const m = new sg.nn.Sequential(new sg.nn.Linear(3, 4), new sg.nn.ReLU());
    expect(inspect(m)).toBe(m.toString());
    expect(inspect(m)).toBe('Sequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)\n  (1): ReLU()\n)');
    sg.models.disposeModel(m);
  });
});
