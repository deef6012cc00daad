/**
 * The demo: a small multi-layer perceptron learns to tell points inside a ring from points
 * outside it, with nothing but tensors and autograd. Every op below is a WGSL compute shader.
 *
 *   npm run demo
 */
import * as sg from '../src/index.js';

const info = await sg.init();
console.log(`shadergrad on ${info.adapterName}`);
sg.manualSeed(0);

// Data: 2-D points in [-1, 1]^2, labelled 1 inside the ring 0.3 < r < 0.7.
function makeData(n: number, seed: number): { x: sg.Tensor; y: sg.Tensor } {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const points: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = [random(), random()];
    const r = Math.hypot(a, b);
    points.push([a, b]);
    labels.push([r > 0.3 && r < 0.7 ? 1 : 0]);
  }
  return { x: sg.tensor(points), y: sg.tensor(labels) };
}

const train = makeData(2048, 1);
const test = makeData(1024, 2);

// Parameters, initialised as PyTorch's nn.Linear does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
function linear(fanIn: number, fanOut: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    w: sg.uniform([fanIn, fanOut], -bound, bound, { requiresGrad: true }),
    b: sg.uniform([fanOut], -bound, bound, { requiresGrad: true }),
  };
}
const layers = [linear(2, 64), linear(64, 64), linear(64, 1)];
const params = layers.flatMap((l) => [l.w, l.b]);

function forward(x: sg.Tensor): sg.Tensor {
  let h = x;
  layers.forEach((l, i) => {
    h = h.matmul(l.w).add(l.b);
    if (i < layers.length - 1) h = h.tanh();
  });
  return h; // logits
}

// Binary cross-entropy on logits, written with the primitive ops:
// log(1 + e^z) - y z, computed as max(z, 0) - y z + log(1 + e^-|z|) to stay finite.
function bceWithLogits(z: sg.Tensor, y: sg.Tensor): sg.Tensor {
  const softplus = z.relu().add(z.abs().neg().exp().add(1).log());
  return softplus.sub(z.mul(y)).mean();
}

async function accuracy(x: sg.Tensor, y: sg.Tensor): Promise<number> {
  return sg.tidy(() => sg.noGrad(() => forward(x).gt(0).eq(y).mean())).item();
}

const lr = 2.0;
const batch = 256;
const epochs = 100;
const start = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  let lastLoss: sg.Tensor | null = null;
  for (let i = 0; i < train.x.shape[0]; i += batch) {
    lastLoss?.dispose();
    lastLoss = sg.tidy(() => {
      const xb = train.x.slice(0, i, i + batch);
      const yb = train.y.slice(0, i, i + batch);
      const loss = bceWithLogits(forward(xb), yb);
      loss.backward();
      for (const p of params) {
        p.sub_(p.grad!.mul(lr)); // plain SGD
        p.grad!.dispose();
        p.grad = null;
      }
      return loss.detach();
    });
  }
  if (epoch % 20 === 0 || epoch === 1) {
    const loss = await lastLoss!.item(); // the only readback per epoch
    console.log(
      `epoch ${String(epoch).padStart(3)}  loss ${loss.toFixed(4)}  test accuracy ${(100 * (await accuracy(test.x, test.y))).toFixed(1)}%`,
    );
  }
  lastLoss?.dispose();
}
const seconds = (performance.now() - start) / 1000;
console.log(`trained ${epochs} epochs of ${train.x.shape[0]} points in ${seconds.toFixed(1)} s`);
console.log(`final test accuracy ${(100 * (await accuracy(test.x, test.y))).toFixed(1)}%`);
console.log('GPU memory:', sg.memory());
await sg.shutdown();
