/**
 * CNN benchmarks: a VGG-like conv layer (batch 8, 64 -> 64 channels, 56x56, 3x3, pad 1, with
 * bias) forward and forward + both backward passes, beside the equivalent GEMM (M = N H W,
 * N = Cout, K = Cin 9) and TensorFlow.js, and every conv2d version in the same run; max pooling; and one training step (forward, backward, SGD) of
 * the reference MNIST network at batch 64, beside TensorFlow.js.
 */
import * as sg from '../src/index.js';
import { synchronize } from '../src/gpu/commands.js';
import { CONV_VERSIONS, chosenConvVersion, setConvVersion, type ConvVersion } from '../src/ops/conv.js';
import type { loadTfjs } from './tfjs_peer.js';
import { timeTfjs } from './tfjs_peer.js';
import { fixed, median, printTable } from './timing.js';
import { MnistNet, VGG_CONV, VGG_CONV_FLOPS, mnistStep, tfjsMnistStep, tfjsVggConv, vggConv } from './workloads.js';

type Tf = NonNullable<Awaited<ReturnType<typeof loadTfjs>>>;

async function timeGpu(work: () => void, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    await synchronize();
    const start = performance.now();
    sg.tidy(work);
    await synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/**
 * Median seconds of each of `works`, timed round-robin (one run of each in turn, after one
 * warm-up round), so that a machine whose speed drifts affects them all alike and their ratios hold.
 */
async function timeInterleaved(works: Array<() => void>, runs: number): Promise<number[]> {
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

export async function benchConv(tf: Tf | null, runs: number): Promise<void> {
  const { n, c, h, w, cout } = VGG_CONV;
  const flops = VGG_CONV_FLOPS;
  const layer = vggConv();
  const forwardWork = layer.forward;
  const trainWork = layer.train;
  const a = sg.uniform([n * h * w, c * 9], -1, 1);
  const b = sg.uniform([c * 9, cout], -1, 1);
  const chosen = chosenConvVersion();
  const using = (v: ConvVersion | null, work: () => void) => () => {
    setConvVersion(v);
    work();
  };
  // The GEMM, the adapter's choice forward and forward + backward, then every version's forward
  // (a version whose needs this adapter lacks runs its fallback) and the previous algorithm's
  // forward + backward, all in one round-robin.
  const works = [
    () => void sg.matmul(a, b),
    using(null, forwardWork),
    using(null, trainWork),
    ...CONV_VERSIONS.map((v) => using(v, forwardWork)),
    using('im2col_matmul', trainWork),
  ];
  const [gemm, forward, both, ...rest] = await timeInterleaved(works, runs);
  setConvVersion(null);
  const versions = CONV_VERSIONS.map((v, i): [string, number, number] => [
    v,
    rest[i],
    v === 'im2col_matmul' ? rest[CONV_VERSIONS.length] : NaN,
  ]);
  let tfForward = NaN;
  if (tf) {
    // tfjs's own fused path, which adds the bias in the convolution's program as we do.
    const peer = tfjsVggConv(tf);
    tfForward = await timeTfjs(peer.forward, runs, false);
    peer.dispose();
  }
  const g = (s: number) => flops / s / 1e9;
  const vsGemm = (s: number) =>
    `${fixed((100 * gemm) / s, 0)}% of the GEMM's speed, ${fixed(tfForward / s)}x TensorFlow.js`;
  printTable(
    'conv2d with bias, batch 8, 64 -> 64 channels, 56x56, 3x3, pad 1',
    ['measure', 'ms', 'GFLOP/s', 'note'],
    [
      [`shadergrad forward (${chosen})`, fixed(forward * 1000), fixed(g(forward)), vsGemm(forward)],
      ['equivalent GEMM 25088x64x576', fixed(gemm * 1000), fixed(g(gemm)), ''],
      ['forward + backward (input, weight)', fixed(both * 1000), '', `${fixed(both / forward)}x the forward time`],
      [
        'TensorFlow.js WebGPU forward (fused bias)',
        fixed(tfForward * 1000),
        fixed(g(tfForward)),
        `shadergrad ${fixed(tfForward / forward)}x faster`,
      ],
      ...versions.map(([v, fwd, train]) => [
        `  version ${v} forward`,
        fixed(fwd * 1000),
        fixed(g(fwd)),
        vsGemm(fwd) +
          (Number.isNaN(train) ? '' : `; forward + backward ${fixed(train * 1000)} ms (${fixed(train / fwd)}x)`),
      ]),
    ],
  );
  const pooled = sg.uniform([n, c, h, w], -1, 1);
  const pool = await timeGpu(() => void sg.maxPool2d(pooled, 2), runs);
  console.log(
    `max_pool2d 2x2 on [8, 64, 56, 56]: ${fixed(pool * 1000)} ms (${fixed((n * c * h * w * 4 * 1.25) / pool / 1e9)} GB/s)`,
  );
  layer.dispose();
  for (const t of [a, b, pooled]) t.dispose();
}

/** The reference MNIST network (bench/networks.ts times it against PyTorch). */
export const mnistNet = () => new MnistNet();

export async function benchTrainingStep(tf: Tf | null, runs: number): Promise<void> {
  const batch = 64;
  const step = mnistStep(batch);
  const ours = await timeGpu(step.step, runs);
  step.dispose();
  let theirs = NaN;
  if (tf) {
    const peer = tfjsMnistStep(tf, batch);
    theirs = await timeTfjs(() => peer.step(), runs, false);
    peer.dispose();
  }
  printTable(
    'one training step of the reference MNIST CNN (batch 64: forward, backward, SGD)',
    ['engine', 'ms per step', 'images/s'],
    [
      ['shadergrad', fixed(ours * 1000), fixed(batch / ours, 0)],
      ['TensorFlow.js WebGPU', fixed(theirs * 1000), fixed(batch / theirs, 0)],
      ['ratio', '', `${fixed(theirs / ours)}x`],
    ],
  );
}
