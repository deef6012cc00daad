/**
 * Test helpers: seeded data (a JavaScript PRNG, independent of the library's), tolerant
 * comparison, pool poisoning, central differences, and `checkOp`, which checks one op forward
 * and backward against its float64 reference (see test/ref/).
 */
import { expect } from 'vitest';
import * as sg from '../src/index.js';
import { bucketSize } from '../src/gpu/pool.js';
import { type Nd, type RefOp, nd, size } from './ref/ndarray.js';

// ---- seeded data ----

/** mulberry32: a small, well-mixed 32-bit PRNG; returns numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = (seed * 0x9e3779b9 + 0x6d2b79f5) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds to float32, so that the GPU and the reference start from identical inputs. */
export const f32 = (x: ArrayLike<number>) => Float64Array.from(Float32Array.from(x as ArrayLike<number>));

/** Uniform values in [lo, hi), rounded to float32. */
export function randomNd(shape: number[], seed: number, lo = -1, hi = 1): Nd {
  const next = rng(seed);
  return nd(shape, f32(Array.from({ length: size(shape) }, () => lo + (hi - lo) * next())));
}

/** Values drawn from `levels` only, so that ties (and exact kinks) occur. */
export function levelsNd(shape: number[], seed: number, levels: number[]): Nd {
  const next = rng(seed);
  return nd(shape, f32(Array.from({ length: size(shape) }, () => levels[Math.floor(next() * levels.length)])));
}

/** Integers in [lo, hi]. */
export function intNd(shape: number[], seed: number, lo: number, hi: number): Nd {
  const next = rng(seed);
  return nd(
    shape,
    Array.from({ length: size(shape) }, () => lo + Math.floor(next() * (hi - lo + 1))),
  );
}

/** Moves values closer than `gap` to any of `points` away from them (for kinks and poles). */
export function awayFrom(x: Nd, points: number[], gap: number): Nd {
  return nd(
    x.shape,
    f32(
      x.data.map((v) => {
        for (const p of points) if (Math.abs(v - p) < gap) return p + (v < p ? -gap : gap);
        return v;
      }),
    ),
  );
}

export function toTensor(x: Nd, options: { requiresGrad?: boolean; dtype?: sg.DType } = {}): sg.Tensor {
  return sg.tensor(x.data, { shape: x.shape, ...options });
}

// ---- comparison ----

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/**
 * |got - want| <= atol + rtol |want| everywhere (rtol 1e-4, atol 1e-5 by default); NaN only
 * where the reference is NaN, infinities only where it has the same infinity.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol: Tolerance = {}): void {
  const { rtol = 1e-4, atol = 1e-5 } = tol;
  expect(got.length, `${what}: number of elements`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) expect.fail(`${what}: element ${i} is ${g}, expected NaN`);
    } else if (!Number.isFinite(w)) {
      if (g !== w) expect.fail(`${what}: element ${i} is ${g}, expected ${w}`);
    } else if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      expect.fail(
        `${what}: element ${i} is ${g}, expected ${w} (|diff| ${Math.abs(g - w)} > ${atol} + ${rtol} * |expected|)`,
      );
    }
  }
}

export async function expectTensorClose(t: sg.Tensor, want: Nd, what: string, tol: Tolerance = {}): Promise<void> {
  expect(t.shape, `${what}: shape`).toEqual(want.shape);
  expectClose(await t.data(), want.data, what, tol);
}

/** Exact equality of a tensor's values and shape with a reference (int32 results, masks). */
export async function expectTensorEqual(t: sg.Tensor, want: Nd, what: string): Promise<void> {
  expect(t.shape, `${what}: shape`).toEqual(want.shape);
  expect(Array.from(await t.data()), what).toEqual(Array.from(want.data));
}

// ---- poisoning ----

/**
 * Fills pooled buffers of every size bucket up to `maxBytes` with NaN and gives them back, so
 * the next kernels get poisoned buffers: an output element a kernel forgets to write reads as
 * NaN (and as a huge integer in int32 tensors) instead of a harmless 0 from a fresh buffer.
 * Buffers of a bucket are handed out last-in first-out, so several copies cover ops that
 * allocate a few tensors of one size.
 */
export function poisonPool(maxBytes = 1 << 18, copies = 6): void {
  const junk: sg.Tensor[] = [];
  for (let bytes = 16; bytes <= bucketSize(maxBytes); bytes = bucketSize(bytes + 1)) {
    for (let c = 0; c < (bytes <= 65536 ? copies : Math.ceil(copies / 2)); c++) junk.push(sg.full([bytes / 4], NaN));
  }
  for (const t of junk) t.dispose();
  sg.flush();
}

/** Poisons `copies` pooled buffers of exactly the bucket that holds `elements` 4-byte values. */
export function poisonSize(elements: number, copies = 3): void {
  const junk = Array.from({ length: copies }, () => sg.full([bucketSize(elements * 4) / 4], NaN));
  for (const t of junk) t.dispose();
  sg.flush();
}

// ---- finite differences ----

/** Which elements to differentiate numerically: all of a small input, a spread sample of a big one. */
export function sampleIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1))))];
}

/** float64 central differences of sum(f(inputs) * weights) with respect to input `k`, at `indices`. */
export function numericGrad(
  f: (...xs: Nd[]) => Nd,
  inputs: Nd[],
  k: number,
  weights: Nd,
  indices: number[],
  h = 1e-6,
): number[] {
  const loss = (xk: Float64Array) => {
    const out = f(...inputs.map((x, j) => (j === k ? { shape: x.shape, data: xk } : x)));
    return out.data.reduce((s, v, i) => s + v * weights.data[i], 0);
  };
  return indices.map((i) => {
    const plus = Float64Array.from(inputs[k].data);
    const minus = Float64Array.from(inputs[k].data);
    plus[i] += h;
    minus[i] -= h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
}

// ---- the op checker ----

export interface CheckOptions {
  /** Inputs that require grad and get their gradient checked (default: every float32 input). */
  differentiable?: number[];
  /** dtype of each input (default float32). */
  dtypes?: sg.DType[];
  /** Forward tolerance (default rtol 1e-4, atol 1e-5). */
  tol?: Tolerance;
  /** Tolerance of the GPU gradient against the reference gradient. */
  gradTol?: Tolerance;
  /**
   * Check the reference backward by central differences (default true). Off only where the
   * function is not differentiable at the test points (kinks, ties), which such tests pick on
   * purpose: there the reference states the convention (e.g. relu'(0) = 0).
   */
  fd?: boolean;
}

/**
 * Checks one op against its float64 reference:
 *   1. forward: the GPU output (into poisoned buffers) against `ref.forward`;
 *   2. the reference backward, for upstream gradient R (random, so every output element
 *      matters), against float64 central differences of sum(ref.forward(x) * R);
 *   3. the GPU backward of loss = sum(out * R) against the reference backward.
 */
export async function checkOp(
  what: string,
  inputs: Nd[],
  gpu: (...ts: sg.Tensor[]) => sg.Tensor,
  ref: RefOp,
  options: CheckOptions = {},
): Promise<void> {
  const dtypes = options.dtypes ?? inputs.map(() => 'float32' as const);
  const differentiable = options.differentiable ?? inputs.map((_, i) => i).filter((i) => dtypes[i] === 'float32');
  const want = ref.forward(...inputs);
  const bytes = 4 * Math.max(want.data.length, ...inputs.map((x) => x.data.length));
  poisonPool(bytes);
  const ts = inputs.map((x, i) => toTensor(x, { dtype: dtypes[i], requiresGrad: differentiable.includes(i) }));
  const out = gpu(...ts);
  const owned: sg.Tensor[] = [...ts, out];
  try {
    // The GPU stores float32: compare with the reference rounded to float32 (overflow to inf included).
    const stored = out.dtype === 'float32' ? nd(want.shape, f32(want.data)) : want;
    await expectTensorClose(out, stored, `${what}: forward`, options.tol);
    if (differentiable.length === 0) return;
    expect(out.requiresGrad, `${what}: output requires grad`).toBe(true);

    const r = randomNd(want.shape, 7 + want.data.length, -1.5, 1.5);
    const refGrads = ref.backward(r, ...inputs);
    if (options.fd ?? true) {
      // Scale the tolerance by the loss's magnitude: central differences lose eps * |loss| / h.
      const scale = want.data.reduce((s, v, i) => s + Math.abs(v * r.data[i]), 0);
      for (const k of differentiable) {
        const budget = Math.max(6, Math.min(64, Math.floor(3e5 / (want.data.length + inputs[k].data.length))));
        const indices = sampleIndices(inputs[k].data.length, budget);
        const numeric = numericGrad(ref.forward, inputs, k, r, indices);
        const analytic = indices.map((i) => refGrads[k]!.data[i]);
        expectClose(analytic, numeric, `${what}: reference gradient of input ${k} vs central differences`, {
          rtol: 1e-5,
          atol: 1e-7 + 1e-8 * scale,
        });
      }
    }

    poisonPool(bytes);
    const rt = toTensor(r);
    const loss = out.mul(rt).sum();
    owned.push(rt, loss);
    loss.backward();
    for (const [k, t] of ts.entries()) {
      if (!differentiable.includes(k)) {
        expect(t.grad, `${what}: input ${k} does not require grad but got one`).toBeNull();
        continue;
      }
      expect(t.grad, `${what}: input ${k} has no gradient`).not.toBeNull();
      owned.push(t.grad!);
      await expectTensorClose(t.grad!, refGrads[k]!, `${what}: gradient of input ${k}`, options.gradTol);
    }
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** Runs `fn` and returns how many live tensors it left behind (for leak and no-GPU-work checks). */
export function liveTensorsAfter(fn: () => void): number {
  const before = sg.memory().liveTensors;
  fn();
  return sg.memory().liveTensors - before;
}
