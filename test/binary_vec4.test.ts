// Binary ops version 02 (same-shape float32, four elements per invocation:
// shaders/binary/02_vec4_same_shape.wgsl, src/ops/binary_vec4.ts) against float64 references on
// shapes that divide by 4 (version 02) and shapes that do not (version 01), poisoned outputs;
// NaN and signed-zero cases of maximum/minimum and pow's special cases bit for bit against
// version 01; the kernel that ran, read from the profiler.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import * as sg from '../src/index.js';
import { setBinaryVec4 } from '../src/ops/binary_vec4.js';
import { BINARY_REFS, powTensorRef } from './ref/elementwise.js';
import { expectClose, poisonPool, randomNd, toTensor } from './helpers.js';
import type { RefOp } from './ref/ndarray.js';

beforeAll(async () => {
  await sg.init();
});
afterEach(() => setBinaryVec4(true));

const OPS: Array<[keyof typeof BINARY_REFS | 'pow', RefOp]> = [
  ...(Object.entries(BINARY_REFS) as Array<[keyof typeof BINARY_REFS, RefOp]>),
  ['pow', powTensorRef],
];
const fn = (op: string) => (sg as unknown as Record<string, (a: sg.Tensor, b: sg.Tensor) => sg.Tensor>)[op];

/** The kernels `work` launched. */
async function kernelsOf(work: () => void): Promise<string[]> {
  const p = await sg.profile(work, { timing: 'sync', peaks: false });
  return p.launches.map((l) => l.kernel);
}

// Multiples of 4 run on version 02 (one of them past 256 vec4s and not a multiple of the
// workgroup); the others fall back to version 01.
const VEC4_SHAPES = [[4], [3, 8], [2, 5, 12], [7, 9, 20]];
const ODD_SHAPES = [[3], [5, 7], [2, 3, 5], [7, 9, 19]];

describe('binary ops on same-shape float32 operands, four at a time', () => {
  for (const [op, ref] of OPS) {
    it(`${op}: float64 reference on shapes that divide by 4 (version 02) and that do not (version 01)`, async () => {
      for (const [shapes, kernel] of [
        [VEC4_SHAPES, 'binary_02_vec4'],
        [ODD_SHAPES, 'binary_forward'],
      ] as const) {
        for (const [k, shape] of shapes.entries()) {
          // pow: positive bases (negative ones with fractional exponents are NaN, tested below).
          const a = op === 'pow' ? randomNd(shape, 10 + k, 0.1, 2) : randomNd(shape, 10 + k);
          const b = op === 'div' ? randomNd(shape, 20 + k, 0.5, 2) : randomNd(shape, 20 + k);
          const [ta, tb] = [toTensor(a), toTensor(b)];
          poisonPool();
          let out: sg.Tensor | null = null;
          const kernels = await kernelsOf(() => void (out = sg.keep(fn(op)(ta, tb))));
          expect(kernels, `${op} ${shape}`).toEqual([kernel]);
          expectClose(await out!.data(), ref.forward(a, b).data, `${op} ${shape}`);
          for (const t of [ta, tb, out!]) t.dispose();
        }
      }
    });
  }

  it('NaN wins in maximum/minimum in every lane, a tie of 0 and -0 gives the first operand; pow special cases: bit for bit version 01', async () => {
    const x = [NaN, 1, 0, -0, NaN, -Infinity, 2, -0, 0, 3, -2, Infinity, -1.5, 0, -0, NaN];
    const y = [1, NaN, -0, 0, NaN, 5, -Infinity, -0, 0, -3, 0.5, -2, 2, -1, -0.5, 0];
    const [a, b] = [sg.tensor(x), sg.tensor(y)];
    for (const op of ['maximum', 'minimum', 'pow', 'add', 'sub', 'mul', 'div']) {
      const bits = async (vec4: boolean) => {
        setBinaryVec4(vec4);
        const out = fn(op)(a, b);
        const data = new Uint32Array(((await out.data()) as Float32Array).buffer.slice(0));
        out.dispose();
        return Array.from(data);
      };
      const [v2, v1] = [await bits(true), await bits(false)];
      expect(v2, op).toEqual(v1);
      if (op === 'maximum' || op === 'minimum') {
        const got = new Float32Array(new Uint32Array(v2).buffer);
        [0, 1, 4, 15].forEach((i) => expect(Number.isNaN(got[i]), `${op} lane ${i}`).toBe(true));
        expect(Object.is(got[2], 0) && Object.is(got[3], -0), `${op}: ties give the first operand`).toBe(true);
      }
    }
    a.dispose();
    b.dispose();
  });

  it('int32 and broadcast operands stay on version 01; no tensors left behind', async () => {
    const live = sg.memory().liveTensors;
    const i = sg.tensor(Int32Array.from([1, 2, 3, 4]));
    const f = sg.tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 4] });
    const row = sg.tensor([1, 2, 3, 4]);
    expect(await kernelsOf(() => sg.tidy(() => void sg.add(i, i)))).toEqual(['binary_forward']);
    expect(await kernelsOf(() => sg.tidy(() => void sg.mul(f, row)))).toEqual(['binary_forward']);
    for (const t of [i, f, row]) t.dispose();
    expect(sg.memory().liveTensors).toBe(live);
  });
});
