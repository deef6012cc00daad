/**
 * The benchmark workloads shared by `npm run bench` (bench/cnn.ts) and the benchmark page
 * (web/bench/): the VGG-like convolution layer and the reference MNIST CNN's training step, each
 * in shadergrad and in TensorFlow.js (same shapes, same work). Browser-safe: no Node imports.
 */
import * as sg from '../src/index.js';
import type * as tfc from '@tensorflow/tfjs-core';

type Tf = typeof tfc;

/** The VGG-like layer: batch 8, 64 -> 64 channels, 56 x 56, 3 x 3, padding 1, with bias. */
export const VGG_CONV = { n: 8, c: 64, h: 56, w: 56, cout: 64 } as const;
/** Multiply-adds x 2 of the VGG-like layer's forward. */
export const VGG_CONV_FLOPS = 2 * VGG_CONV.n * VGG_CONV.h * VGG_CONV.w * VGG_CONV.cout * VGG_CONV.c * 9;

/** The VGG-like layer's tensors and its two workloads: forward, and forward + backward (input and weight). */
export function vggConv() {
  const { n, c, h, w, cout } = VGG_CONV;
  const x = sg.uniform([n, c, h, w], -1, 1);
  const weight = sg.uniform([cout, c, 3, 3], -0.1, 0.1);
  const bias = sg.uniform([cout], -0.1, 0.1);
  const xg = sg.uniform([n, c, h, w], -1, 1, { requiresGrad: true });
  const wg = sg.uniform([cout, c, 3, 3], -0.1, 0.1, { requiresGrad: true });
  return {
    forward: () => void sg.conv2d(x, weight, bias, { padding: 1 }),
    train: () => {
      sg.conv2d(xg, wg, null, { padding: 1 }).sum().backward();
      for (const t of [xg, wg]) {
        t.grad?.dispose();
        t.grad = null;
      }
    },
    dispose: () => [x, weight, bias, xg, wg].forEach((t) => t.dispose()),
  };
}

/** The same layer in TensorFlow.js (NHWC), its fused conv + bias forward; `dispose` frees the inputs. */
export function tfjsVggConv(tf: Tf) {
  const { n, c, h, w, cout } = VGG_CONV;
  const x = tf.randomUniform([n, h, w, c]) as tfc.Tensor4D;
  const filter = tf.randomUniform([3, 3, c, cout]) as tfc.Tensor4D;
  const bias = tf.randomUniform([cout]) as tfc.Tensor1D;
  return {
    forward: (t: Tf) => t.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias }),
    dispose: () => [x, filter, bias].forEach((t) => t.dispose()),
  };
}

/** The reference network of the CNN issue, in shadergrad. */
export class MnistNet extends sg.nn.Module {
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

/** One training step of MnistNet (forward, cross-entropy, backward, SGD with momentum) on a fixed batch. */
export function mnistStep(batch: number) {
  const model = new MnistNet();
  const opt = new sg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sg.rand([batch, 1, 28, 28]);
  const y = sg.tensor(
    Array.from({ length: batch }, (_, i) => i % 10),
    { dtype: 'int32' },
  );
  return {
    step: () => {
      const loss = sg.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    },
    dispose: () => {
      for (const p of model.parameters()) p.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/** The same step in TensorFlow.js (NHWC, momentum SGD); the step returns a scalar to read back. */
export function tfjsMnistStep(tf: Tf, batch: number) {
  const v = (shape: number[], fanIn: number) =>
    tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
  const [w1, b1, w2, b2] = [v([3, 3, 1, 32], 9), v([32], 9), v([3, 3, 32, 64], 288), v([64], 288)];
  const [w3, b3, w4, b4] = [v([3136, 128], 3136), v([128], 3136), v([128, 10], 128), v([10], 128)];
  const optimizer = tf.train.momentum(0.01, 0.9);
  const tx = tf.randomUniform([batch, 28, 28, 1]) as tfc.Tensor4D;
  const ty = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const pool = (t: tfc.Tensor) => tf.maxPool(t as tfc.Tensor4D, 2, 2, 'valid');
  return {
    step: () => {
      optimizer.minimize(() => {
        let h = pool(tf.relu(tf.add(tf.conv2d(tx, w1 as tfc.Tensor4D, 1, 'same'), b1)));
        h = pool(tf.relu(tf.add(tf.conv2d(h, w2 as tfc.Tensor4D, 1, 'same'), b2)));
        const f = tf.reshape(h, [batch, 3136]);
        const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(f, w3), b3)), w4), b4);
        return tf.losses.softmaxCrossEntropy(ty, logits) as tfc.Scalar;
      });
      return tf.sum(w4);
    },
    dispose: () => [w1, b1, w2, b2, w3, b3, w4, b4, tx, ty].forEach((t) => t.dispose()),
  };
}
