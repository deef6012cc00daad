/**
 * Multi-task learning, as in the PyTorch tutorials that predict two things from one image (say
 * a face's age and gender): one shared backbone, two heads, and the sum of their losses.
 *
 * Here each MNIST digit is rotated by a random angle in [-45, 45] degrees; the classification
 * head names the digit (cross-entropy) and the regression head estimates the angle (L1 loss on
 * angle / 45). One backward pass through the summed loss trains the backbone for both.
 *
 *   node tools/run.mjs examples/multitask.ts
 */
import * as sg from '../src/index.js';

const { nn, optim } = sg;
const MAX_ANGLE = 45;

class DigitAndAngle extends nn.Module {
  backbone = new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 128),
    new nn.ReLU(true),
  );
  classifier = new nn.Linear(128, 10); // which digit
  regressor = new nn.Linear(128, 1); //   its angle / 45

  /** Both heads' outputs from one pass through the backbone. */
  heads(x: sg.Tensor): { logits: sg.Tensor; angle: sg.Tensor } {
    const features = this.backbone.forward(x);
    return { logits: this.classifier.forward(features), angle: this.regressor.forward(features).flatten() };
  }

  forward(x: sg.Tensor): sg.Tensor {
    return this.heads(x).logits;
  }
}

/** Every digit rotated by a seeded random angle (bilinear), with the angles. */
function rotated(set: sg.data.DigitSet, seed: number): { images: Float32Array; angles: Float32Array } {
  const random = sg.data.seededRandom(seed);
  const images = new Float32Array(set.images.length);
  const angles = new Float32Array(set.count);
  const rgb = { width: 28, height: 28, channels: 3 as const, data: new Uint8Array(784 * 3) };
  for (let i = 0; i < set.count; i++) {
    for (let p = 0; p < 784; p++) rgb.data.fill(Math.round(255 * set.images[i * 784 + p]), p * 3, p * 3 + 3);
    angles[i] = (2 * random() - 1) * MAX_ANGLE;
    const out = sg.transforms.rotateImage(rgb, angles[i], 'bilinear');
    for (let p = 0; p < 784; p++) images[i * 784 + p] = out.data[p * 3] / 255;
  }
  return { images, angles };
}

const batchOf = (images: Float32Array, from: number, n: number) =>
  sg.tensor(images.subarray(from * 784, (from + n) * 784), { shape: [n, 1, 28, 28] });

await sg.init();
sg.manualSeed(0);
const { train, test } = await sg.data.loadMnist({ trainCount: 4000, seed: 1 });
const testSet = {
  ...test,
  images: test.images.subarray(0, 1000 * 784),
  labels: test.labels.subarray(0, 1000),
  count: 1000,
};
const trainData = rotated(train, 2);
const testData = rotated(testSet, 3);
const model = new DigitAndAngle();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const batchSize = 64;

for (let epoch = 1; epoch <= 4; epoch++) {
  const started = performance.now();
  model.train();
  const sums = [] as sg.Tensor[];
  for (let from = 0; from + batchSize <= train.count; from += batchSize) {
    sg.tidy(() => {
      const { logits, angle } = model.heads(batchOf(trainData.images, from, batchSize));
      const classLoss = sg.crossEntropy(
        logits,
        sg.tensor(train.labels.subarray(from, from + batchSize), { dtype: 'int32' }),
      );
      const angleLoss = sg.l1Loss(angle, sg.tensor(trainData.angles.subarray(from, from + batchSize)).div(MAX_ANGLE));
      const loss = classLoss.add(angleLoss); // one graph, one backward, both heads
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      sums.push(sg.keep(sg.cat([classLoss.reshape([1]), angleLoss.reshape([1])])));
    });
  }
  const losses = sg.tidy(() => sg.cat(sums).reshape([sums.length, 2]).mean(0));
  const [classLoss, angleLoss] = await losses.data();
  for (const t of [...sums, losses]) t.dispose();

  model.eval();
  const out = sg.noGrad(() =>
    sg.tidy(() => {
      const { logits, angle } = model.heads(batchOf(testData.images, 0, testSet.count));
      return sg.keep(sg.cat([logits.argmax(1).float(), angle.mul(MAX_ANGLE)]));
    }),
  );
  const values = await out.data();
  out.dispose();
  let correct = 0;
  let absError = 0;
  for (let i = 0; i < testSet.count; i++) {
    if (values[i] === testSet.labels[i]) correct++;
    absError += Math.abs(values[testSet.count + i] - testData.angles[i]);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `epoch ${epoch}: train loss ${classLoss.toFixed(4)} (digit) + ${angleLoss.toFixed(4)} (angle)  ` +
      `test: digit accuracy ${((100 * correct) / testSet.count).toFixed(1)}%, angle error ${(absError / testSet.count).toFixed(1)} degrees  (${seconds.toFixed(1)} s)`,
  );
}
await sg.shutdown();
