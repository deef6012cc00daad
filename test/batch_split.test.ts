// Convolution, max pooling and batch norm with running statistics split a batch whose input or
// output would exceed the storage-binding limit into runs of samples, with the same results and
// gradients as one launch. The limit is lowered for the test (only the split sizes change).
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { setBindingLimitForTesting } from '../src/gpu/chunks.js';
import { expectClose } from './helpers.js';

const { nn } = sg;

async function forwardAndGrad(
  limit: number | null,
  make: () => { x: sg.Tensor; f: (x: sg.Tensor) => sg.Tensor },
): Promise<[Float32Array, Float32Array | null]> {
  setBindingLimitForTesting(limit);
  const { x, f } = make();
  const y = f(x);
  const out = (await y.data()) as Float32Array;
  let grad: Float32Array | null = null;
  if (x.requiresGrad) {
    y.mul(y).sum().backward();
    grad = (await x.grad!.data()) as Float32Array;
  }
  setBindingLimitForTesting(null);
  return [out, grad];
}

describe('per-sample ops split batches that do not fit one binding', () => {
  beforeAll(async () => {
    await sg.init({ tune: false });
  });
  afterEach(() => setBindingLimitForTesting(null));

  // [7, 3, 9, 11] floats are 8,316 bytes; a 2 KiB limit runs them as 7 single samples of 1,188 bytes.
  const LIMIT = 2048;
  const input = () => {
    sg.manualSeed(5);
    return sg.randn([7, 3, 9, 11]).requiresGrad_();
  };

  it('conv2d: same output and input gradient', async () => {
    sg.manualSeed(9);
    const conv = new nn.Conv2d(3, 4, 3, { padding: 1 });
    const make = () => ({ x: input(), f: (x: sg.Tensor) => conv.forward(x) });
    const [y1, g1] = await forwardAndGrad(null, make);
    const [y2, g2] = await forwardAndGrad(LIMIT, make);
    expectClose(y2, y1, 'split conv2d output', { atol: 1e-6, rtol: 1e-5 });
    expectClose(g2!, g1!, 'split conv2d input gradient', { atol: 1e-5, rtol: 1e-5 });
  });

  it('maxPool2d: same output and input gradient', async () => {
    const make = () => ({ x: input(), f: (x: sg.Tensor) => sg.maxPool2d(x, 2, { ceilMode: true }) });
    const [y1, g1] = await forwardAndGrad(null, make);
    const [y2, g2] = await forwardAndGrad(LIMIT, make);
    expect(Array.from(y2)).toEqual(Array.from(y1));
    expect(Array.from(g2!)).toEqual(Array.from(g1!));
  });

  it('batchNorm2d in eval mode: same output', async () => {
    const bn = new nn.BatchNorm2d(3);
    bn.running_mean.copy_(sg.tensor([0.5, -1, 2]));
    bn.running_var.copy_(sg.tensor([2, 0.5, 1.5]));
    bn.eval();
    const make = () => ({ x: input().detach(), f: (x: sg.Tensor) => bn.forward(x) });
    const [y1] = await forwardAndGrad(null, make);
    const [y2] = await forwardAndGrad(LIMIT, make);
    expectClose(y2, y1, 'split batch norm output', { atol: 1e-6, rtol: 1e-6 });
  });

  it('a single sample larger than the limit is refused with the shape', () => {
    setBindingLimitForTesting(512);
    const x = sg.randn([2, 3, 9, 11]);
    expect(() => sg.maxPool2d(x, 2)).toThrow(/one sample of input \[2, 3, 9, 11\]/);
  });
});
