/**
 * The MNIST network that tracel-ai/burn trained with PyTorch and ships as `mnist.pt` /
 * `mnist.safetensors` (examples/import-model-weights in that repository), written with
 * shadergrad's layers. The fields are declared in the same order as the PyTorch `Net`, so the
 * state-dict keys (`conv1.weight`, `norm1.running_mean`, ...) match the file's.
 */
import * as sg from '../src/index.js';

const { nn } = sg;

export class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 8, 3);
  conv2 = new nn.Conv2d(8, 16, 3);
  conv3 = new nn.Conv2d(16, 24, 3);
  norm1 = new nn.BatchNorm2d(24);
  dropout1 = new nn.Dropout(0.3);
  fc1 = new nn.Linear(24 * 22 * 22, 32);
  fc2 = new nn.Linear(32, 10);
  norm2 = new nn.BatchNorm1d(10);

  /** Log-probabilities [N, 10] of images [N, 1, 28, 28] normalised with MNIST's mean and std. */
  forward(x: sg.Tensor): sg.Tensor {
    x = this.conv1.forward(x).relu();
    x = this.conv2.forward(x).relu();
    x = this.norm1.forward(this.conv3.forward(x).relu());
    x = this.dropout1.forward(this.fc1.forward(x.flatten(1)).relu());
    return sg.logSoftmax(this.norm2.forward(this.fc2.forward(x)), 1);
  }
}

/** The normalisation the network was trained with: (x - 0.1307) / 0.3081. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** Correct predictions of `net` (in eval mode) over `images` [count * 784] in [0, 1]. */
export async function countCorrect(
  net: Net,
  images: Float32Array,
  labels: Int32Array,
  batchSize = 500,
): Promise<number> {
  let correct = 0;
  for (let start = 0; start < labels.length; start += batchSize) {
    const n = Math.min(batchSize, labels.length - start);
    const predicted = sg.noGrad(() =>
      sg.tidy(() => {
        const x = sg.tensor(images.subarray(start * 784, (start + n) * 784), { shape: [n, 1, 28, 28] });
        return net.forward(x.sub(MNIST_MEAN).div(MNIST_STD)).argmax(1);
      }),
    );
    const got = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < n; i++) if (got[i] === labels[start + i]) correct++;
  }
  return correct;
}
