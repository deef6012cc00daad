/**
 * Depthwise convolution benchmarks: forward, dx and dW of the depthwise kernels
 * (shaders/depthwise_conv2d/, every version) on the shapes of MobileNet/EfficientNet
 * (8x144x56x56, 3x3 and 5x5, stride 1 and 2) and ConvNeXt (8x96x56x56, 7x7, pad 3), in GB/s of
 * compulsory traffic and as a share of the adapter's vec4 copy probe (a copy of x, timed in the
 * same round-robin), beside conv2d's general implicit-GEMM path on the same shapes; then a ResNeXt
 * grouped convolution (32 groups of 4 channels, general path) beside a dense layer. Everything
 * of one shape is timed round-robin, so machine drift hits all alike. Napkin math (float32,
 * weights negligible): forward reads x and writes y; dx reads dy and writes dx; dW reads x and dy.
 * The general path's dx and dW are timed through autograd: T(forward + backward) - T(forward)
 * - T(copy of dy) (backward copies the gradient it is given).
 *
 *   BENCH_ONLY=depthwise npm run bench        this section only (after the copy probe)
 *   DEPTHWISE_SHAPES=3x3 ...                  only the shapes whose name starts so (no grouped table)
 */
import * as sg from '../src/index.js';
import { synchronize } from '../src/gpu/commands.js';
import { convOutputSize } from '../src/ops/conv.js';
import {
  DEPTHWISE_VERSIONS,
  depthwiseForward,
  depthwiseInputGrad,
  depthwiseVersion,
  depthwiseWeightGrad,
  setDepthwiseFastPath,
  setDepthwiseVersion,
  type DepthwiseGeometry,
  type DepthwisePass,
} from '../src/ops/depthwise_conv.js';
import { copyProbe } from './probes.js';
import { fixed, median, printTable } from './timing.js';

interface Work {
  run: () => void;
  runs: number;
}

/**
 * Median seconds of each work, timed round-robin: one untimed warm-up round, then `runs` rounds,
 * each starting one place further along the list (no work always follows the same one), and an
 * untimed scrub before every timed run so that each starts with the same cold cache (the 32 MiB
 * L3 held whatever the work before it had touched: the first version after the copy probe read
 * 15-25 points slower than the rest).
 */
async function timeRoundRobin(works: Work[], scrub: () => void): Promise<number[]> {
  const times = works.map(() => [] as number[]);
  const rounds = Math.max(...works.map((w) => w.runs));
  for (let i = 0; i <= rounds; i++) {
    for (let j = 0; j < works.length; j++) {
      const k = (i + j) % works.length;
      if (i > works[k].runs) continue;
      scrub();
      await synchronize();
      const start = performance.now();
      sg.tidy(works[k].run);
      await synchronize();
      if (i > 0) times[k].push((performance.now() - start) / 1000);
    }
  }
  return times.map(median);
}

/** Floats copied by the untimed scrub: 2 x 40 MiB moved, more than the 32 MiB L3 of this machine's CPU. */
const SCRUB_FLOATS = 10 << 20;

interface Shape {
  name: string;
  n: number;
  c: number;
  hw: number;
  k: number;
  stride: number;
}

const SHAPES: Shape[] = [
  { name: '3x3', n: 8, c: 144, hw: 56, k: 3, stride: 1 },
  { name: '3x3', n: 8, c: 144, hw: 56, k: 3, stride: 2 },
  { name: '5x5', n: 8, c: 144, hw: 56, k: 5, stride: 1 },
  { name: '5x5', n: 8, c: 144, hw: 56, k: 5, stride: 2 },
  { name: '7x7, 96 ch (ConvNeXt)', n: 8, c: 96, hw: 56, k: 7, stride: 1 },
];

function geometry(s: Shape): DepthwiseGeometry {
  const pad = (s.k - 1) / 2;
  const o = convOutputSize(s.hw, s.k, s.stride, pad, 1);
  return {
    n: s.n,
    c: s.c,
    h: s.hw,
    w: s.hw,
    cout: s.c,
    oh: o,
    ow: o,
    kh: s.k,
    kw: s.k,
    stride: [s.stride, s.stride],
    pad: [pad, pad],
    dil: [1, 1],
  };
}

/** `work` with one pass's version forced (the adapter's choice when null). */
function withVersion(pass: DepthwisePass, version: string | null, work: () => void): () => void {
  return () => {
    setDepthwiseVersion(pass, version as never);
    try {
      work();
    } finally {
      setDepthwiseVersion(pass, null);
    }
  };
}

/** Rows of the table for one shape: each pass's versions (copy probe and general path in the same round-robin). */
async function benchShape(s: Shape, runs: number, scrub: () => void): Promise<string[][]> {
  const g = geometry(s);
  const xFloats = g.n * g.c * g.h * g.w;
  const yFloats = g.n * g.cout * g.oh * g.ow;
  // Every pass moves x and y (forward: reads x, writes y; dx: reads dy, writes dx; dW: reads both):
  // the probe copies half of that, so that it too reads and writes the conv's byte count.
  const bytes = 4 * (xFloats + yFloats);
  const copyFloats = 4 * Math.ceil((xFloats + yFloats) / 8);
  const copy = copyProbe(copyFloats);
  const options = { stride: s.stride, padding: g.pad[0], groups: s.c };
  const x = sg.uniform([g.n, g.c, g.h, g.w], -1, 1);
  const w = sg.uniform([g.cout, 1, g.kh, g.kw], -0.3, 0.3);
  const dy = sg.uniform([g.n, g.cout, g.oh, g.ow], -1, 1);
  const xg = sg.uniform([g.n, g.c, g.h, g.w], -1, 1, { requiresGrad: true });
  const wg = sg.uniform([g.cout, 1, g.kh, g.kw], -0.3, 0.3, { requiresGrad: true });
  const passes: Array<[DepthwisePass, () => void]> = [
    ['forward', () => void depthwiseForward(x, w, null, g)],
    ['inputGrad', () => void depthwiseInputGrad(dy, w, g)],
    ['weightGrad', () => void depthwiseWeightGrad(x, dy, g)],
  ];
  // Each version that runs on this shape as itself (a version that does not fit falls back).
  const versions = passes.flatMap(([pass, work]) =>
    (DEPTHWISE_VERSIONS[pass] as readonly string[])
      .filter((v) => withForced(pass, v, () => depthwiseVersion(pass, g)) === v)
      .map((v) => ({ pass, version: v, run: withVersion(pass, v, work) })),
  );
  const general = (work: () => void) => () => {
    setDepthwiseFastPath(false);
    try {
      work();
    } finally {
      setDepthwiseFastPath(true);
    }
  };
  const backwardTo = (leaf: sg.Tensor, xs: sg.Tensor, ws: sg.Tensor) => () => {
    sg.conv2d(xs, ws, null, options).backward(dy);
    leaf.grad?.dispose();
    leaf.grad = null;
  };
  // The general path takes seconds on some of these (its dW of a 5x5): fewer runs.
  const slow = Math.min(runs, 2);
  const times = await timeRoundRobin(
    [
      { run: copy.run, runs },
      ...versions.map((v) => ({ run: v.run, runs })),
      { run: general(() => void sg.conv2d(x, w, null, options)), runs: slow },
      { run: general(backwardTo(xg, xg, w)), runs: slow },
      { run: general(backwardTo(wg, x, wg)), runs: slow },
      { run: () => void sg.clone(dy), runs: slow },
    ],
    scrub,
  );
  for (const t of [x, w, dy, xg, wg]) t.dispose();
  copy.dispose();
  const copyGBps = (8 * copyFloats) / times.shift()! / 1e9;
  const [oldFwd, oldFwdDx, oldFwdDw, copyDy] = times.slice(versions.length);
  const old = { forward: oldFwd, inputGrad: oldFwdDx - oldFwd - copyDy, weightGrad: oldFwdDw - oldFwd - copyDy };
  const label = { forward: 'forward', inputGrad: 'dx', weightGrad: 'dW' };
  return versions.map(({ pass, version }, i) => {
    const gbps = bytes / times[i] / 1e9;
    const chosen = version === depthwiseVersion(pass, g);
    return [
      s.name,
      String(s.stride),
      label[pass],
      `${version}${chosen ? ' *' : ''}`,
      fixed(bytes / 2 ** 20),
      fixed(times[i] * 1000, 2),
      fixed(gbps, 2),
      `${fixed((100 * gbps) / copyGBps, 0)}% of ${fixed(copyGBps, 2)}`,
      chosen ? fixed(old[pass] * 1000) : '',
      chosen ? `${fixed(old[pass] / times[i])}x` : '',
    ];
  });
}

function withForced<T>(pass: DepthwisePass, version: string, f: () => T): T {
  setDepthwiseVersion(pass, version as never);
  try {
    return f();
  } finally {
    setDepthwiseVersion(pass, null);
  }
}

/** A ResNeXt-50 layer1 grouped convolution (general path) beside a dense layer of the same run. */
async function benchGrouped(runs: number, scrub: () => void): Promise<void> {
  const x = sg.uniform([8, 128, 56, 56], -1, 1);
  const w = sg.uniform([128, 4, 3, 3], -0.1, 0.1);
  const xd = sg.uniform([8, 64, 56, 56], -1, 1);
  const wd = sg.uniform([64, 64, 3, 3], -0.1, 0.1);
  const xs = sg.uniform([8, 128, 56, 56], -1, 1, { requiresGrad: true });
  const ws = sg.uniform([128, 4, 3, 3], -0.1, 0.1, { requiresGrad: true });
  const [grouped, dense, train] = await timeRoundRobin(
    [
      { run: () => void sg.conv2d(x, w, null, { padding: 1, groups: 32 }), runs },
      { run: () => void sg.conv2d(xd, wd, null, { padding: 1 }), runs },
      {
        run: () => {
          sg.conv2d(xs, ws, null, { padding: 1, groups: 32 }).sum().backward();
          for (const t of [xs, ws]) {
            t.grad?.dispose();
            t.grad = null;
          }
        },
        runs,
      },
    ],
    scrub,
  );
  for (const t of [x, w, xd, wd, xs, ws]) t.dispose();
  const gflops = (f: number, s: number) => fixed(f / s / 1e9);
  const [fg, fd] = [2 * 8 * 56 * 56 * 128 * 4 * 9, 2 * 8 * 56 * 56 * 64 * 64 * 9];
  printTable(
    'grouped conv2d (general path), batch 8, 56x56, 3x3, pad 1',
    ['layer', 'ms', 'GFLOP/s', 'note'],
    [
      [
        'ResNeXt-50 layer1: 128 -> 128, groups 32',
        fixed(grouped * 1000),
        gflops(fg, grouped),
        `${fixed((100 * fg) / grouped / (fd / dense), 0)}% of the dense layer's GFLOP/s`,
      ],
      ['  forward + backward (input, weight)', fixed(train * 1000), '', `${fixed(train / grouped)}x the forward`],
      ['dense 64 -> 64 (the VGG-like layer)', fixed(dense * 1000), gflops(fd, dense), ''],
    ],
  );
}

/** Prints the depthwise table and the grouped convolution. */
export async function benchDepthwise(runs: number): Promise<void> {
  const rows: string[][] = [];
  const only = process.env.DEPTHWISE_SHAPES;
  const scrubber = copyProbe(SCRUB_FLOATS);
  for (const s of SHAPES.filter((s) => !only || s.name.startsWith(only)))
    rows.push(...(await benchShape(s, runs, scrubber.run)));
  printTable(
    'depthwise conv2d, batch 8, 144 channels, 56x56, pad k/2: bytes read + written; * = the version chosen; ' +
      "% of the copy probe's GB/s (the same byte count, timed in the same round-robin, every run from a cold cache)",
    ['kernel', 'stride', 'pass', 'version', 'MiB moved', 'ms', 'GB/s', '% of copy GB/s', 'general path ms', 'speedup'],
    rows,
  );
  if (!only) await benchGrouped(runs, scrubber.run);
  scrubber.dispose();
}
