/**
 * The networks of bench/networks.ts in TensorFlow.js (its WebGPU backend, bench/tfjs_peer.ts), for
 * the "x TF.js" column: VGG-16 and ResNet-18/50 forward at 224 (eval), a ResNet-18 training step
 * and the MNIST CNN's training step (bench/workloads.ts). Written with tf ops (NHWC), random
 * weights, the same shapes and work as torchvision's networks:
 *   - eval forward: batch norm folded into each convolution's bias, convolution + bias (+ ReLU)
 *     as one `tf.fused.conv2d` (what TF.js's converter makes of a frozen model; shadergrad folds
 *     eval batch norm and fuses conv + bias + ReLU too), dropout absent (eval);
 *   - training step: convolutions without bias, batch norm in training mode (batch statistics,
 *     `tf.moments` + `tf.batchNorm`), cross-entropy, `tf.train.momentum` (SGD, momentum 0.9).
 * Each function returns seconds per run (median after a warm-up run, synchronised by reading the
 * result back, as `timeTfjs` does) or the reason TF.js could not run it.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { loadTfjs, tfjsFailure, timeTfjs } from './tfjs_peer.js';
import { tfjsMnistStep } from './workloads.js';

type Tf = typeof tfc;
type T4 = tfc.Tensor4D;

/** Seconds per run, or why TF.js did not give one. */
export type TfjsTime = { seconds: number } | { failed: string };

/** Random He-like weights: a [k, k, cin, cout] filter (or [cin, cout] matrix) and its bias. */
function weight(tf: Tf, shape: number[], trainable = false): tfc.Variable | tfc.Tensor {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const w = tf.randomUniform(shape, -Math.sqrt(6 / fanIn), Math.sqrt(6 / fanIn));
  return trainable ? tf.variable(w) : w;
}

/** Every tensor a network holds, to dispose at the end. */
class Params {
  readonly all: tfc.Tensor[] = [];
  constructor(
    private readonly tf: Tf,
    readonly trainable: boolean,
  ) {}
  /** A filter [k, k, cin, cout] (+ bias [cout] in eval: batch norm folded in). */
  conv(k: number, cin: number, cout: number): { w: T4; b: tfc.Tensor1D | null; gamma?: tfc.Tensor; beta?: tfc.Tensor } {
    const w = weight(this.tf, [k, k, cin, cout], this.trainable) as T4;
    this.all.push(w);
    if (!this.trainable) {
      const b = this.tf.randomUniform([cout], -0.1, 0.1) as tfc.Tensor1D;
      this.all.push(b);
      return { w, b };
    }
    const gamma = this.tf.variable(this.tf.ones([cout]));
    const beta = this.tf.variable(this.tf.zeros([cout]));
    this.all.push(gamma, beta);
    return { w, b: null, gamma, beta };
  }
  linear(cin: number, cout: number): { w: tfc.Tensor2D; b: tfc.Tensor1D } {
    const w = weight(this.tf, [cin, cout], this.trainable) as tfc.Tensor2D;
    const b = (this.trainable ? this.tf.variable(this.tf.zeros([cout])) : this.tf.zeros([cout])) as tfc.Tensor1D;
    this.all.push(w, b);
    return { w, b };
  }
}

type Conv = ReturnType<Params['conv']>;

/** Convolution (explicit symmetric padding, as PyTorch's), then bias or training batch norm, then ReLU if `relu`. */
function conv(tf: Tf, x: T4, c: Conv, stride: number, pad: number, relu: boolean): T4 {
  if (c.b)
    return tf.fused.conv2d({ x, filter: c.w, strides: stride, pad, bias: c.b, activation: relu ? 'relu' : 'linear' });
  const y = tf.conv2d(x, c.w, stride, pad);
  const { mean, variance } = tf.moments(y, [0, 1, 2]);
  const n = tf.batchNorm(y, mean, variance, c.beta!, c.gamma!, 1e-5);
  return (relu ? tf.relu(n) : n) as T4;
}

const VGG16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

/** VGG-16 (torchvision's `vgg16`, eval): 13 convolutions + ReLU, 5 max pools, three linear layers. */
function vgg16(tf: Tf, p: Params): (x: T4) => tfc.Tensor {
  let cin = 3;
  const layers = VGG16.map((v) => {
    if (v === 'M') return 'M' as const;
    const c = p.conv(3, cin, v);
    cin = v;
    return c;
  });
  const fc = [p.linear(512 * 7 * 7, 4096), p.linear(4096, 4096), p.linear(4096, 1000)];
  return (x) => {
    let h = x;
    for (const l of layers) h = l === 'M' ? tf.maxPool(h, 2, 2, 'valid') : conv(tf, h, l, 1, 1, true);
    let f = tf.reshape(h, [h.shape[0], -1]) as tfc.Tensor2D;
    fc.forEach((l, i) => {
      f = tf.fused.matMul({ a: f, b: l.w, bias: l.b, activation: i < 2 ? 'relu' : 'linear' }) as tfc.Tensor2D;
    });
    return f;
  };
}

/** ResNet-18 (basic blocks) or ResNet-50 (bottlenecks, stride on the 3x3 as torchvision's v1.5). */
function resnet(tf: Tf, p: Params, depth: 18 | 50): (x: T4) => tfc.Tensor {
  const bottleneck = depth === 50;
  const expansion = bottleneck ? 4 : 1;
  const stem = p.conv(7, 3, 64);
  type Block = { convs: Conv[]; down: Conv | null; stride: number };
  const blocks: Block[] = [];
  let cin = 64;
  [64, 128, 256, 512].forEach((width, stage) => {
    for (let i = 0; i < 2 + (bottleneck ? [1, 2, 4, 1][stage] : 0); i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const cout = width * expansion;
      const convs = bottleneck
        ? [p.conv(1, cin, width), p.conv(3, width, width), p.conv(1, width, cout)]
        : [p.conv(3, cin, width), p.conv(3, width, width)];
      blocks.push({ convs, down: stride !== 1 || cin !== cout ? p.conv(1, cin, cout) : null, stride });
      cin = cout;
    }
  });
  const fc = p.linear(cin, 1000);
  const block = (x: T4, b: Block): T4 => {
    let h = x;
    // The stride is on the first 3x3 (basic block) or on the 3x3 between the 1x1s (bottleneck).
    const strided = bottleneck ? 1 : 0;
    b.convs.forEach((c, i) => {
      const k = c.w.shape[0];
      h = conv(tf, h, c, i === strided ? b.stride : 1, k === 3 ? 1 : 0, i < b.convs.length - 1);
    });
    const identity = b.down ? conv(tf, x, b.down, b.stride, 0, false) : x;
    return tf.relu(tf.add(h, identity)) as T4;
  };
  return (x) => {
    let h = tf.maxPool(conv(tf, x, stem, 2, 3, true), 3, 2, 1);
    for (const b of blocks) h = block(h, b);
    const pooled = tf.mean(h, [1, 2]) as tfc.Tensor2D;
    return tf.add(tf.matMul(pooled, fc.w), fc.b);
  };
}

const NETWORKS = {
  vgg16,
  resnet18: (tf: Tf, p: Params) => resnet(tf, p, 18),
  resnet50: (tf: Tf, p: Params) => resnet(tf, p, 50),
};

/** The first line of an error, or of TF.js's load failure. */
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 120);

/**
 * Runs `work` with TF.js loaded, freeing what it made; a failure becomes its reason. WebGPU
 * validation errors (TF.js does not check them: a bind group over the binding size limit only
 * shows on the console, and the "result" comes back early) are caught in an error scope of
 * TF.js's device, so that such a run is reported as failed, not as a time.
 */
async function withTfjs(work: (tf: Tf, p: Params) => Promise<number>, trainable: boolean): Promise<TfjsTime> {
  const tf = await loadTfjs();
  if (!tf) return { failed: `TF.js did not load: ${tfjsFailure()}` };
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  const p = new Params(tf, trainable);
  device?.pushErrorScope('validation');
  device?.pushErrorScope('out-of-memory');
  try {
    const seconds = await work(tf, p);
    const errors = device ? [await device.popErrorScope(), await device.popErrorScope()] : [];
    const error = errors.find((e) => e);
    return error ? { failed: `WebGPU error: ${reason(error.message)}` } : { seconds };
  } catch (e) {
    await device?.popErrorScope();
    await device?.popErrorScope();
    return { failed: reason(e) };
  } finally {
    p.all.forEach((t) => t.dispose());
  }
}

/** Eval forward of `name` (vgg16, resnet18, resnet50) on a random [batch, 224, 224, 3] input. */
export function tfjsForward(name: keyof typeof NETWORKS, batch: number, runs: number): Promise<TfjsTime> {
  return withTfjs(async (tf, p) => {
    const net = NETWORKS[name](tf, p);
    const x = tf.randomUniform([batch, 224, 224, 3]) as T4;
    p.all.push(x);
    return timeTfjs(() => net(x), runs);
  }, false);
}

/** ResNet-18's training step at `batch` (forward with batch statistics, cross-entropy, backward, momentum SGD). */
export function tfjsResnetStep(batch: number, runs: number): Promise<TfjsTime> {
  return withTfjs(async (tf, p) => {
    const net = resnet(tf, p, 18);
    const x = tf.randomUniform([batch, 224, 224, 3]) as T4;
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i),
        'int32',
      ),
      1000,
    );
    const optimizer = tf.train.momentum(1e-3, 0.9);
    p.all.push(x, labels);
    try {
      return await timeTfjs(
        () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, net(x)) as tfc.Scalar, true)!,
        runs,
      );
    } finally {
      optimizer.dispose();
    }
  }, true);
}

/** The MNIST CNN's training step at `batch` (bench/workloads.ts's `tfjsMnistStep`). */
export function tfjsMnist(batch: number, runs: number): Promise<TfjsTime> {
  return withTfjs(async () => {
    const tf = (await loadTfjs())!;
    const peer = tfjsMnistStep(tf, batch);
    try {
      return await timeTfjs(() => peer.step(), runs);
    } finally {
      peer.dispose();
    }
  }, false);
}

/** Our seconds over TF.js's as "N.NNx" (how many times faster shadergrad ran), or why there is no ratio. */
export function speedup(ours: number, theirs: TfjsTime): [string, string] {
  if ('failed' in theirs) return ['-', `TF.js failed: ${theirs.failed}`];
  return [(theirs.seconds * 1e3).toFixed(0), `${(theirs.seconds / ours).toFixed(2)}x`];
}
