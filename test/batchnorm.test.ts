// Batch norm against real PyTorch (test/fixtures/nn.json): training forward and backward,
// running statistics and num_batches_tracked, evaluation forward; gradients also checked by
// central differences of a float64 reference.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'nn.json'), 'utf8')).batchnorm;

beforeAll(async () => {
  await sg.init();
});

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-4): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i]))))
      expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** float64 training-mode batch norm: per channel over (n, s). */
function bnRef(x: Float64Array, shape: number[], w: number[], b: number[], eps = 1e-5): Float64Array {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((a, v) => a * v, 1);
  const y = new Float64Array(x.length);
  for (let ch = 0; ch < c; ch++) {
    let mean = 0;
    for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) mean += x[(a * c + ch) * s + k];
    mean /= n * s;
    let v = 0;
    for (let a = 0; a < n; a++) for (let k = 0; k < s; k++) v += (x[(a * c + ch) * s + k] - mean) ** 2;
    v /= n * s;
    for (let a = 0; a < n; a++)
      for (let k = 0; k < s; k++)
        y[(a * c + ch) * s + k] = ((x[(a * c + ch) * s + k] - mean) / Math.sqrt(v + eps)) * w[ch] + b[ch];
  }
  return y;
}

describe('batch norm', () => {
  for (const [name, f] of Object.entries(fixture) as Array<[string, Record<string, any>]>) {
    it(`${name} ${JSON.stringify(f.shape)}: matches PyTorch in training and evaluation`, async () => {
      const c = f.shape[1];
      const layer =
        f.shape.length === 4
          ? new sg.nn.BatchNorm2d(c, { momentum: 0.2 })
          : new sg.nn.BatchNorm1d(c, { momentum: 0.2 });
      expect(layer.toString()).toBe(f.repr);
      const lin = (a: number, b: number) =>
        Array.from({ length: c }, (_, i) => Math.fround(a + ((b - a) * i) / (c - 1)));
      layer.weight!.copy_(sg.tensor(lin(0.5, 1.5)));
      layer.bias!.copy_(sg.tensor(lin(-0.2, 0.3)));
      layer.running_mean.copy_(sg.tensor(lin(0.1, 0.2)));
      layer.running_var.copy_(sg.tensor(lin(0.9, 1.1)));
      const x = sg.tensor(f.x, { shape: f.shape, requiresGrad: true });
      const y = layer.forward(x);
      close(await y.data(), f.y, 'training forward');
      y.mul(sg.tensor(f.r, { shape: f.shape }))
        .sum()
        .backward();
      close(await x.grad!.data(), f.dx, 'dx');
      close(await layer.weight!.grad!.data(), f.dweight, 'dweight');
      close(await layer.bias!.grad!.data(), f.dbias, 'dbias');
      close(await layer.running_mean.data(), f.running_mean, 'running_mean');
      close(await layer.running_var.data(), f.running_var, 'running_var');
      expect(await layer.num_batches_tracked.item()).toBe(f.num_batches_tracked);
      layer.eval();
      close(await layer.forward(sg.tensor(f.x_eval, { shape: f.shape })).data(), f.y_eval, 'eval forward');
      expect([...layer.stateDict().keys()]).toEqual([
        'weight',
        'bias',
        'running_mean',
        'running_var',
        'num_batches_tracked',
      ]);
    });
  }

  it('training gradient agrees with central differences of the float64 reference', async () => {
    const shape = [3, 2, 4];
    const x = Float64Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 2));
    const r = Float64Array.from({ length: 24 }, (_, i) => Math.fround(0.5 + ((i * 7) % 11) / 11));
    const w = [1.3, 0.7];
    const b = [0.1, -0.2];
    const layer = new sg.nn.BatchNorm1d(2);
    layer.weight!.copy_(sg.tensor(w));
    layer.bias!.copy_(sg.tensor(b));
    const tx = sg.tensor(x, { shape, requiresGrad: true });
    layer.forward(tx).mul(sg.tensor(r, { shape })).sum().backward();
    const got = await tx.grad!.data();
    const loss = (xx: Float64Array) => bnRef(xx, shape, w, b).reduce((s, v, i) => s + v * r[i], 0);
    for (let i = 0; i < x.length; i++) {
      const h = 1e-6;
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      plus[i] += h;
      minus[i] -= h;
      const want = (loss(plus) - loss(minus)) / (2 * h);
      expect(Math.abs(got[i] - want)).toBeLessThan(1e-4 * (1 + Math.abs(want)));
    }
  });

  it('bad input names the layer and the shape', () => {
    expect(() => new sg.nn.BatchNorm2d(3).forward(sg.zeros([2, 3, 4]))).toThrow(
      'BatchNorm2d: expected 4D input (got 3D input of shape [2, 3, 4])',
    );
    expect(() => new sg.nn.BatchNorm2d(3).forward(sg.zeros([2, 4, 5, 5]))).toThrow(
      /weight of shape \[3\] does not match 4 channels of input \[2, 4, 5, 5\]/,
    );
    expect(() => new sg.nn.BatchNorm1d(3).forward(sg.zeros([1, 3]))).toThrow(/more than 1 value per channel/);
  });
});
