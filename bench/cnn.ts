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
  const [n, c, h, w, cout] = [8, 64, 56, 56, 64];
  const flops = 2 * n * h * w * cout * c * 9;
  const x = sg.uniform([n, c, h, w], -1, 1);
  const weight = sg.uniform([cout, c, 3, 3], -0.1, 0.1);
  const bias = sg.uniform([cout], -0.1, 0.1);
  const xg = sg.uniform([n, c, h, w], -1, 1, { requiresGrad: true });
  const wg = sg.uniform([cout, c, 3, 3], -0.1, 0.1, { requiresGrad: true });
  const forwardWork = () => void sg.conv2d(x, weight, bias, { padding: 1 });
  const trainWork = () => {
    sg.conv2d(xg, wg, null, { padding: 1 }).sum().backward();
    xg.grad?.dispose();
    wg.grad?.dispose();
    xg.grad = null;
    wg.grad = null;
  };
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
    const tx = tf.randomUniform([n, h, w, c]) as import('@tensorflow/tfjs-core').Tensor4D;
    const tw = tf.randomUniform([3, 3, c, cout]) as import('@tensorflow/tfjs-core').Tensor4D;
    const tb = tf.randomUniform([cout]) as import('@tensorflow/tfjs-core').Tensor1D;
    // tfjs's own fused path, which adds the bias in the convolution's program as we do.
    tfForward = await timeTfjs(
      (t) => t.fused.conv2d({ x: tx, filter: tw, strides: 1, pad: 'same', bias: tb }),
      runs,
      false,
    );
    tx.dispose();
    tw.dispose();
    tb.dispose();
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
  for (const t of [x, weight, bias, xg, wg, a, b, pooled]) t.dispose();
}

/** The reference MNIST network (bench/networks.ts times it against PyTorch). */
export const mnistNet = () => new Net();

/** The reference network of the CNN issue, in shadergrad. */
class Net extends sg.nn.Module {
  features = new sg.nn.Sequential(
    new sg.nn.Conv2d(1, 32, 3, { padding: 1 }),
    new sg.nn.ReLU(),
    new sg.nn.MaxPool2d(2),
    new sg.nn.Conv2d(32, 64, 3, { padding: 1 }),
    new sg.nn.ReLU(),
    new sg.nn.MaxPool2d(2),
  );
  classifier = new sg.nn.Sequential(
    new sg.nn.Flatten(),
    new sg.nn.Linear(3136, 128),
    new sg.nn.ReLU(),
    new sg.nn.Linear(128, 10),
  );

  forward(x: sg.Tensor): sg.Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

export async function benchTrainingStep(tf: Tf | null, runs: number): Promise<void> {
  const batch = 64;
  const model = new Net();
  const opt = new sg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sg.rand([batch, 1, 28, 28]);
  const y = sg.tensor(
    Array.from({ length: batch }, (_, i) => i % 10),
    { dtype: 'int32' },
  );
  const ours = await timeGpu(() => {
    const loss = sg.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }, runs);
  let theirs = NaN;
  if (tf) {
    const v = (shape: number[], fanIn: number) =>
      tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
    const w1 = v([3, 3, 1, 32], 9),
      b1 = v([32], 9),
      w2 = v([3, 3, 32, 64], 288),
      b2 = v([64], 288);
    const w3 = v([3136, 128], 3136),
      b3 = v([128], 3136),
      w4 = v([128, 10], 128),
      b4 = v([10], 128);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const tx = tf.randomUniform([batch, 28, 28, 1]);
    const ty = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % 10),
        'int32',
      ),
      10,
    );
    const step = () => {
      optimizer.minimize(() => {
        let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(tx as never, w1 as never, 1, 'same'), b1)) as never, 2, 2, 'valid');
        h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h as never, w2 as never, 1, 'same'), b2)) as never, 2, 2, 'valid');
        const f = tf.reshape(h, [batch, 3136]);
        const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(f, w3), b3)), w4), b4);
        return tf.losses.softmaxCrossEntropy(ty, logits) as import('@tensorflow/tfjs-core').Scalar;
      });
      return tf.sum(w4);
    };
    theirs = await timeTfjs(() => step(), runs, false);
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
