// The depthwise conv2d kernels (shaders/depthwise_conv2d/) against float64 references: forward,
// dx, dW and db on odd shapes (planes that do not divide the 2 x 4 tiles or the workgroups),
// kernels 1 to 7, strides 1 to 3, padding, dilation 2, channel multipliers 1 to 3, with and
// without bias, outputs in NaN-poisoned buffers; the reference gradients by central differences.
import { describe, it, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { convOutputSize } from '../src/ops/conv.js';
import { depthwiseConv2d, depthwiseFits, type DepthwiseGeometry } from '../src/ops/depthwise_conv.js';
import { conv2dRefOp } from './ref/conv_backward.js';
import { checkOp, randomNd } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

interface Case { x: [number, number, number, number]; k: [number, number]; mult?: number; stride?: [number, number]; padding?: [number, number]; dilation?: [number, number]; bias?: boolean }

function run(cs: Case) {
  const [n, c, h, w] = cs.x;
  const stride = cs.stride ?? [1, 1];
  const pad = cs.padding ?? [0, 0];
  const dil = cs.dilation ?? [1, 1];
  const cout = c * (cs.mult ?? 1);
  const g: DepthwiseGeometry = {
    n, c, h, w, cout, kh: cs.k[0], kw: cs.k[1], stride, pad, dil,
    oh: convOutputSize(h, cs.k[0], stride[0], pad[0], dil[0]), ow: convOutputSize(w, cs.k[1], stride[1], pad[1], dil[1]),
  };
  return { g, o: { stride, padding: pad, dilation: dil, groups: c }, wShape: [cout, 1, cs.k[0], cs.k[1]], cout };
}

const cases: Case[] = [
  { x: [2, 5, 7, 9], k: [3, 3], padding: [1, 1], bias: true },
  { x: [1, 5, 7, 9], k: [3, 3], stride: [2, 2], padding: [1, 1], bias: true },
  { x: [3, 5, 7, 9], k: [5, 5], padding: [2, 2] },
  { x: [2, 5, 7, 9], k: [5, 5], stride: [2, 2], padding: [2, 2], mult: 2, bias: true },
  { x: [1, 5, 9, 11], k: [7, 7], padding: [3, 3], bias: true },
  { x: [2, 5, 7, 9], k: [3, 3], padding: [2, 2], dilation: [2, 2], bias: true },
  { x: [1, 3, 7, 9], k: [3, 3], mult: 2 },
  { x: [2, 4, 10, 13], k: [3, 5], stride: [1, 2], padding: [1, 0], mult: 3, bias: true },
  { x: [1, 5, 11, 10], k: [3, 3], stride: [3, 3], padding: [1, 1] },
  { x: [1, 2, 6, 5], k: [1, 1], stride: [2, 1], bias: true },
  { x: [1, 3, 5, 6], k: [2, 2], padding: [3, 2], dilation: [1, 2] },
  { x: [2, 6, 37, 70], k: [3, 3], padding: [1, 1], bias: true },
];

describe('depthwise conv2d kernels', () => {
  for (const cs of cases) {
    const { g, o, wShape, cout } = run(cs);
    const name = `x ${cs.x.join('x')}, k ${cs.k.join('x')}, stride ${o.stride.join('x')}, pad ${o.padding.join('x')}, dilation ${o.dilation.join('x')}, multiplier ${cout / cs.x[1]}${cs.bias ? ', bias' : ''}`;
    it(name, async () => {
      if (!depthwiseFits(g)) throw new Error(`${name}: not covered by the depthwise kernels`);
      const inputs = [randomNd(cs.x, 1), randomNd(wShape, 2)];
      if (cs.bias) inputs.push(randomNd([cout], 3));
      await checkOp(name, inputs, (x, w, b) => depthwiseConv2d(x, w, b ?? null, g), conv2dRefOp(o), { gradTol: { rtol: 1e-4, atol: 1e-4 } });
    });
  }
});
