/**
 * The benchmark page's measurements: the work of `npm run bench` (bench/: the probes, the shared
 * workloads, TensorFlow.js's timing) on this browser's adapter, as rows with the figure, its
 * share of the adapter's measured peak, TensorFlow.js's figure on the same work in the same
 * page, and the WGSL source of the shadergrad kernel that ran.
 */
import * as sg from '../../src/index.js';
import { K } from '../../src/kernels.js';
import { synchronize } from '../../src/gpu/commands.js';
import { chooseVersion } from '../../src/ops/matmul_versions.js';
import { chosenConvVersion } from '../../src/ops/conv.js';
import { copyPeak, fmaPeak } from '../../bench/probes.js';
import fmaSource from '../../shaders/probe_fma_peak.wgsl';
import copySource from '../../shaders/probe_copy_peak.wgsl';
import { timeTfjs } from '../../bench/tfjs_peer.js';
import { median } from '../../bench/timing.js';
import { dispatchOverhead } from '../../bench/dispatch_overhead.js';
import { VGG_CONV, VGG_CONV_FLOPS, mnistStep, tfjsMnistStep, tfjsVggConv, vggConv } from '../../bench/workloads.js';
import type * as tfc from '@tensorflow/tfjs-core';

type Tf = typeof tfc;

/** One measured figure: shadergrad's, its share of the probe, TensorFlow.js's on the same work, the kernel. */
export interface BenchRow {
  section: string;
  name: string;
  value: number;
  unit: 'GFLOP/s' | 'GB/s' | 'images/s' | 'us per dispatch';
  /** value / the probe's figure (FMA peak for GFLOP/s, copy for GB/s), or NaN. */
  share: number;
  tfjs: number;
  /** The WGSL that ran (its text; the page finds the file), and a short label. */
  kernel: { label: string; source: string } | null;
  detail?: string;
}

/** How many timed runs (after a warm-up) and which sizes. */
export interface SuiteOptions {
  quick: boolean;
  tf: Tf | null;
  /** Called after every row, so the page fills as it goes. */
  onRow: (row: BenchRow) => void;
  /** Progress text. */
  onStatus: (text: string) => void;
}

/** Median seconds of `work` (inside tidy), synchronised with the GPU, after one warm-up. */
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

const kernel = (label: string, source: string) => ({ label, source });

/** Runs every section in order; resolves when done. */
export async function runSuite(o: SuiteOptions): Promise<void> {
  const runs = o.quick ? 3 : 7;
  const tf = o.tf;
  const tfTime = async (build: (t: Tf) => tfc.Tensor) => (tf ? timeTfjs(build, runs, false) : NaN);
  o.onStatus('probes');
  const fma = await fmaPeak(runs);
  const copy = await copyPeak(1 << 22, runs);
  const row = (r: Omit<BenchRow, 'share'>) =>
    o.onRow({ ...r, share: r.unit === 'GFLOP/s' ? r.value / fma : r.unit === 'GB/s' ? r.value / copy : NaN });
  row({
    section: 'probes',
    name: 'FMA peak (workgroup 1024, 8 vec4 accumulators)',
    value: fma,
    unit: 'GFLOP/s',
    tfjs: NaN,
    kernel: kernel('fma_peak', fmaSource),
  });
  row({
    section: 'probes',
    name: 'vec4 copy, 4M floats',
    value: copy,
    unit: 'GB/s',
    tfjs: NaN,
    kernel: kernel('copy_peak', copySource),
  });

  // The fixed cost of a launch (bench/dispatch_overhead.ts; Node runs the same: bench/dispatch_node.ts).
  o.onStatus('dispatch overhead');
  for (const d of await dispatchOverhead(1000))
    row({
      section: 'dispatch overhead',
      name: `empty dispatch: ${d.name}`,
      value: d.us,
      unit: 'us per dispatch',
      tfjs: NaN,
      kernel: kernel('copy_peak', copySource),
    });

  for (const size of o.quick ? [256, 512] : [256, 512, 1024]) {
    o.onStatus(`matmul ${size}`);
    const flops = 2 * size ** 3;
    const a = sg.uniform([size, size], -1, 1);
    const b = sg.uniform([size, size], -1, 1);
    const ours = flops / (await timeGpu(() => void sg.matmul(a, b), runs)) / 1e9;
    let theirs = NaN;
    if (tf) {
      const [ta, tb] = [tf.randomUniform([size, size]), tf.randomUniform([size, size])];
      theirs = flops / (await tfTime((t) => t.matMul(ta, tb))) / 1e9;
      [ta, tb].forEach((t) => t.dispose());
    }
    const v = chooseVersion(size, size);
    row({
      section: 'matmul',
      name: `matmul ${size}x${size}x${size}`,
      value: ours,
      unit: 'GFLOP/s',
      tfjs: theirs,
      kernel: kernel(`matmul ${v.name}`, v.kernel.source),
    });
    [a, b].forEach((t) => t.dispose());
  }

  o.onStatus('conv2d');
  const layer = vggConv();
  const { n, c, h, w } = VGG_CONV;
  const forward = await timeGpu(layer.forward, runs);
  const train = await timeGpu(layer.train, o.quick ? 2 : runs);
  layer.dispose();
  let tfForward = NaN;
  if (tf) {
    const peer = tfjsVggConv(tf);
    tfForward = await tfTime(peer.forward);
    peer.dispose();
  }
  const version = chosenConvVersion();
  const convKernel =
    version === 'im2col_matmul'
      ? kernel('im2col (then matmul)', K.im2col.source)
      : kernel(`conv2d ${version}`, K[`conv2d_${version}` as keyof typeof K].source);
  const shape = `batch ${n}, ${c} -> ${VGG_CONV.cout} channels, ${h}x${w}, 3x3, pad 1`;
  row({
    section: 'conv2d',
    name: `conv2d forward (VGG-like: ${shape})`,
    value: VGG_CONV_FLOPS / forward / 1e9,
    unit: 'GFLOP/s',
    tfjs: VGG_CONV_FLOPS / tfForward / 1e9,
    kernel: convKernel,
    detail: `${(forward * 1000).toFixed(1)} ms`,
  });
  // Forward, dx and dW: three products of the forward's size.
  row({
    section: 'conv2d',
    name: 'conv2d forward + backward (input and weight)',
    value: (3 * VGG_CONV_FLOPS) / train / 1e9,
    unit: 'GFLOP/s',
    tfjs: NaN,
    kernel: convKernel,
    detail: `${(train * 1000).toFixed(1)} ms`,
  });

  o.onStatus('pooling');
  const pooled = sg.uniform([n, c, h, w], -1, 1);
  const pool = await timeGpu(() => void sg.maxPool2d(pooled, 2), runs);
  pooled.dispose();
  // Reads every input once, writes a quarter as many outputs.
  const poolBytes = n * c * h * w * 4 * 1.25;
  let tfPool = NaN;
  if (tf) {
    const tx = tf.randomUniform([n, h, w, c]) as tfc.Tensor4D;
    tfPool = await tfTime((t) => t.maxPool(tx, 2, 2, 'valid'));
    tx.dispose();
  }
  row({
    section: 'pooling',
    name: `max_pool2d 2x2 on [${n}, ${c}, ${h}, ${w}]`,
    value: poolBytes / pool / 1e9,
    unit: 'GB/s',
    tfjs: poolBytes / tfPool / 1e9,
    kernel: kernel('maxpool2d_forward', K.maxpool2d_forward.source),
  });

  o.onStatus('MNIST CNN training step');
  const batch = 64;
  const step = mnistStep(batch);
  const stepSeconds = await timeGpu(step.step, runs);
  step.dispose();
  let tfStep = NaN;
  if (tf) {
    const peer = tfjsMnistStep(tf, batch);
    tfStep = await timeTfjs(() => peer.step(), runs, false);
    peer.dispose();
  }
  // Forward multiply-adds x 2, times 3 for forward, input gradient and weight gradient.
  const stepFlops = 3 * 2 * batch * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 288 + 3136 * 128 + 128 * 10);
  row({
    section: 'training step',
    name: `MNIST CNN training step, batch ${batch}`,
    value: stepFlops / stepSeconds / 1e9,
    unit: 'GFLOP/s',
    tfjs: stepFlops / tfStep / 1e9,
    kernel: convKernel,
    detail: `${(stepSeconds * 1000).toFixed(1)} ms, ${(batch / stepSeconds).toFixed(0)} images/s; TensorFlow.js ${(batch / tfStep).toFixed(0)} images/s`,
  });

  for (const [name, batchSize] of o.quick
    ? ([['cifar_resnet20', 16]] as const)
    : ([
        ['cifar_resnet20', 16],
        ['cifar_resnet56', 16],
        ['squeezenet1_1', 1],
      ] as const)) {
    o.onStatus(`${name} forward`);
    const size = name.startsWith('cifar') ? 32 : 224;
    const model = (await sg.models.get(name)).eval();
    const x = sg.rand([batchSize, 3, size, size]);
    const seconds = await timeGpu(() => sg.noGrad(() => void model.forward(x)), o.quick ? 2 : 3);
    x.dispose();
    sg.models.disposeModel(model);
    row({
      section: 'networks',
      name: `${name} forward, batch ${batchSize}, ${size}x${size} (eval, no graph)`,
      value: batchSize / seconds,
      unit: 'images/s',
      tfjs: NaN,
      kernel: convKernel,
    });
  }
}
