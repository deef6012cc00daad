/**
 * `npm run bench`: kernel benchmarks on this machine's WebGPU adapter, printed as tables.
 * Every figure is a median of timed runs after a warm-up, synchronised with the GPU, and shown
 * beside this adapter's measured peak and the same work in TensorFlow.js's WebGPU backend (same
 * adapter, same run) and PyTorch on the CPU.
 *
 *   BENCH_QUICK=1 npm run bench     fewer runs, smaller sizes
 *   BENCH_SKIP_CNN=1, BENCH_SKIP_DEPTHWISE=1, BENCH_SKIP_LAYERS=1, BENCH_SKIP_MODELS=1   leave those sections out
 *   BENCH_ONLY=models, layers or depthwise runs only that section (with the copy probe)
 *   BENCH_ONLY=loader                        only the DataLoader's per-worker JPEG throughput
 *   BENCH_ONLY=warmup                        only the cold-start table (a process per cold figure)
 *   BENCH_ONLY=text                          only XLM-R base with a head (bench/text.ts; BENCH_SKIP_TEXT=1 leaves it out)
 *   BENCH_ONLY=networks                      issue 14's ratios: relu/BN vs copy, networks vs the conv layer, training
 *   BENCH_ONLY=optim                         only the optimiser steps, per parameter vs multi-tensor (bench/optim_steps.ts)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as sg from '../src/index.js';
import { timeVersion } from '../src/ops/matmul_tuning.js';
import { MATMUL_VERSIONS, setMatmulVersion, chosenMatmulVersion } from '../src/ops/matmul_versions.js';
import { synchronize } from '../src/gpu/commands.js';
import { copyPeak, fmaPeak } from './probes.js';
import { loadTfjs, tfjsFailure, timeTfjs } from './tfjs_peer.js';
import { fixed, median, printTable } from './timing.js';
import { benchConv, benchTrainingStep } from './cnn.js';
import { benchModels } from './models.js';
import { benchLayers } from './layers.js';
import { benchLoader } from './loader.js';
import { benchDepthwise } from './depthwise.js';
import { benchInflight } from './inflight.js';
import { benchWarmup } from './warmup.js';
import { benchText } from './text.js';
import { benchNetworks } from './networks.js';
import { benchOptimSteps } from './optim_steps.js';

const quick = !!process.env.BENCH_QUICK;
const RUNS = quick ? 3 : 7;
const info = await sg.init();
// Time the matmul versions afresh (and store the choice): a cached choice may have been made on a loaded machine.
if (!process.env.BENCH_ONLY) await sg.tuneMatmul({ useCache: false });
const cpu = (await import('node:os')).cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `shadergrad benchmarks on ${info.adapterName} (${info.backend || 'webgpu'}), host CPU: ${cpu}, ${(await import('node:os')).cpus().length} cores`,
);
// BENCH_ONLY=models runs just the model zoo (BENCH_MODELS=vgg16,resnet18 and BENCH_BATCHES=1,16 narrow it).
if (process.env.BENCH_ONLY === 'loader') {
  benchLoader(quick);
  await sg.shutdown();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'warmup') {
  benchWarmup();
  await sg.shutdown();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'models') {
  await benchModels();
  await sg.shutdown();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'inflight') {
  await benchInflight(sg, quick);
  await sg.shutdown();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'text') {
  await benchText();
  await sg.shutdown();
  process.exit(0);
}
// Issue 14's ratios side by side: copy C, conv K, memory-bound layers, networks, training (bench/networks.ts).
if (process.env.BENCH_ONLY === 'networks' || process.env.BENCH_ONLY === 'optim') {
  if (process.env.BENCH_ONLY === 'networks') await benchNetworks((torchCpu()?.mnist_step64 as number) ?? null);
  printTable(
    'optimiser steps: one launch per parameter vs multi-tensor (src/optim/multi_tensor.ts)',
    ['', 'per parameter', 'multi-tensor', 'speed-up'],
    await benchOptimSteps(quick),
  );
  await sg.shutdown();
  process.exit(0);
}
if (process.env.BENCH_ONLY === 'depthwise') {
  await benchDepthwise(RUNS);
  await sg.shutdown();
  process.exit(0);
}
console.log(`matmul version chosen for this adapter: ${chosenMatmulVersion()}`);

/** Median seconds of `work()` (which records GPU work), synchronised before and after. */
async function timeGpu(work: () => sg.Tensor | void, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    await synchronize();
    const start = performance.now();
    const out = work();
    await synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
    if (out) out.dispose();
  }
  return median(times);
}

function torchCpu(): Record<string, unknown> | null {
  if (!existsSync('/usr/bin/python3')) return null;
  try {
    return JSON.parse(
      execFileSync('/usr/bin/python3', ['bench/torch_cpu.py', '2'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 300_000,
      }),
    );
  } catch {
    return null;
  }
}

const fma = await fmaPeak(RUNS);
const copy = await copyPeak(1 << 24, RUNS);
// BENCH_ONLY=layers runs just the layers of post-2016 networks (bench/layers.ts).
if (process.env.BENCH_ONLY === 'layers') {
  await benchLayers(copy);
  await sg.shutdown();
  process.exit(0);
}
printTable(
  'Peak probes',
  ['probe', 'figure'],
  [
    ['FMA only (workgroup 1024, 8 vec4 accumulators)', `${fixed(fma)} GFLOP/s`],
    ['vec4 copy, 16M floats', `${fixed(copy)} GB/s`],
  ],
);

const tf = await loadTfjs();
const torch = torchCpu();
const torchMatmul = (torch?.matmul ?? {}) as Record<string, number>;

// ---- matmul ----
const sizes: Array<[number, number, number]> = quick
  ? [
      [256, 256, 256],
      [1024, 1024, 1024],
    ]
  : [
      [256, 256, 256],
      [512, 512, 512],
      [1024, 1024, 1024],
      [2048, 2048, 512],
    ];
const rows: string[][] = [];
for (const [m, n, k] of sizes) {
  const flops = 2 * m * n * k;
  const a = sg.uniform([m, k], -1, 1);
  const b = sg.uniform([k, n], -1, 1);
  const ours = flops / (await timeGpu(() => sg.matmul(a, b))) / 1e9;
  let tfDefault = NaN;
  let tfPolite = NaN;
  if (tf) {
    const ta = tf.randomUniform([m, k]);
    const tb = tf.randomUniform([k, n]);
    tfDefault = flops / (await timeTfjs((t) => t.matMul(ta, tb), RUNS, false)) / 1e9;
    tfPolite = flops / (await timeTfjs((t) => t.matMul(ta, tb), RUNS, true)) / 1e9;
    ta.dispose();
    tb.dispose();
  }
  const torchSeconds = torchMatmul[`${m}x${n}x${k}`];
  const torchGflops = torchSeconds ? flops / torchSeconds / 1e9 : NaN;
  rows.push([
    `${m}x${n}x${k}`,
    fixed(ours),
    `${fixed((100 * ours) / fma, 0)}%`,
    fixed(tfDefault),
    `${fixed(ours / tfDefault)}x`,
    fixed(tfPolite),
    `${fixed(ours / tfPolite)}x`,
    fixed(torchGflops),
  ]);
  a.dispose();
  b.dispose();
}
printTable(
  'matmul, GFLOP/s (M x N x K)',
  ['size', 'shadergrad', '% of FMA peak', 'tfjs-webgpu', 'ratio', 'tfjs (polite wait)', 'ratio', 'PyTorch CPU'],
  rows,
);
if (!tf) console.log(`(TensorFlow.js could not run: ${tfjsFailure()})`);
if (!torch) console.log('(PyTorch not found: install python3-torch for the CPU column)');

const versionRows: string[][] = [];
for (const v of MATMUL_VERSIONS) {
  const size = v.name === '01_naive' && quick ? 512 : 1024;
  const t = await timeVersion(v, size, quick ? 2 : 3);
  const g = (2 * size ** 3) / t / 1e9;
  versionRows.push([
    v.name,
    `${size}^3`,
    fixed(g),
    `${fixed((100 * g) / fma, 0)}%`,
    v.name === chosenMatmulVersion() ? 'chosen' : '',
  ]);
}
printTable(
  'matmul kernel versions (shaders/matmul/)',
  ['version', 'size', 'GFLOP/s', '% of FMA peak', ''],
  versionRows,
);

// ---- memory-bound ops ----
const n = 1 << 24;
const x = sg.rand([n]);
const y = sg.rand([n]);
const addSeconds = await timeGpu(() => sg.add(x, y));
const sumSeconds = await timeGpu(() => sg.sum(x));
let tfAdd = NaN;
let tfSum = NaN;
if (tf) {
  const tx = tf.randomUniform([n]);
  const ty = tf.randomUniform([n]);
  tfAdd = await timeTfjs((t) => t.add(tx, ty), RUNS);
  tfSum = await timeTfjs((t) => t.sum(tx), RUNS);
  tx.dispose();
  ty.dispose();
}
const gbps = (bytes: number, s: number) => bytes / s / 1e9;
const torchAdd = (torch?.add16M as number) ?? NaN;
const torchSum = (torch?.sum16M as number) ?? NaN;
printTable(
  'memory-bound ops on 16M floats, GB/s (bytes read + written)',
  ['op', 'shadergrad', '% of copy peak', 'tfjs-webgpu (polite wait)', 'PyTorch CPU'],
  [
    [
      'add',
      fixed(gbps(3 * 4 * n, addSeconds)),
      `${fixed((100 * gbps(3 * 4 * n, addSeconds)) / copy, 0)}%`,
      fixed(gbps(3 * 4 * n, tfAdd)),
      fixed(gbps(3 * 4 * n, torchAdd)),
    ],
    [
      'sum',
      fixed(gbps(4 * n, sumSeconds)),
      `${fixed((100 * gbps(4 * n, sumSeconds)) / copy, 0)}%`,
      fixed(gbps(4 * n, tfSum)),
      fixed(gbps(4 * n, torchSum)),
    ],
  ],
);
x.dispose();
y.dispose();
setMatmulVersion(null);

// ---- CNN layers and a training step ----
if (!process.env.BENCH_SKIP_CNN) {
  await benchConv(tf, quick ? 2 : 3);
  await benchTrainingStep(tf, quick ? 3 : 5);
}
if (!process.env.BENCH_SKIP_DEPTHWISE) await benchDepthwise(quick ? 3 : 5);
// ---- the model zoo: inference at 224 x 224 and a VGG-16 training step (minutes on a CPU driver) ----
// Activations, LayerNorm, softmax at attention sizes, MultiheadAttention (bench/layers.ts).
if (!process.env.BENCH_SKIP_LAYERS) await benchLayers(copy);
benchLoader(quick);
if (!process.env.BENCH_SKIP_MODELS) await benchModels();
if (!process.env.BENCH_SKIP_TEXT) await benchText();
if (!process.env.BENCH_SKIP_NETWORKS) await benchNetworks((torch?.mnist_step64 as number) ?? null);
if (torch) console.log(`\nPyTorch ${torch.version} on the CPU with ${torch.threads} threads.`);
await sg.shutdown();
process.exit(0);
