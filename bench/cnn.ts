/**
 * CNN benchmarks: a VGG-like conv layer (batch 8, 64 -> 64 channels, 56x56, 3x3, pad 1) forward
 * and forward + both backward passes, beside the equivalent GEMM (M = N H W, N = Cout,
 * K = Cin 9) and TensorFlow.js; max pooling; and one training step (forward, backward, SGD) of
 * the reference MNIST network at batch 64, beside TensorFlow.js.
 */
import * as sg from '../src/index.js';
import { synchronize } from '../src/gpu/commands.js';
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

export async function benchConv(tf: Tf | null, runs: number): Promise<void> {
  const [n, c, h, w, cout] = [8, 64, 56, 56, 64];
  const flops = 2 * n * h * w * cout * c * 9;
  const x = sg.uniform([n, c, h, w], -1, 1);
  const weight = sg.uniform([cout, c, 3, 3], -0.1, 0.1);
  const bias = sg.zeros([cout]);
  const forward = await timeGpu(() => void sg.conv2d(x, weight, bias, { padding: 1 }), runs);
  const xg = sg.uniform([n, c, h, w], -1, 1, { requiresGrad: true });
  const wg = sg.uniform([cout, c, 3, 3], -0.1, 0.1, { requiresGrad: true });
  const both = await timeGpu(() => {
    sg.conv2d(xg, wg, null, { padding: 1 }).sum().backward();
    xg.grad?.dispose();
    wg.grad?.dispose();
    xg.grad = null;
    wg.grad = null;
  }, runs);
  const a = sg.uniform([n * h * w, c * 9], -1, 1);
  const b = sg.uniform([c * 9, cout], -1, 1);
  const gemm = await timeGpu(() => void sg.matmul(a, b), runs);
  let tfForward = NaN;
  if (tf) {
    const tx = tf.randomUniform([n, h, w, c]) as import('@tensorflow/tfjs-core').Tensor4D;
    const tw = tf.randomUniform([3, 3, c, cout]) as import('@tensorflow/tfjs-core').Tensor4D;
    tfForward = await timeTfjs((t) => t.conv2d(tx, tw, 1, 'same'), runs, false);
    tx.dispose();
    tw.dispose();
  }
  const g = (s: number) => flops / s / 1e9;
  printTable('conv2d, batch 8, 64 -> 64 channels, 56x56, 3x3, pad 1', ['measure', 'ms', 'GFLOP/s', 'note'], [
    ['shadergrad forward', fixed(forward * 1000), fixed(g(forward)), `${fixed((100 * gemm) / forward, 0)}% of the equivalent GEMM's speed`],
    ['equivalent GEMM 25088x64x576', fixed(gemm * 1000), fixed(g(gemm)), ''],
    ['forward + backward (input, weight)', fixed(both * 1000), '', `${fixed(both / forward)}x the forward time`],
    ['TensorFlow.js WebGPU forward', fixed(tfForward * 1000), fixed(g(tfForward)), `shadergrad ${fixed(tfForward / forward)}x faster`],
  ]);
  const pooled = sg.uniform([n, c, h, w], -1, 1);
  const pool = await timeGpu(() => void sg.maxPool2d(pooled, 2), runs);
  console.log(`max_pool2d 2x2 on [8, 64, 56, 56]: ${fixed(pool * 1000)} ms (${fixed((n * c * h * w * 4 * 1.25) / pool / 1e9)} GB/s)`);
  for (const t of [x, weight, bias, xg, wg, a, b, pooled]) t.dispose();
}

/** The reference network of the CNN issue, in shadergrad. */
class Net extends sg.nn.Module {
  features = new sg.nn.Sequential(
    new sg.nn.Conv2d(1, 32, 3, { padding: 1 }), new sg.nn.ReLU(), new sg.nn.MaxPool2d(2),
    new sg.nn.Conv2d(32, 64, 3, { padding: 1 }), new sg.nn.ReLU(), new sg.nn.MaxPool2d(2),
  );
  classifier = new sg.nn.Sequential(new sg.nn.Flatten(), new sg.nn.Linear(3136, 128), new sg.nn.ReLU(), new sg.nn.Linear(128, 10));

  forward(x: sg.Tensor): sg.Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

export async function benchTrainingStep(tf: Tf | null, runs: number): Promise<void> {
  const batch = 64;
  const model = new Net();
  const opt = new sg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sg.rand([batch, 1, 28, 28]);
  const y = sg.tensor(Array.from({ length: batch }, (_, i) => i % 10), { dtype: 'int32' });
  const ours = await timeGpu(() => {
    const loss = sg.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }, runs);
  let theirs = NaN;
  if (tf) {
    const v = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
    const w1 = v([3, 3, 1, 32], 9), b1 = v([32], 9), w2 = v([3, 3, 32, 64], 288), b2 = v([64], 288);
    const w3 = v([3136, 128], 3136), b3 = v([128], 3136), w4 = v([128, 10], 128), b4 = v([10], 128);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const tx = tf.randomUniform([batch, 28, 28, 1]);
    const ty = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
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
  printTable('one training step of the reference MNIST CNN (batch 64: forward, backward, SGD)', ['engine', 'ms per step', 'images/s'], [
    ['shadergrad', fixed(ours * 1000), fixed(batch / ours, 0)],
    ['TensorFlow.js WebGPU', fixed(theirs * 1000), fixed(batch / theirs, 0)],
    ['ratio', '', `${fixed(theirs / ours)}x`],
  ]);
}
