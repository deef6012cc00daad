// The depthwise conv2d kernels (shaders/depthwise_conv2d/), every version forced in turn, against
// float64 references: forward, dx, dW and db on odd shapes (planes that do not divide the 4 x 4
// and 4 x 8 tiles, the 8-column strips or the workgroups; widths that are and are not multiples
// of 4, which the vec4 versions need), kernels 1 to 7, strides 1 to 3, padding (also wider than
// the kernel's reach), dilation 2, channel multipliers 1 to 3, with and without bias, outputs in
// NaN-poisoned buffers; the reference gradients by central differences.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { convOutputSize } from '../src/ops/conv.js';
import {
  DEPTHWISE_VERSIONS,
  depthwiseConv2d,
  depthwiseFits,
  depthwiseVersion,
  depthwiseWeightGrad,
  setDepthwiseFastPath,
  setDepthwiseVersion,
  type DepthwiseGeometry,
  type DepthwisePass,
} from '../src/ops/depthwise_conv.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conv2dRefOp } from './ref/conv_backward.js';
import { deterministicInput, setDeterministic } from './ref/deterministic.js';
import { checkOp, expectClose, randomNd, toTensor, liveTensorsAfter } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});
const resetVersions = () =>
  (Object.keys(DEPTHWISE_VERSIONS) as DepthwisePass[]).forEach((p) => setDepthwiseVersion(p, null));
afterEach(resetVersions);

interface Case {
  x: [number, number, number, number];
  k: [number, number];
  mult?: number;
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  bias?: boolean;
}

function run(cs: Case) {
  const [n, c, h, w] = cs.x;
  const stride = cs.stride ?? [1, 1];
  const pad = cs.padding ?? [0, 0];
  const dil = cs.dilation ?? [1, 1];
  const cout = c * (cs.mult ?? 1);
  const g: DepthwiseGeometry = {
    n,
    c,
    h,
    w,
    cout,
    kh: cs.k[0],
    kw: cs.k[1],
    stride,
    pad,
    dil,
    oh: convOutputSize(h, cs.k[0], stride[0], pad[0], dil[0]),
    ow: convOutputSize(w, cs.k[1], stride[1], pad[1], dil[1]),
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
  // Widths that are multiples of 4: the vec4 kernels (forward and dx version 03, dW version 02).
  { x: [2, 5, 7, 12], k: [3, 3], padding: [1, 1], bias: true },
  { x: [1, 3, 9, 20], k: [3, 3], padding: [1, 1], mult: 2, bias: true },
  { x: [3, 5, 11, 16], k: [5, 5], padding: [2, 2] },
  { x: [2, 5, 7, 16], k: [5, 5], stride: [2, 2], padding: [2, 2], bias: true },
  { x: [1, 5, 9, 8], k: [3, 3], stride: [2, 2], padding: [1, 1], mult: 3 },
  { x: [1, 3, 13, 12], k: [7, 7], padding: [3, 3], bias: true },
  { x: [2, 3, 9, 8], k: [3, 3], padding: [2, 2], dilation: [2, 2], bias: true },
  { x: [1, 2, 6, 12], k: [3, 5], padding: [4, 6], bias: true },
  { x: [1, 4, 30, 68], k: [3, 3], padding: [1, 1], bias: true },
  // 3x3 stride 1 with row padding 0 and 2 (version 04 streams; strips of 8 ending half way).
  { x: [2, 3, 11, 12], k: [3, 3], padding: [0, 1], bias: true },
  { x: [1, 3, 5, 20], k: [3, 3], padding: [2, 1], mult: 2 },
  { x: [1, 2, 58, 56], k: [3, 3], padding: [1, 1] },
  // 3x3 stride 2 pad 1 with W = 2 OW, OW = 4n (forward 06, dx 02): odd and even heights, strips of
  // 2 to 7 vec4s, a last strip ending half way (OW 36: strips of 5 vec4s), multiplier 2 (forward only).
  { x: [2, 3, 9, 16], k: [3, 3], stride: [2, 2], padding: [1, 1], bias: true },
  { x: [1, 2, 10, 40], k: [3, 3], stride: [2, 2], padding: [1, 1] },
  { x: [1, 2, 13, 72], k: [3, 3], stride: [2, 2], padding: [1, 1], bias: true },
  { x: [1, 3, 7, 16], k: [3, 3], stride: [2, 2], padding: [1, 1], mult: 2, bias: true },
  { x: [1, 2, 57, 56], k: [3, 3], stride: [2, 2], padding: [1, 1] },
];

/** Version sets: the routed ones, then the others forced (each falls back to its route where it does not fit). */
const versionSets: Array<[string, () => void]> = [
  ['routed versions', resetVersions],
  [
    'forward 03, dx 03',
    () => {
      setDepthwiseVersion('forward', '03_vec4_rows');
      setDepthwiseVersion('inputGrad', '03_vec4_rows');
    },
  ],
  [
    'forward 02, dx 01, dW 01',
    () => {
      setDepthwiseVersion('forward', '02_sliding_rows');
      setDepthwiseVersion('inputGrad', '01_register_tile');
      setDepthwiseVersion('weightGrad', '01_plane_partials');
    },
  ],
  ['forward 01', () => setDepthwiseVersion('forward', '01_register_tile')],
];

for (const [setName, choose] of versionSets) {
  describe(`depthwise conv2d kernels, ${setName}`, () => {
    for (const cs of cases) {
      const { g, o, wShape, cout } = run(cs);
      const name = `x ${cs.x.join('x')}, k ${cs.k.join('x')}, stride ${o.stride.join('x')}, pad ${o.padding.join('x')}, dilation ${o.dilation.join('x')}, multiplier ${cout / cs.x[1]}${cs.bias ? ', bias' : ''}`;
      it(name, async () => {
        choose();
        expect(depthwiseFits(g), `${name}: covered by the depthwise kernels`).toBe(true);
        const inputs = [randomNd(cs.x, 1), randomNd(wShape, 2)];
        if (cs.bias) inputs.push(randomNd([cout], 3));
        await checkOp(name, inputs, (x, w, b) => sg.conv2d(x, w, b ?? null, o), conv2dRefOp(o), {
          gradTol: { rtol: 1e-4, atol: 1e-4 },
        });
      });
    }
  });
}

describe('depthwise conv2d routing', () => {
  it('conv2d runs groups = C (Cout a multiple of C) on the depthwise kernels, and the general path agrees', async () => {
    const { g, o } = run({ x: [2, 6, 9, 12], k: [3, 3], padding: [1, 1], mult: 2 });
    const [x, w, b] = [randomNd([2, 6, 9, 12], 1), randomNd([12, 1, 3, 3], 2), randomNd([12], 3)].map((a) =>
      toTensor(a),
    );
    const routed = await sg.conv2d(x, w, b, o).data();
    const direct = await depthwiseConv2d(x, w, b, g).data();
    expect(Array.from(routed)).toEqual(Array.from(direct));
    setDepthwiseFastPath(false);
    try {
      expectClose(await sg.conv2d(x, w, b, o).data(), direct, 'general path');
    } finally {
      setDepthwiseFastPath(true);
    }
    for (const t of [x, w, b]) t.dispose();
  });

  // Grouped convolutions that are not depthwise stay on the general kernels: ResNeXt's 32
  // groups of 4 channels, ShuffleNet's 3x3 depthwise neighbours (groups = C / 2 with 2 channels each).
  for (const [what, xs, ws, groups, stride] of [
    ['groups 8 of 4 channels (ResNeXt-like)', [2, 32, 9, 10], [32, 4, 3, 3], 8, 1],
    ['groups 3 of 2 channels, stride 2', [1, 6, 11, 9], [9, 2, 3, 3], 3, 2],
  ] as Array<[string, number[], number[], number, number]>) {
    it(`grouped conv2d, ${what}, against the float64 reference`, async () => {
      const o = {
        stride: [stride, stride] as [number, number],
        padding: [1, 1] as [number, number],
        dilation: [1, 1] as [number, number],
        groups,
      };
      const inputs = [randomNd(xs, 4), randomNd(ws, 5), randomNd([ws[0]], 6)];
      await checkOp(what, inputs, (x, w, b) => sg.conv2d(x, w, b, o), conv2dRefOp(o), {
        gradTol: { rtol: 1e-4, atol: 1e-4 },
      });
    });
  }
});

interface FixtureCase {
  args: { in: number; out: number; kernel: number; stride: number; padding: number; dilation: number; bias: boolean };
  repr: string;
  input: number[];
  out_shape: number[];
  out: number[];
  input_grad: number[];
  weight_grad: number[];
  bias_grad: number[] | null;
}
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures/depthwise/conv2d.json'), 'utf8')) as {
  cases: FixtureCase[];
};

describe('depthwise nn.Conv2d against PyTorch 1.13 (tools/fixtures/make_depthwise_fixtures.py)', () => {
  for (const rec of fixture.cases) {
    it(rec.repr, async () => {
      const a = rec.args;
      const conv = new sg.nn.Conv2d(a.in, a.out, a.kernel, {
        stride: a.stride,
        padding: a.padding,
        dilation: a.dilation,
        groups: a.in,
        bias: a.bias,
      });
      expect(conv.toString()).toBe(rec.repr);
      setDeterministic(conv);
      const x = deterministicInput(rec.input);
      x.requiresGrad = true;
      const y = conv.forward(x);
      expect(y.shape).toEqual(rec.out_shape);
      const u = sg.tensor(
        Float32Array.from({ length: y.size }, (_, i) => Math.cos(0.291 * i + 0.5)),
        { shape: y.shape },
      );
      const loss = y.mul(u).sum();
      loss.backward();
      expectClose(await y.data(), rec.out, `${rec.repr} forward`, { rtol: 1e-4, atol: 1e-5 });
      expectClose(await x.grad!.data(), rec.input_grad, `${rec.repr} dx`, { rtol: 1e-4, atol: 1e-5 });
      expectClose(await conv.weight.grad!.data(), rec.weight_grad, `${rec.repr} dW`, { rtol: 1e-4, atol: 1e-4 });
      if (rec.bias_grad)
        expectClose(await conv.bias!.grad!.data(), rec.bias_grad, `${rec.repr} db`, { rtol: 1e-4, atol: 1e-4 });
      for (const t of [x, x.grad!, y, u, loss]) t.dispose();
      conv.zeroGrad();
    });
  }
});

describe('depthwise conv2d choices', () => {
  it("runs the streams on MobileNet's 56x56 planes (stride 1 and 2) and falls back on 14x14 ones", () => {
    const g = run({ x: [8, 144, 56, 56], k: [3, 3], padding: [1, 1] }).g;
    expect([
      depthwiseVersion('forward', g),
      depthwiseVersion('inputGrad', g),
      depthwiseVersion('weightGrad', g),
    ]).toEqual(['05_stream_rows', '05_stream_rows', '03_vec4_strips_shift']);
    const small = run({ x: [8, 144, 14, 14], k: [3, 3], padding: [1, 1] }).g;
    expect([
      depthwiseVersion('forward', small),
      depthwiseVersion('inputGrad', small),
      depthwiseVersion('weightGrad', small),
    ]).toEqual(['02_sliding_rows', '01_register_tile', '01_plane_partials']);
    const strided = run({ x: [8, 144, 56, 56], k: [3, 3], stride: [2, 2], padding: [1, 1] }).g;
    expect([depthwiseVersion('forward', strided), depthwiseVersion('inputGrad', strided)]).toEqual([
      '06_stream_rows_s2',
      '02_stream_s2',
    ]);
    // Strided shapes the streams do not take run version 01 (5x5 stride 2; 3x3 stride 2 with M = 2 for dx).
    const wide = run({ x: [8, 144, 56, 56], k: [5, 5], stride: [2, 2], padding: [2, 2] }).g;
    expect([depthwiseVersion('forward', wide), depthwiseVersion('inputGrad', wide)]).toEqual([
      '01_register_tile',
      '01_register_tile',
    ]);
    const mult = run({ x: [8, 144, 56, 56], k: [3, 3], stride: [2, 2], padding: [1, 1], mult: 2 }).g;
    expect([depthwiseVersion('forward', mult), depthwiseVersion('inputGrad', mult)]).toEqual([
      '06_stream_rows_s2',
      '01_register_tile',
    ]);
    setDepthwiseVersion('forward', '03_vec4_rows');
    expect(depthwiseVersion('forward', strided)).toBe('03_vec4_rows');
  });

  it("leaves kernels too wide for its registers to conv2d's general path", () => {
    expect(depthwiseFits(run({ x: [1, 2, 40, 40], k: [3, 33], dilation: [1, 2] }).g)).toBe(false);
  });

  it('setDepthwiseVersion rejects an unknown version', () => {
    expect(() => setDepthwiseVersion('forward', '09_nope' as never)).toThrow(
      /setDepthwiseVersion: unknown forward version 09_nope; versions: 06_stream_rows_s2, 05_stream_rows, 03_vec4_rows/,
    );
  });

  it('gives the same dW and db bit for bit on every run (no atomics) and leaks no tensors', async () => {
    for (const version of DEPTHWISE_VERSIONS.weightGrad) {
      setDepthwiseVersion('weightGrad', version);
      const { g } = run({ x: [3, 4, 20, 24], k: [3, 3], padding: [1, 1] });
      const x = toTensor(randomNd([3, 4, 20, 24], 5));
      const dy = toTensor(randomNd([3, 4, 20, 24], 6));
      const results: Float32Array[] = [];
      for (let i = 0; i < 2; i++) {
        let grads: (sg.Tensor | null)[] = [];
        expect(
          liveTensorsAfter(() => {
            grads = depthwiseWeightGrad(x, dy, g, true, true);
          }),
        ).toBe(2);
        results.push(Float32Array.from([...(await grads[0]!.data()), ...(await grads[1]!.data())]));
        grads.forEach((t) => t!.dispose());
      }
      expect(Array.from(results[1]), version).toEqual(Array.from(results[0]));
      x.dispose();
      dy.dispose();
    }
  });
});
