// CNN ops (conv2d, pooling, softmax, losses, dropout) against float64 references written as
// the textbook definitions (test/ref/cnn.ts), with odd sizes, strides 1 and 2, padding 0..2,
// dilation 2, groups 2, ceil mode; gradients by central differences of the references.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { setMaxPoolPlanes } from '../src/ops/pool.js';
import {
  adaptiveAvgPoolRef,
  avgPoolRef,
  conv2dRef,
  crossEntropyRef,
  logSoftmaxRef,
  maxPoolRef,
  type Arr,
} from './ref/cnn.js';

beforeAll(async () => {
  await sg.init();
});

function values(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = (seed * 2654435761) >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround(lo + (hi - lo) * (s / 2 ** 32));
  }
  return out;
}

const arr = (shape: number[], seed: number, lo = -1, hi = 1): Arr => ({
  shape,
  data: values(
    shape.reduce((a, b) => a * b, 1),
    seed,
    lo,
    hi,
  ),
});
const gpu = (a: Arr, requiresGrad = false) => sg.tensor(a.data, { shape: a.shape, requiresGrad });

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i])))
      expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** Poisoned pool: released NaN buffers, so unwritten outputs show. */
function poison(): void {
  for (const n of [16, 256, 1024, 4096, 16384, 65536]) sg.full([n], NaN).dispose();
  sg.flush();
}

/**
 * Checks the GPU gradient of sum(f(inputs) * R) against central differences of the float64
 * reference, at up to 40 spread-out elements of each input.
 */
async function checkGrads(
  what: string,
  inputs: Arr[],
  f: (...ts: sg.Tensor[]) => sg.Tensor,
  ref: (...xs: Arr[]) => Arr,
  which: number[],
): Promise<void> {
  const ts = inputs.map((a, i) => gpu(a, which.includes(i)));
  const out = f(...ts);
  const r = values(out.size, 77, 0.5, 1.5);
  poison();
  out
    .mul(sg.tensor(r, { shape: out.shape }))
    .sum()
    .backward();
  for (const k of which) {
    const got = await ts[k].grad!.data();
    const n = inputs[k].data.length;
    const picks = n <= 40 ? [...Array(n).keys()] : Array.from({ length: 40 }, (_, i) => Math.floor((i * (n - 1)) / 39));
    for (const i of picks) {
      const h = 1e-6;
      const shifted = (delta: number) =>
        inputs.map((a, j) => (j === k ? { shape: a.shape, data: a.data.map((v, q) => (q === i ? v + delta : v)) } : a));
      const loss = (xs: Arr[]) => ref(...xs).data.reduce((s, v, q) => s + v * r[q], 0);
      const want = (loss(shifted(h)) - loss(shifted(-h))) / (2 * h);
      if (!(Math.abs(got[i] - want) <= 1e-4 + 1e-3 * Math.abs(want)))
        expect.fail(`${what}: d/d input ${k}[${i}] is ${got[i]}, expected ${want}`);
    }
  }
}

describe('conv2d', () => {
  const cases: Array<{
    x: number[];
    w: number[];
    stride: [number, number];
    padding: [number, number];
    dilation: [number, number];
    groups: number;
    bias: boolean;
  }> = [
    { x: [2, 3, 7, 7], w: [4, 3, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true },
    { x: [1, 2, 9, 8], w: [5, 2, 3, 3], stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true },
    { x: [2, 4, 8, 9], w: [6, 2, 3, 2], stride: [1, 2], padding: [2, 1], dilation: [1, 1], groups: 2, bias: false },
    { x: [1, 3, 11, 10], w: [2, 3, 3, 3], stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 1, bias: true },
    { x: [3, 1, 5, 5], w: [7, 1, 5, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true },
    { x: [1, 8, 6, 6], w: [8, 1, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 8, bias: true },
  ];
  for (const cs of cases) {
    const name = `x ${cs.x} w ${cs.w} stride ${cs.stride} pad ${cs.padding} dil ${cs.dilation} groups ${cs.groups}`;
    it(`forward and gradients: ${name}`, async () => {
      const x = arr(cs.x, 1);
      const w = arr(cs.w, 2);
      const b = arr([cs.w[0]], 3);
      const o = { stride: cs.stride, padding: cs.padding, dilation: cs.dilation, groups: cs.groups };
      const ref = (xx: Arr, ww: Arr, bb?: Arr) => conv2dRef(xx, ww, cs.bias ? bb! : null, o);
      poison();
      const out = sg.conv2d(gpu(x), gpu(w), cs.bias ? gpu(b) : null, o);
      const want = ref(x, w, b);
      expect(out.shape).toEqual(want.shape);
      close(await out.data(), want.data, 'forward');
      const inputs = cs.bias ? [x, w, b] : [x, w];
      await checkGrads(
        name,
        inputs,
        (xx, ww, bb) => sg.conv2d(xx, ww, bb ?? null, o),
        ref,
        cs.bias ? [0, 1, 2] : [0, 1],
      );
    });
  }

  it('names the layer and both shapes on a channel mismatch or a 3-D input', () => {
    expect(() => sg.conv2d(sg.zeros([1, 1, 5, 5]), sg.zeros([4, 3, 3, 3]))).toThrow(
      'conv2d: given groups=1, weight of size [4, 3, 3, 3], expected input [1, 1, 5, 5] to have 3 channels, but got 1 channels instead',
    );
    expect(() => sg.conv2d(sg.zeros([3, 5, 5]), sg.zeros([4, 3, 3, 3]))).toThrow(
      /conv2d: expected a 4-D input \[N, C, H, W\], got shape \[3, 5, 5\]/,
    );
    expect(() => sg.conv2d(sg.zeros([1, 3, 2, 2]), sg.zeros([4, 3, 3, 3]))).toThrow(/smaller than the kernel/);
  });
});

describe('pooling', () => {
  // Version 02 (output position from the grid) and version 01 (divided out of a flat index).
  for (const planes of [true, false])
    it(`maxPool2d forward and gradient (strides, padding, dilation, ceil mode), version ${planes ? '02 and 03' : '01'}`, async () => {
      setMaxPoolPlanes(planes);
      const cases: Array<[number[], [number, number], [number, number], [number, number], [number, number], boolean]> =
        [
          [[2, 3, 8, 8], [2, 2], [2, 2], [0, 0], [1, 1], false],
          [[1, 2, 5, 261], [3, 3], [2, 2], [1, 1], [1, 1], false],
          [[2, 1, 4, 130], [2, 2], [2, 2], [0, 0], [1, 1], false],
          [[1, 2, 7, 12], [2, 2], [2, 2], [0, 0], [1, 1], true],
          [[3, 2, 6, 260], [2, 2], [2, 2], [0, 0], [1, 1], false],
          [[1, 2, 7, 9], [3, 3], [2, 2], [1, 1], [1, 1], false],
          [[1, 2, 7, 9], [3, 3], [2, 2], [1, 1], [1, 1], true],
          [[1, 1, 10, 11], [3, 2], [1, 2], [1, 0], [2, 2], false],
          [[2, 2, 5, 5], [2, 2], [2, 2], [0, 0], [1, 1], true],
          [[1, 3, 13, 13], [3, 3], [2, 2], [0, 0], [1, 1], true],
        ];
      for (const [shape, k, s, p, d, ceil] of cases) {
        const x = arr(shape, 10); // distinct random values: no ties
        const ref = (xx: Arr) => maxPoolRef(xx, k, s, p, d, ceil);
        poison();
        const out = sg.maxPool2d(gpu(x), k, { stride: s, padding: p, dilation: d, ceilMode: ceil });
        const want = ref(x);
        expect(out.shape).toEqual(want.shape);
        close(await out.data(), want.data, `maxpool ${shape} k${k} s${s} p${p} d${d} ceil ${ceil}`);
        await checkGrads(
          `maxpool ${shape}`,
          [x],
          (t) => sg.maxPool2d(t, k, { stride: s, padding: p, dilation: d, ceilMode: ceil }),
          ref,
          [0],
        );
      }
      setMaxPoolPlanes(true);
    });

  it('maxPool2d versions 01, 02 and 03 agree bit for bit on NaN windows and ties, values and indices', async () => {
    const v = [NaN, 1, 1, 2, 0, -0, 3, NaN, 5, 5, 5, 5, -1, -2, NaN, NaN];
    const x = sg.tensor([...v, ...v.map((e) => -e), ...v.reverse()], { shape: [1, 3, 4, 4] });
    const run = async (planes: boolean, k: number, stride: number) => {
      setMaxPoolPlanes(planes);
      const xg = x.detach().requiresGrad_();
      let y: sg.Tensor | null = null;
      const p = await sg.profile(() => void (y = sg.keep(sg.maxPool2d(xg, k, { stride }))), {
        timing: 'sync',
        peaks: false,
      });
      y!.backward(sg.onesLike(y!));
      const bits = Array.from(new Uint32Array(((await y!.data()) as Float32Array).slice().buffer));
      const out = { kernels: p.launches.map((l) => l.kernel), bits, grad: await xg.grad!.toArray() };
      y!.dispose();
      xg.grad!.dispose();
      return out;
    };
    for (const [k, stride, kernel] of [
      [2, 1, 'maxpool2d_02_planes'],
      [2, 2, 'maxpool2d_03_vec4_2x2'],
    ] as const) {
      const [fast, v1] = [await run(true, k, stride), await run(false, k, stride)];
      expect(fast.kernels).toEqual([kernel]);
      expect(v1.kernels).toEqual(['maxpool2d_forward']);
      expect(fast.bits).toEqual(v1.bits);
      expect(fast.grad).toEqual(v1.grad);
    }
    setMaxPoolPlanes(true);
    x.dispose();
  });

  it('avgPool2d forward and gradient (countIncludePad, ceil mode)', async () => {
    for (const [shape, k, s, p, ceil, cip] of [
      [[2, 3, 8, 8], [2, 2], [2, 2], [0, 0], false, true],
      [[1, 2, 7, 9], [3, 3], [2, 2], [1, 1], false, true],
      [[1, 2, 7, 9], [3, 3], [2, 2], [1, 1], true, false],
      [[1, 1, 6, 7], [3, 2], [2, 1], [1, 1], true, true],
    ] as Array<[number[], [number, number], [number, number], [number, number], boolean, boolean]>) {
      const x = arr(shape, 20);
      const ref = (xx: Arr) => avgPoolRef(xx, k, s, p, ceil, cip);
      const out = sg.avgPool2d(gpu(x), k, { stride: s, padding: p, ceilMode: ceil, countIncludePad: cip });
      const want = ref(x);
      expect(out.shape).toEqual(want.shape);
      close(await out.data(), want.data, `avgpool ${shape} k${k} s${s} p${p} ceil ${ceil} cip ${cip}`);
      await checkGrads(
        `avgpool ${shape}`,
        [x],
        (t) => sg.avgPool2d(t, k, { stride: s, padding: p, ceilMode: ceil, countIncludePad: cip }),
        ref,
        [0],
      );
    }
  });

  it('adaptiveAvgPool2d, including outputs larger than the input (1x1 -> 7x7)', async () => {
    for (const [shape, oh, ow] of [
      [[2, 3, 7, 7], 3, 3],
      [[1, 2, 10, 9], 4, 5],
      [[1, 2, 1, 1], 7, 7],
      [[1, 1, 2, 3], 7, 7],
      [[2, 2, 6, 6], 1, 1],
    ] as Array<[number[], number, number]>) {
      const x = arr(shape, 30);
      const ref = (xx: Arr) => adaptiveAvgPoolRef(xx, oh, ow);
      const out = sg.adaptiveAvgPool2d(gpu(x), [oh, ow]);
      const want = ref(x);
      expect(out.shape).toEqual(want.shape);
      close(await out.data(), want.data, `adaptive ${shape} -> ${oh}x${ow}`);
      await checkGrads(`adaptive ${shape}`, [x], (t) => sg.adaptiveAvgPool2d(t, [oh, ow]), ref, [0]);
    }
  });

  it('a 3-D input is an error naming the shape', () => {
    expect(() => sg.maxPool2d(sg.zeros([3, 8, 8]), 2)).toThrow(
      /max_pool2d: expected a 4-D input \[N, C, H, W\], got shape \[3, 8, 8\]/,
    );
  });
});

describe('softmax and losses', () => {
  it('softmax and logSoftmax along any dim, with gradients', async () => {
    for (const [shape, dim] of [
      [[4, 7], 1],
      [[3, 5, 2], 1],
      [[6], 0],
      [[2, 3, 4], -1],
    ] as Array<[number[], number]>) {
      const x = arr(shape, 40, -3, 3);
      const lsm = (xx: Arr) => logSoftmaxRef(xx, dim);
      const sm = (xx: Arr) => ({ shape: xx.shape, data: lsm(xx).data.map(Math.exp) });
      close(await sg.logSoftmax(gpu(x), dim).data(), lsm(x).data, 'log_softmax');
      close(await sg.softmax(gpu(x), dim).data(), sm(x).data, 'softmax');
      await checkGrads('log_softmax', [x], (t) => sg.logSoftmax(t, dim), lsm, [0]);
      await checkGrads('softmax', [x], (t) => sg.softmax(t, dim), sm, [0]);
    }
    // Stable for large logits.
    const big = await sg.logSoftmax(sg.tensor([[1000, 0]]), 1).data();
    close(big, [0, -1000], 'large logits');
  });

  it('crossEntropy with ignoreIndex and labelSmoothing, forward and gradient', async () => {
    for (const [shape, targets, ignore, eps] of [
      [[4, 5], [0, 3, 4, 1], -100, 0],
      [[4, 5], [0, 3, -100, 1], -100, 0],
      [[3, 6], [5, 0, 2], 2, 0.1],
      [[2, 3, 2, 2], [0, 1, 2, 2, 1, 0, 0, 1], -100, 0.2],
    ] as Array<[number[], number[], number, number]>) {
      const x = arr(shape, 50, -2, 2);
      const t = sg.tensor(targets, { dtype: 'int32', shape: [shape[0], ...shape.slice(2)] });
      const ref = (xx: Arr): Arr => ({ shape: [], data: Float64Array.of(crossEntropyRef(xx, targets, ignore, eps)) });
      const loss = sg.crossEntropy(gpu(x), t, { ignoreIndex: ignore, labelSmoothing: eps });
      close(await loss.data(), ref(x).data, `cross entropy ${shape}`);
      await checkGrads(
        `cross entropy ${shape}`,
        [x],
        (xx) => sg.crossEntropy(xx, t, { ignoreIndex: ignore, labelSmoothing: eps }),
        ref,
        [0],
      );
    }
  });

  it('crossEntropy reductions sum and none', async () => {
    const x = arr([3, 4], 60);
    const t = sg.tensor([1, 0, 3], { dtype: 'int32' });
    const none = await sg.crossEntropy(gpu(x), t, { reduction: 'none' }).data();
    const mean = await sg.crossEntropy(gpu(x), t).item();
    const total = await sg.crossEntropy(gpu(x), t, { reduction: 'sum' }).item();
    expect(none.length).toBe(3);
    close([total], [none[0] + none[1] + none[2]], 'sum');
    close([mean], [total / 3], 'mean');
  });

  it('crossEntropy rejects labels out of range before any GPU work, naming the shapes', () => {
    const logits = sg.zeros([2, 3]);
    expect(() => sg.crossEntropy(logits, sg.tensor([0, 3], { dtype: 'int32' }))).toThrow(
      'cross_entropy: target values must be in [0, 2] for logits [2, 3], got values from 0 to 3 (target [2])',
    );
    expect(() => sg.crossEntropy(logits, sg.tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(
      /target shape \[3\] does not match logits \[2, 3\]/,
    );
    expect(() => sg.crossEntropy(logits, sg.tensor([0, 1]))).toThrow(/expected a int32 tensor/);
  });

  it('mseLoss, l1Loss, binaryCrossEntropyWithLogits', async () => {
    const a = arr([3, 4], 70, -3, 3);
    const b = arr([3, 4], 71, 0, 1);
    const mean = (xs: Float64Array) => xs.reduce((s, v) => s + v, 0) / xs.length;
    close([await sg.mseLoss(gpu(a), gpu(b)).item()], [mean(a.data.map((v, i) => (v - b.data[i]) ** 2))], 'mse');
    close([await sg.l1Loss(gpu(a), gpu(b)).item()], [mean(a.data.map((v, i) => Math.abs(v - b.data[i])))], 'l1');
    const bce = (z: number, y: number) =>
      -(y * Math.log(1 / (1 + Math.exp(-z))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-z))));
    close(
      [await sg.binaryCrossEntropyWithLogits(gpu(a), gpu(b)).item()],
      [mean(a.data.map((v, i) => bce(v, b.data[i])))],
      'bce',
    );
    const ref = (x: Arr, y: Arr): Arr => ({
      shape: [],
      data: Float64Array.of(mean(x.data.map((v, i) => bce(v, y.data[i])))),
    });
    await checkGrads('bce', [a, b], (x, y) => sg.binaryCrossEntropyWithLogits(x, y), ref, [0, 1]);
  });
});

describe('dropout', () => {
  it('zeroes about p of the elements, scales the rest by 1/(1-p), identity in eval', async () => {
    sg.manualSeed(3);
    const x = sg.ones([20000], { requiresGrad: true });
    const y = sg.dropout(x, 0.3, true);
    const v = await y.data();
    const kept = v.filter((e) => e !== 0);
    expect(Math.abs(kept.length / v.length - 0.7)).toBeLessThan(0.02);
    close(kept.slice(0, 10), new Array(10).fill(1 / 0.7), 'scale');
    y.sum().backward();
    const g = await x.grad!.data();
    expect(Array.from(g).every((e, i) => e === v[i])).toBe(true); // d/dx = mask
    expect(await sg.dropout(sg.tensor([1, 2]), 0.5, false).toArray()).toEqual([1, 2]);
    sg.manualSeed(3);
    const again = await sg.dropout(sg.ones([20000]), 0.3, true).data();
    expect(Array.from(again)).toEqual(Array.from(v));
  });
});
