/**
 * Issue 14's "Done when" ratios, measured side by side in one run (absolute times on this
 * machine drift up to 2x; ratios of work timed together hold):
 *   C  = GB/s of a raw WGSL vec4 copy (probes.ts), the memory-bound peak;
 *   K  = GFLOP/s of the VGG-like conv layer's forward (batch 8, 64 -> 64, 56x56, 3x3, pad 1, bias);
 *   relu, add + relu, eval and training BatchNorm2d (each kernel version) over 8x64x112x112, as x C;
 *   the convolution shapes networks have (batch 8): forward, dX and dW as x K;
 *   VGG-16 (batch 1; 8 with BENCH_VGG8=1), ResNet-18 and ResNet-50 (batch 8) forward at 224, eval, no graph,
 *     with fusion on and off (sg.setFusion), as x K (FLOPs: torchvision's multiply-adds x 2);
 *   a ResNet-18 training step (batch 8, forward + backward + SGD) over its eval forward;
 *   the MNIST CNN's training step (batch 64) over PyTorch 1.13 on the CPU (bench/torch_cpu.py);
 *   beside each network, TensorFlow.js's WebGPU backend on the same network (bench/tfjs_networks.ts):
 *     its ms and "x TF.js" = its time over ours (BENCH_TFJS=0 leaves it out).
 *
 *   BENCH_ONLY=networks npm run bench     (BENCH_QUICK=1: fewer runs; BENCH_VGG8=1 adds VGG-16 at batch 8,
 *                                          ~5 GiB; BENCH_SHAPES=0 leaves out the per-shape conv table)
 */
import * as sg from '../src/index.js';
import { synchronize } from '../src/gpu/commands.js';
import { setBatchNormVersion, BATCHNORM_VERSIONS } from '../src/ops/batchnorm_kernels.js';
import { addRelu } from '../src/ops/fused.js';
import { setBinaryVec4 } from '../src/ops/binary_vec4.js';
import { setMaxPoolPlanes } from '../src/ops/pool.js';
import { copyProbe } from './probes.js';
import { fixed, median, printTable } from './timing.js';
import { mnistNet } from './cnn.js';
import { speedup, tfjsForward, tfjsMnist, tfjsResnetStep } from './tfjs_networks.js';

const quick = !!process.env.BENCH_QUICK;
const withTfjs = process.env.BENCH_TFJS !== '0';

/** Median seconds of each work, timed round-robin after one warm-up round (each run in tidy). */
export async function interleaved(works: Array<() => void>, runs: number): Promise<number[]> {
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

/** torchvision's multiply-adds of one 224 x 224 image (`torchvision.models` docs: GFLOPS column). */
const GMACS: Record<string, number> = { vgg16: 15.47, resnet18: 1.814, resnet50: 4.089 };

/** The VGG-like conv layer's forward, K's work: its FLOPs and a closure (dispose() frees its tensors). */
function kLayer(): { flops: number; run: () => void; dispose: () => void } {
  const x = sg.uniform([8, 64, 56, 56], -1, 1);
  const w = sg.uniform([64, 64, 3, 3], -0.1, 0.1);
  const b = sg.uniform([64], -0.1, 0.1);
  return {
    flops: 2 * 8 * 56 * 56 * 64 * 64 * 9,
    run: () => void sg.conv2d(x, w, b, { padding: 1 }),
    dispose: () => [x, w, b].forEach((t) => t.dispose()),
  };
}

/** C and K, measured together. */
async function probes(runs: number): Promise<{ copy: number; k: number }> {
  const floats = 8 * 64 * 112 * 112;
  const probe = copyProbe(floats);
  const x = sg.uniform([8, 64, 56, 56], -1, 1);
  const w = sg.uniform([64, 64, 3, 3], -0.1, 0.1);
  const b = sg.uniform([64], -0.1, 0.1);
  const [copyS, convS] = await interleaved([probe.run, () => void sg.conv2d(x, w, b, { padding: 1 })], runs);
  probe.dispose();
  for (const t of [x, w, b]) t.dispose();
  return { copy: (8 * floats) / copyS / 1e9, k: (2 * 8 * 56 * 56 * 64 * 64 * 9) / convS / 1e9 };
}

/** Runs `work` with binary ops on version 01 (one element per invocation). */
function scalarBinary(work: () => unknown): void {
  setBinaryVec4(false);
  work();
  setBinaryVec4(true);
}

/** Memory-bound layers over 8x64x112x112 as GB/s (bytes read + written) and x C. */
async function memoryBound(copy: number, runs: number): Promise<string[][]> {
  const shape = [8, 64, 112, 112];
  const n = 8 * 64 * 112 * 112;
  const x = sg.randn(shape);
  const b = sg.randn(shape);
  const g = sg.randn(shape);
  const xr = sg.randn(shape, { requiresGrad: true });
  const yr = sg.relu(xr);
  const bn = new sg.nn.BatchNorm2d(64).eval();
  const bnTrain = new sg.nn.BatchNorm2d(64);
  const pool = (k: number, stride: number, padding: number, fast: boolean) => {
    setMaxPoolPlanes(fast);
    sg.noGrad(() => sg.maxPool2d(x, k, { stride, padding }));
    setMaxPoolPlanes(true);
  };
  const rows: Array<[string, number, () => void, string | null]> = [
    ['relu forward', 8 * n, () => void sg.relu(x), null],
    ['relu backward', 12 * n, () => void sg.noGrad(() => yr.gradFn!.backward(g, [true])), null],
    ['add (same shape), 02 vec4', 12 * n, () => void sg.add(x, b), null],
    ['add (same shape), 01 scalar', 12 * n, () => scalarBinary(() => sg.add(x, b)), null],
    ['maximum (same shape), 02 vec4', 12 * n, () => void sg.maximum(x, b), null],
    ['maximum (same shape), 01 scalar', 12 * n, () => scalarBinary(() => sg.maximum(x, b)), null],
    // Max pooling reads x and writes the output and its int32 indices (a quarter of x each).
    ['maxPool2d 2x2/2, 03 vec4', 4 * n + 2 * n, () => pool(2, 2, 0, true), null],
    ['maxPool2d 2x2/2, 01', 4 * n + 2 * n, () => pool(2, 2, 0, false), null],
    ['maxPool2d 3x3/2 pad 1, 02 planes', 4 * n + 2 * n, () => pool(3, 2, 1, true), null],
    ['maxPool2d 3x3/2 pad 1, 01', 4 * n + 2 * n, () => pool(3, 2, 1, false), null],
    ['add + relu (fused)', 12 * n, () => void sg.noGrad(() => addRelu(x, b)), null],
  ];
  for (const v of BATCHNORM_VERSIONS) {
    rows.push([`BatchNorm2d eval, ${v}`, 8 * n, () => void sg.noGrad(() => bn.forward(x)), v]);
    // Training forward: statistics (2 reads) + normalise (read + write); backward: reduce (2 reads) + dx (3 reads, 1 write).
    rows.push([
      `BatchNorm2d train fwd+bwd, ${v}`,
      (4 + 6) * 4 * n,
      () => {
        const xg = x.detach().requiresGrad_();
        bnTrain.forward(xg).backward(g);
        xg.grad?.dispose();
        bnTrain.zeroGrad();
      },
      v,
    ]);
  }
  const works = rows.map(([, , work, v]) => () => {
    setBatchNormVersion(v as (typeof BATCHNORM_VERSIONS)[number] | null);
    work();
  });
  const seconds = await interleaved(works, runs);
  setBatchNormVersion(null);
  for (const t of [x, b, g, yr, xr]) t.dispose();
  return rows.map(([name, bytes], i) => {
    const gbps = bytes / seconds[i] / 1e9;
    return [name, fixed(seconds[i] * 1e3, 2), fixed(gbps), `${fixed(gbps / copy, 2)} C`];
  });
}

/**
 * Forward GFLOP/s of a zoo model at `batch`, fusion on and off, as x K, with K's layer timed in
 * the same rounds (the load on this machine drifts between sections).
 */
async function forward(name: string, batch: number, runs: number): Promise<string[]> {
  const model = (await sg.models.get(name)).eval();
  const x = sg.rand([batch, 3, 224, 224]);
  const layer = kLayer();
  const run = (on: boolean) => () => {
    sg.setFusion(on);
    sg.noGrad(() => model.forward(x));
  };
  const [on, off, kSeconds] = await interleaved([run(true), run(false), layer.run], runs);
  sg.setFusion(true);
  x.dispose();
  layer.dispose();
  sg.models.disposeModel(model);
  sg.emptyCache();
  const k = layer.flops / kSeconds / 1e9;
  const flops = 2 * GMACS[name] * 1e9 * batch;
  const ratio = (s: number) => `${fixed(flops / s / 1e9 / k, 2)} K`;
  const peer = withTfjs ? speedup(on, await tfjsForward(name as 'vgg16', batch, runs)) : [];
  return [`${name} b${batch}`, fixed(on * 1e3, 0), fixed(flops / on / 1e9), fixed(k), ratio(on), ratio(off), ...peer];
}

/** The convolution shapes networks have (batch 8), forward, dX and dW each as x K (K timed in the same rounds). */
const SHAPES: Array<[string, number[], number[], number, number]> = [
  // name, x [N, C, H, W], weight [Cout, C, KH, KW], stride, padding
  ['VGG first layer 3->64 @224', [8, 3, 224, 224], [64, 3, 3, 3], 1, 1],
  ['ResNet stem 7x7/2 3->64 @224', [8, 3, 224, 224], [64, 3, 7, 7], 2, 3],
  ['1x1 256->64 @56', [8, 256, 56, 56], [64, 256, 1, 1], 1, 0],
  ['3x3/2 128->256 @28', [8, 128, 28, 28], [256, 128, 3, 3], 2, 1],
  ['3x3 512->512 @14', [8, 512, 14, 14], [512, 512, 3, 3], 1, 1],
  ['3x3 512->512 @7', [8, 512, 7, 7], [512, 512, 3, 3], 1, 1],
];

async function convShapes(runs: number): Promise<string[][]> {
  const rows: string[][] = [];
  for (const [name, xs, ws, stride, padding] of SHAPES) {
    const options = { stride, padding };
    const x = sg.uniform(xs, -1, 1);
    const w = sg.uniform(ws, -0.1, 0.1);
    // Two recorded graphs, one per gradient: each backward (graph retained) runs that gradient's kernels alone.
    const [xg, wg] = [x.detach().requiresGrad_(), w.detach().requiresGrad_()];
    const yx = sg.conv2d(xg, w, null, options);
    const yw = sg.conv2d(x, wg, null, options);
    const g = sg.uniform(yx.shape, -1, 1);
    const flops = 2 * yx.size * ws[1] * ws[2] * ws[3];
    const layer = kLayer();
    const grad = (y: sg.Tensor, leaf: sg.Tensor) => () => {
      y.backward(g, { retainGraph: true });
      leaf.grad?.dispose();
      leaf.grad = null;
    };
    const [fwd, dx, dw, kSeconds] = await interleaved(
      [() => void sg.noGrad(() => sg.conv2d(x, w, null, options)), grad(yx, xg), grad(yw, wg), layer.run],
      runs,
    );
    const k = layer.flops / kSeconds / 1e9;
    const ratio = (s: number) => `${fixed(flops / s / 1e9 / k, 2)} K`;
    rows.push([name, fixed(fwd * 1e3, 0), fixed(k), ratio(fwd), ratio(dx), ratio(dw)]);
    console.log(`  ${rows.at(-1)!.join('  ')}`);
    for (const t of [x, w, xg, wg, yx, yw, g]) t.dispose();
    layer.dispose();
    sg.emptyCache();
  }
  return rows;
}

/** ResNet-18 batch 8: a training step (forward, backward, SGD) over the eval forward. */
async function resnetTraining(runs: number): Promise<string[]> {
  const model = await sg.models.get('resnet18');
  const opt = new sg.optim.SGD(model.parameters(), { lr: 1e-3, momentum: 0.9 });
  const x = sg.rand([8, 3, 224, 224]);
  const labels = sg.tensor(Int32Array.from({ length: 8 }, (_, i) => i));
  const step = () => {
    model.train();
    const loss = sg.crossEntropy(model.forward(x) as sg.Tensor, labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  const eval_ = () => {
    model.eval();
    sg.noGrad(() => model.forward(x));
  };
  const [train, fwd] = await interleaved([step, eval_], runs);
  opt.zeroGrad();
  x.dispose();
  labels.dispose();
  sg.models.disposeModel(model);
  sg.emptyCache();
  const peer = withTfjs ? speedup(train, await tfjsResnetStep(8, runs)) : [];
  return [
    'ResNet-18 b8 training step / eval forward',
    fixed(train * 1e3, 0),
    fixed(fwd * 1e3, 0),
    `${fixed(train / fwd, 2)}x`,
    ...peer,
  ];
}

/** The MNIST CNN's step (batch 64) in seconds. */
async function mnist(runs: number): Promise<number> {
  const model = mnistNet();
  const opt = new sg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sg.rand([64, 1, 28, 28]);
  const y = sg.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10));
  const [s] = await interleaved(
    [
      () => {
        const loss = sg.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      },
    ],
    runs,
  );
  x.dispose();
  y.dispose();
  return s;
}

/** Prints the tables; `torchMnistSeconds` is PyTorch's MNIST step (bench/torch_cpu.py), if it ran. */
export async function benchNetworks(torchMnistSeconds: number | null): Promise<void> {
  const runs = quick ? 2 : 4;
  const { copy, k } = await probes(runs + 2);
  console.log(`C (vec4 copy) = ${fixed(copy)} GB/s, K (VGG-like conv layer forward) = ${fixed(k)} GFLOP/s`);
  printTable(
    `memory-bound layers over 8x64x112x112 (C = ${fixed(copy)} GB/s)`,
    ['op', 'ms', 'GB/s', 'x C'],
    await memoryBound(copy, runs),
  );
  const oursS = await mnist(runs + 2);
  const [ours, theirs] = [64 / oursS, torchMnistSeconds ? 64 / torchMnistSeconds : NaN];
  const tfMnist = withTfjs ? await tfjsMnist(64, runs + 2) : null;
  const tfColumns = (head: string[]) => (withTfjs ? [...head, 'TF.js ms', 'x TF.js'] : head);
  printTable(
    'MNIST CNN training step (batch 64) against PyTorch 1.13 on the CPU (same machine, same run)',
    tfColumns(['shadergrad images/s', 'PyTorch images/s', 'ratio']),
    [[fixed(ours, 0), fixed(theirs, 0), `${fixed(ours / theirs, 2)}x`, ...(tfMnist ? speedup(oursS, tfMnist) : [])]],
  );
  printTable('training', tfColumns(['', 'step ms', 'forward ms', 'ratio']), [await resnetTraining(quick ? 1 : 2)]);
  sg.emptyCache();
  if (process.env.BENCH_SHAPES !== '0')
    printTable(
      'convolution shapes (batch 8), as x K',
      ['shape', 'fwd ms', 'K', 'forward', 'dX', 'dW'],
      await convShapes(1),
    );
  // VGG-16 at batch 8 needs about 5 GiB of activations: only with BENCH_VGG8=1.
  const nets: Array<[string, number]> = [
    ['vgg16', 1],
    ['resnet18', 8],
    ['resnet50', 8],
  ];
  if (process.env.BENCH_VGG8) nets.push(['vgg16', 8]);
  const rows: string[][] = [];
  for (const [name, batch] of nets) {
    rows.push(await forward(name, batch, quick ? 1 : 2));
    console.log(`  ${rows.at(-1)!.join('  ')}`);
  }
  printTable('network forward at 224, eval', tfColumns(['network', 'ms', 'GFLOP/s', 'K', 'x K', 'x K unfused']), rows);
}
