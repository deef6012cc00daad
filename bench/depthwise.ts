/**
 * Depthwise convolution benchmarks: forward, dx and dW of the depthwise kernels
 * (shaders/depthwise_conv2d/) on the shapes of MobileNet/EfficientNet (8x144x56x56, 3x3 and 5x5,
 * stride 1 and 2) and ConvNeXt (8x96x56x56, 7x7, pad 3), in GB/s of compulsory traffic and as a
 * share of the adapter's vec4 copy probe, beside conv2d's general implicit-GEMM path on the same
 * shapes, timed round-robin in the same run. Napkin math (float32, weights negligible):
 *   forward reads x and writes y; dx reads dy and writes dx; dW reads x and dy.
 * The general path's dx and dW are timed through autograd: T(forward + backward) - T(forward)
 * - T(copy of dy) (backward copies the gradient it is given).
 *
 *   BENCH_ONLY=depthwise npm run bench        just this table (after the copy probe)
 */
import * as sg from '../src/index.js';
import { synchronize } from '../src/gpu/commands.js';
import { convOutputSize } from '../src/ops/conv.js';
import { depthwiseForward, depthwiseInputGrad, depthwiseWeightGrad, setDepthwiseFastPath, type DepthwiseGeometry } from '../src/ops/depthwise_conv.js';
import { fixed, median, printTable } from './timing.js';

/** Median seconds of each work, timed round-robin after one warm-up round (ratios hold when the machine drifts). */
async function timeRoundRobin(works: Array<() => void>, runs: number): Promise<number[]> {
  const times = works.map(() => [] as number[]);
  for (let i = 0; i <= runs; i++) {
    for (const [k, work] of works.entries()) {
      await synchronize();
      const start = performance.now();
      sg.tidy(work);
      await synchronize();
      if (i > 0) times[k].push((performance.now() - start) / 1000);
    }
  }
  return times.map(median);
}

interface Shape { name: string; n: number; c: number; hw: number; k: number; stride: number }

const SHAPES: Shape[] = [
  { name: '3x3 stride 1 (MobileNet v2, EfficientNet)', n: 8, c: 144, hw: 56, k: 3, stride: 1 },
  { name: '3x3 stride 2', n: 8, c: 144, hw: 56, k: 3, stride: 2 },
  { name: '5x5 stride 1 (EfficientNet, MobileNet v3)', n: 8, c: 144, hw: 56, k: 5, stride: 1 },
  { name: '5x5 stride 2', n: 8, c: 144, hw: 56, k: 5, stride: 2 },
  { name: '7x7 pad 3 (ConvNeXt)', n: 8, c: 96, hw: 56, k: 7, stride: 1 },
];

function geometry(s: Shape): DepthwiseGeometry {
  const pad = (s.k - 1) / 2;
  const o = convOutputSize(s.hw, s.k, s.stride, pad, 1);
  return { n: s.n, c: s.c, h: s.hw, w: s.hw, cout: s.c, oh: o, ow: o, kh: s.k, kw: s.k, stride: [s.stride, s.stride], pad: [pad, pad], dil: [1, 1] };
}

/** Rows of the table for one shape: forward, dx, dW. */
async function benchShape(s: Shape, copyGBps: number, runs: number): Promise<string[][]> {
  const g = geometry(s);
  const options = { stride: s.stride, padding: g.pad[0], groups: s.c };
  const x = sg.uniform([g.n, g.c, g.h, g.w], -1, 1);
  const w = sg.uniform([g.cout, 1, g.kh, g.kw], -0.3, 0.3);
  const dy = sg.uniform([g.n, g.cout, g.oh, g.ow], -1, 1);
  const xg = sg.uniform([g.n, g.c, g.h, g.w], -1, 1, { requiresGrad: true });
  const wg = sg.uniform([g.cout, 1, g.kh, g.kw], -0.3, 0.3, { requiresGrad: true });
  const general = (work: () => void) => () => {
    setDepthwiseFastPath(false);
    try { work(); } finally { setDepthwiseFastPath(true); }
  };
  const backwardTo = (leaf: sg.Tensor, xs: sg.Tensor, ws: sg.Tensor) => () => {
    sg.conv2d(xs, ws, null, options).backward(dy);
    leaf.grad?.dispose();
    leaf.grad = null;
  };
  const [fwd, dx, dw, oldFwd, oldFwdDx, oldFwdDw, copyDy] = await timeRoundRobin([
    () => void depthwiseForward(x, w, null, g),
    () => void depthwiseInputGrad(dy, w, g),
    () => void depthwiseWeightGrad(x, dy, g),
    general(() => void sg.conv2d(x, w, null, options)),
    general(backwardTo(xg, xg, w)),
    general(backwardTo(wg, x, wg)),
    () => void sg.clone(dy),
  ], runs);
  for (const t of [x, w, dy, xg, wg]) t.dispose();
  const [xBytes, yBytes] = [4 * g.n * g.c * g.h * g.w, 4 * g.n * g.cout * g.oh * g.ow];
  const row = (pass: string, bytes: number, ours: number, old: number) => {
    const gbps = bytes / ours / 1e9;
    return [`${s.name}: ${pass}`, fixed(bytes / 2 ** 20), fixed(ours * 1000, 2), fixed(gbps, 2), `${fixed((100 * gbps) / copyGBps, 0)}%`, fixed(old * 1000), `${fixed(old / ours)}x`];
  };
  return [
    row('forward', xBytes + yBytes, fwd, oldFwd),
    row('dx', xBytes + yBytes, dx, oldFwdDx - oldFwd - copyDy),
    row('dW', xBytes + yBytes, dw, oldFwdDw - oldFwd - copyDy),
  ];
}

/** Prints the depthwise table; `copyGBps` is the vec4 copy probe of the same run. */
export async function benchDepthwise(copyGBps: number, runs: number): Promise<void> {
  const rows: string[][] = [];
  for (const s of SHAPES) rows.push(...(await benchShape(s, copyGBps, runs)));
  printTable(`depthwise conv2d, batch 8, 56x56 (pad k/2), bytes read + written; copy probe ${fixed(copyGBps, 2)} GB/s`,
    ['shape: pass', 'MiB moved', 'ms', 'GB/s', '% of copy', 'general path ms', 'speedup'], rows);
}
