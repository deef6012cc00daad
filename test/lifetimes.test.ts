// Lifetimes: ops on disposed tensors throw before allocating anything, tidy releases what its
// function made when it throws, modules and optimisers free what they hold.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

/** Runs `fn`, expecting an error matching `message`, and returns the GPU memory it left behind. */
function leftBehind(fn: () => unknown, message: RegExp): { tensors: number; bytes: number } {
  const before = sg.memory();
  expect(fn).toThrow(message);
  const after = sg.memory();
  return { tensors: after.liveTensors - before.liveTensors, bytes: after.bytesInUse - before.bytesInUse };
}

describe('an op on a disposed tensor', () => {
  const live = () => sg.ones([4, 4]);
  interface Extra {
    image: sg.Tensor;
    target: sg.Tensor;
  }
  const ops: Record<string, (d: sg.Tensor, l: sg.Tensor, e: Extra) => unknown> = {
    add: (d, l) => sg.add(d, l),
    'add (second operand)': (d, l) => sg.add(l, d),
    'mul scalar': (d) => d.mul(2),
    sub: (d, l) => l.sub(d),
    div: (d, l) => d.div(l),
    maximum: (d, l) => sg.maximum(l, d),
    neg: (d) => d.neg(),
    exp: (d) => sg.exp(d),
    log: (d) => d.log(),
    relu: (d) => d.relu(),
    sigmoid: (d) => d.sigmoid(),
    tanh: (d) => d.tanh(),
    pow: (d) => d.pow(2),
    clone: (d) => d.clone(),
    sum: (d) => d.sum(),
    'sum dim': (d) => d.sum(1),
    mean: (d) => d.mean(0),
    max: (d) => d.max(1),
    argmax: (d) => d.argmax(1),
    matmul: (d, l) => l.matmul(d),
    transpose: (d) => d.transpose(0, 1),
    permute: (d) => d.permute([1, 0]),
    reshape: (d) => d.reshape([16]),
    slice: (d) => d.slice(0, 1, 3),
    cat: (d, l) => sg.cat([l, d], 0),
    expand: (d) => sg.expand(d.reshape([1, 16]), [3, 16]),
    eq: (d, l) => d.eq(l),
    where: (d, l) => sg.where(l, d, l),
    cast: (d) => d.int(),
    softmax: (d) => sg.softmax(d, 1),
    logSoftmax: (d) => sg.logSoftmax(d, 1),
    conv2d: (d, _, e) => sg.conv2d(e.image, d.reshape([1, 1, 4, 4])),
    'conv2d (input)': (d) => sg.conv2d(d.reshape([1, 1, 4, 4]), sg.ones([1, 1, 3, 3])),
    maxPool2d: (d) => sg.maxPool2d(d.reshape([1, 1, 4, 4]), 2),
    avgPool2d: (d) => sg.avgPool2d(d.reshape([1, 1, 4, 4]), 2),
    mseLoss: (d, l) => sg.mseLoss(d, l),
    crossEntropy: (d, _, e) => sg.crossEntropy(d, e.target),
    dropout: (d) => sg.dropout(d, 0.5, true),
    gelu: (d) => sg.gelu(d),
    layerNorm: (d) => sg.layerNorm(d, [4]),
    copy_: (d, l) => l.copy_(d),
    add_: (d, l) => l.add_(d),
    zerosLike: (d) => sg.zerosLike(d),
  };
  for (const [name, op] of Object.entries(ops)) {
    it(`${name} throws naming the disposal and allocates nothing`, () => {
      const d = live();
      const l = live();
      const e = { image: sg.ones([1, 1, 4, 4]), target: sg.tensor([0, 1, 2, 3], { dtype: 'int32' }) };
      d.dispose();
      const left = sg.tidy(() => leftBehind(() => op(d, l, e), /disposed/));
      expect(left).toEqual({ tensors: 0, bytes: 0 });
      for (const t of [l, e.image, e.target]) t.dispose();
    });
  }
});
