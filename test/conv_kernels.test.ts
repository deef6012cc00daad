// Every conv2d kernel path (shaders/conv2d/ versions 01-03, the weight-gradient kernels with and
// without subgroups, and the im2col + matmul version), forced one at a time, against float64
// references: the forward of test/ref/cnn.ts and, here, the gradients written as the textbook
// sums (dx[n, ci, ih, iw] = sum dy W over the taps that read (ih, iw); dW = sum dy x; db = sum dy),
// themselves checked by central differences. Outputs land in NaN-poisoned buffers, and the shapes
// leave ragged edges: rows not multiples of 8, pixels not multiples of 4 or of a workgroup's 256.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { gpuDevice } from '../src/gpu/device.js';
import {
  CONV_VERSIONS,
  chosenConvVersion,
  convOutputSize,
  convPath,
  setConvVersion,
  type ConvVersion,
} from '../src/ops/conv.js';
import { conv2dRef, type Arr, type ConvRefOptions } from './ref/cnn.js';
import { expectClose, poisonPool, randomNd } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});
afterEach(() => setConvVersion(null));

/** The gradients of sum(conv2d(x, w, b) * r) by their definitions, in float64. */
function conv2dGradRef(
  x: Arr,
  w: Arr,
  r: Arr,
  o: ConvRefOptions,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const [n, c, h, wd] = x.shape;
  const [cout, cg, kh, kw] = w.shape;
  const [, , oh, ow] = r.shape;
  const coutG = cout / o.groups;
  const dx = new Float64Array(x.data.length);
  const dw = new Float64Array(w.data.length);
  const db = new Float64Array(cout);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cout; co++) {
      const g = Math.floor(co / coutG);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          const dy = r.data[((b * cout + co) * oh + y) * ow + xx];
          db[co] += dy;
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const ih = y * o.stride[0] - o.padding[0] + i * o.dilation[0];
                const iw = xx * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                const xi = ((b * c + g * cg + ci) * h + ih) * wd + iw;
                const wi = ((co * cg + ci) * kh + i) * kw + j;
                dx[xi] += dy * w.data[wi];
                dw[wi] += dy * x.data[xi];
              }
        }
    }
  return { dx, dw, db };
}

interface Case {
  name: string;
  x: number[];
  w: number[];
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  groups?: number;
}

const cases: Case[] = [
  {
    name: 'VGG-like 3x3 pad 1 (row window forward and dx), 9 rows',
    x: [2, 5, 8, 12],
    w: [9, 5, 3, 3],
    padding: [1, 1],
  },
  {
    name: '3x3 pad 1 over more than one workgroup of pixels, 17 rows',
    x: [1, 3, 20, 20],
    w: [17, 3, 3, 3],
    padding: [1, 1],
  },
  { name: '1x1 (pointwise)', x: [2, 6, 7, 8], w: [10, 6, 1, 1] },
  { name: '1x1, C and H W multiples of 4 (the vec4 matmul on the input itself)', x: [3, 8, 5, 4], w: [13, 8, 1, 1] },
  { name: '1x1 stride 2 (a downsampling shortcut), 4x4 output', x: [2, 8, 7, 7], w: [9, 8, 1, 1], stride: [2, 2] },
  {
    name: '3x3 stride 2, 5x5 output (H W not a multiple of 4: no vec4 matmul)',
    x: [2, 4, 10, 9],
    w: [6, 4, 3, 3],
    stride: [2, 2],
    padding: [1, 1],
  },
  {
    name: '11x11 stride 4 pad 2 (AlexNet first layer)',
    x: [1, 3, 31, 35],
    w: [5, 3, 11, 11],
    stride: [4, 4],
    padding: [2, 2],
  },
  { name: '7x7 stride 2 pad 3 (ResNet stem)', x: [2, 3, 20, 18], w: [6, 3, 7, 7], stride: [2, 2], padding: [3, 3] },
  { name: 'groups 3, width 16', x: [2, 6, 9, 16], w: [9, 2, 3, 3], padding: [1, 1], groups: 3 },
  { name: 'depthwise 3x3 stride 2', x: [1, 4, 7, 9], w: [4, 1, 3, 3], stride: [2, 2], padding: [1, 1], groups: 4 },
  {
    name: '3x5, stride (2, 1), pad (0, 2) (row window along the width only)',
    x: [1, 3, 9, 12],
    w: [4, 3, 3, 5],
    stride: [2, 1],
    padding: [0, 2],
  },
  { name: 'dilation 2, odd sizes', x: [2, 3, 11, 10], w: [5, 3, 3, 3], padding: [2, 2], dilation: [2, 2] },
  { name: 'padding wider than the kernel reach', x: [1, 2, 5, 6], w: [3, 2, 2, 2], padding: [3, 2] },
  { name: 'output width 8 from input width 10 (row window forward, not for dx)', x: [2, 3, 6, 10], w: [5, 3, 3, 3] },
  { name: 'KW 4, pad 5 (window dW with its checked head)', x: [1, 2, 4, 9], w: [3, 2, 1, 4], padding: [0, 5] },
];

async function checkCase(cs: Case, version: ConvVersion | null): Promise<void> {
  const o = {
    stride: cs.stride ?? [1, 1],
    padding: cs.padding ?? [0, 0],
    dilation: cs.dilation ?? [1, 1],
    groups: cs.groups ?? 1,
  } as ConvRefOptions;
  const what = `${version ?? 'adapter choice'}, ${cs.name}`;
  const x = randomNd(cs.x, 1);
  const w = randomNd(cs.w, 2);
  const b = randomNd([cs.w[0]], 3);
  const want = conv2dRef(x, w, b, o);
  const r = randomNd(want.shape, 4, -1.5, 1.5);
  const grads = conv2dGradRef(x, w, r, o);
  setConvVersion(version);
  const bytes = 4 * Math.max(x.data.length, want.data.length, w.data.length);
  poisonPool(bytes);
  const [tx, tw, tb] = [x, w, b].map((a) => sg.tensor(a.data, { shape: a.shape, requiresGrad: true }));
  const out = sg.conv2d(tx, tw, tb, o);
  expect(out.shape, what).toEqual(want.shape);
  expectClose(await out.data(), want.data, `${what}: forward`);
  poisonPool(bytes);
  out
    .mul(sg.tensor(r.data, { shape: r.shape }))
    .sum()
    .backward();
  expectClose(await tx.grad!.data(), grads.dx, `${what}: dx`);
  expectClose(await tw.grad!.data(), grads.dw, `${what}: dW`, { rtol: 1e-4, atol: 1e-4 });
  expectClose(await tb.grad!.data(), grads.db, `${what}: db`, { rtol: 1e-4, atol: 1e-4 });
  // No bias: the HAS_BIAS = false specialisation.
  poisonPool(bytes);
  const plain = sg.conv2d(sg.tensor(x.data, { shape: x.shape }), sg.tensor(w.data, { shape: w.shape }), null, o);
  expectClose(await plain.data(), conv2dRef(x, w, null, o).data, `${what}: forward without bias`);
}

describe('conv2d kernel paths', () => {
  for (const version of [null, ...CONV_VERSIONS]) {
    it(`${version ?? "the adapter's choice per shape"}: forward, dx, dW and db on every case`, async () => {
      for (const cs of cases) await checkCase(cs, version);
    });
  }

  it('the gradient reference agrees with central differences', () => {
    const o: ConvRefOptions = { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 };
    const [x, w, b] = [randomNd([1, 4, 5, 6], 5), randomNd([4, 2, 3, 2], 6), randomNd([4], 7)];
    const r = randomNd(conv2dRef(x, w, b, o).shape, 8);
    const grads = conv2dGradRef(x, w, r, o);
    const loss = (xs: Arr[]) => conv2dRef(xs[0], xs[1], xs[2], o).data.reduce((s, v, i) => s + v * r.data[i], 0);
    for (const [k, exact] of [grads.dx, grads.dw, grads.db].entries()) {
      const numeric = Array.from(exact, (_, i) => {
        const shifted = (d: number) =>
          [x, w, b].map((a, j) =>
            j === k ? { shape: a.shape, data: a.data.map((v, q) => (q === i ? v + d : v)) } : a,
          );
        return (loss(shifted(1e-6)) - loss(shifted(-1e-6))) / 2e-6;
      });
      expectClose(exact, numeric, `reference gradient of input ${k}`, { rtol: 1e-6, atol: 1e-7 });
    }
  });

  it('chooses the row window with subgroups of 8 or more lanes, version 02 without', () => {
    const info = (gpuDevice() as GPUDevice & { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo;
    const subgroups = sg.deviceInfo().features.includes('subgroups') && (info?.subgroupMinSize ?? 0) >= 8;
    expect(chosenConvVersion()).toBe(subgroups ? '03_implicit_subgroup_row_window' : '02_implicit_uniform_rows');
    setConvVersion('im2col_matmul');
    expect(chosenConvVersion()).toBe('im2col_matmul');
  });

  it('routes each shape to the matmul only where its vec4 versions run (else the implicit kernels)', () => {
    const info = (gpuDevice() as GPUDevice & { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo;
    const subgroups = sg.deviceInfo().features.includes('subgroups') && (info?.subgroupMinSize ?? 0) >= 8;
    const route = ([n, c, h, w]: number[], [cout, , kh, kw]: number[], s: number, p: number) => {
      const [oh, ow] = [convOutputSize(h, kh, s, p, 1), convOutputSize(w, kw, s, p, 1)];
      const [stride, pad, dil]: Array<[number, number]> = [
        [s, s],
        [p, p],
        [1, 1],
      ];
      return convPath({ n, c, h, w, cout, groups: 1, oh, ow, kh, kw, stride, pad, dil });
    };
    const matmulIfSubgroups = subgroups ? 'im2col' : 'implicit';
    expect(route([8, 256, 56, 56], [64, 256, 1, 1], 1, 0), 'ResNet-50 1x1').toBe(matmulIfSubgroups);
    expect(route([8, 128, 28, 28], [256, 128, 3, 3], 2, 1), '3x3/2 to 14x14').toBe(matmulIfSubgroups);
    expect(route([8, 3, 224, 224], [64, 3, 7, 7], 2, 3), 'ResNet stem, Cin KH KW = 147').toBe('implicit');
    expect(route([8, 256, 14, 14], [512, 256, 3, 3], 2, 1), '3x3/2 to 7x7 planes').toBe('implicit');
    expect(route([8, 512, 7, 7], [2048, 512, 1, 1], 1, 0), '1x1 on 7x7 planes').toBe('implicit');
    expect(route([8, 64, 56, 56], [64, 64, 3, 3], 1, 1), 'VGG-like 3x3').toBe('implicit');
  });

  it('setConvVersion rejects an unknown name', () => {
    expect(() => setConvVersion('99_nope' as ConvVersion)).toThrow(
      /setConvVersion: unknown version 99_nope; versions: 03_implicit/,
    );
  });
});
