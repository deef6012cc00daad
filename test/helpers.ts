/**
 * Test helpers: seeded data, tolerant comparison, pool poisoning, and the gradient checker that
 * compares a GPU op's backward with central differences of its float64 reference.
 */
import { expect } from 'vitest';
import * as sg from '../src/index.js';
import { type Nd, size } from './ref/ndarray.js';

/** Deterministic values in [lo, hi) from a small LCG (independent of the library's RNG). */
export function values(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = (seed * 2654435761) >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (s / 2 ** 32);
  });
}

/** Rounds to float32 so the GPU and the reference start from identical inputs. */
export const f32 = (x: ArrayLike<number>) => Float64Array.from(Float32Array.from(x as ArrayLike<number>));

export function randomNd(shape: number[], seed: number, lo = -1, hi = 1): Nd {
  return { shape, data: f32(values(size(shape), seed, lo, hi)) };
}

export const toTensor = (x: Nd, requiresGrad = false) => sg.tensor(x.data, { shape: x.shape, requiresGrad });

/** |got - want| <= atol + rtol |want| everywhere; NaN only where the reference is NaN. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) expect.fail(`${what}: element ${i} is ${g}, expected NaN`);
      continue;
    }
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w)) && g !== w) {
      expect.fail(`${what}: element ${i} is ${g}, expected ${w}`);
    }
  }
}

export async function expectTensorClose(t: sg.Tensor, want: Nd, what: string, rtol = 1e-4, atol = 1e-5): Promise<void> {
  expect(t.shape, `${what}: shape`).toEqual(want.shape);
  expectClose(await t.data(), want.data, what, rtol, atol);
}

/**
 * Fills pooled buffers of many sizes with NaN and releases them, so that the next kernels get
 * poisoned buffers: an output element a kernel forgets to write shows up as NaN.
 */
export function poisonPool(): void {
  const junk = [1, 4, 16, 64, 300, 1024, 5000, 20000, 70000].map((n) => sg.full([n], NaN));
  for (const t of junk) t.dispose();
  sg.flush();
}

/** Which elements to differentiate numerically: all of a small input, a spread sample of a big one. */
export function sampleIndices(n: number, max = 48): number[] {
  if (n <= max * 4) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * (n - 1)) / (max - 1)));
}

/**
 * float64 central differences of sum(f(inputs) * weights) with respect to input `k`, at the
 * elements `indices` (NaN elsewhere).
 */
export function numericGrad(f: (...xs: Nd[]) => Nd, inputs: Nd[], k: number, weights: Float64Array, indices: number[], h = 1e-6): Float64Array {
  const grad = new Float64Array(inputs[k].data.length).fill(NaN);
  const loss = (xs: Nd[]) => f(...xs).data.reduce((s, v, i) => s + v * weights[i], 0);
  for (const i of indices) {
    const plus = inputs.map((x, j) => (j === k ? { shape: x.shape, data: Float64Array.from(x.data) } : x));
    const minus = inputs.map((x, j) => (j === k ? { shape: x.shape, data: Float64Array.from(x.data) } : x));
    plus[k].data[i] += h;
    minus[k].data[i] -= h;
    grad[i] = (loss(plus) - loss(minus)) / (2 * h);
  }
  return grad;
}

/**
 * Checks an op forward and backward: the GPU output against the float64 reference, and the GPU
 * gradient of sum(out * R) (R random, so every output element matters) against central
 * differences of the reference, for every input in `differentiable`.
 */
export async function checkOp(
  what: string,
  inputs: Nd[],
  gpu: (...ts: sg.Tensor[]) => sg.Tensor,
  ref: (...xs: Nd[]) => Nd,
  options: { differentiable?: number[]; rtol?: number; atol?: number; gradRtol?: number; gradAtol?: number } = {},
): Promise<void> {
  const differentiable = options.differentiable ?? inputs.map((_, i) => i);
  const want = ref(...inputs);
  poisonPool();
  const ts = inputs.map((x, i) => toTensor(x, differentiable.includes(i)));
  const out = gpu(...ts);
  await expectTensorClose(out, want, `${what} forward`, options.rtol, options.atol);
  if (differentiable.length === 0) return;
  const r = f32(values(want.data.length, 99, 0.5, 1.5));
  poisonPool();
  out.mul(sg.tensor(r, { shape: want.shape })).sum().backward();
  for (const k of differentiable) {
    const indices = sampleIndices(inputs[k].data.length);
    const expected = numericGrad(ref, inputs, k, r, indices);
    expect(ts[k].grad, `${what}: input ${k} has no gradient`).not.toBeNull();
    expect(ts[k].grad!.shape).toEqual(inputs[k].shape);
    const got = await ts[k].grad!.data();
    expect(got.some((v) => Number.isNaN(v)), `${what}: gradient of input ${k} has unwritten (NaN) elements`).toBe(false);
    const pick = (xs: ArrayLike<number>) => indices.map((i) => xs[i]);
    expectClose(pick(got), pick(expected), `${what} gradient of input ${k}`, options.gradRtol ?? 1e-4, options.gradAtol ?? 1e-5);
  }
}
