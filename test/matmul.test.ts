// matmul against a float64 reference: every kernel version, odd sizes, batches with broadcast,
// 1-D operands, gradients (checked against the reference's own finite differences).
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { MATMUL_VERSIONS, setMatmulVersion } from '../src/ops/matmul_versions.js';
import { hasFeature } from '../src/gpu/device.js';
import { matmulRef, transposeRef } from './ref/matmul.js';

beforeAll(async () => {
  await sg.init();
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

/** |got - want| <= 1e-5 + 1e-4 |want|, element by element, with a message naming the first miss. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]);
    if (!ok) expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** Fills many pooled buffers with NaN and frees them, so a kernel that skips an element shows it. */
function poisonPool(): void {
  const junk = [1, 16, 300, 2000, 5000, 20000, 70000].map((n) => sg.full([n], NaN));
  for (const t of junk) t.dispose();
  sg.flush();
}

const SIZES: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 5, 3],
  [33, 17, 9],
  [4, 8, 12],
  [65, 36, 44],
  [130, 72, 40],
  [2, 130, 7],
];

describe('matmul forward', () => {
  for (const version of MATMUL_VERSIONS) {
    it(`version ${version.name} matches the float64 reference`, async () => {
      if (version.requires && !hasFeature(version.requires)) return;
      setMatmulVersion(version.name);
      try {
        for (const [m, n, k] of SIZES) {
          const a = values(m * k, m + 7 * n + 13 * k);
          const b = values(k * n, 3 * m + n + k);
          poisonPool();
          const out = sg.matmul(sg.tensor(a, { shape: [m, k] }), sg.tensor(b, { shape: [k, n] }));
          expect(out.shape).toEqual([m, n]);
          expectClose(await out.data(), matmulRef(a, b, m, n, k), `${version.name} ${m}x${n}x${k}`);
        }
      } finally {
        setMatmulVersion(null);
      }
    });
  }

  it('batched, with batch dims broadcast, as torch.matmul', async () => {
    const cases: Array<[number[], number[], number[]]> = [
      [
        [3, 5, 4],
        [3, 4, 6],
        [3, 5, 6],
      ],
      [
        [2, 1, 3, 4],
        [5, 4, 6],
        [2, 5, 3, 6],
      ],
      [
        [3, 5, 4],
        [4, 6],
        [3, 5, 6],
      ],
      [
        [5, 4],
        [2, 4, 7],
        [2, 5, 7],
      ],
      [
        [1, 7, 9],
        [3, 9, 2],
        [3, 7, 2],
      ],
    ];
    for (const [sa, sb, so] of cases) {
      const [m, k] = sa.slice(-2);
      const n = sb[sb.length - 1];
      const a = values(
        sa.reduce((x, y) => x * y, 1),
        11,
      );
      const b = values(
        sb.reduce((x, y) => x * y, 1),
        12,
      );
      const out = sg.matmul(sg.tensor(a, { shape: sa }), sg.tensor(b, { shape: sb }));
      expect(out.shape).toEqual(so);
      // Reference: walk the output batch, indexing each operand with its own (broadcast) batch.
      const batchOut = so.slice(0, -2);
      const want: number[] = [];
      const count = batchOut.reduce((x, y) => x * y, 1);
      const offsetOf = (shape: number[], index: number[]) => {
        const batch = shape.slice(0, -2);
        let off = 0;
        batch.forEach((d, i) => {
          const coord = index[index.length - batch.length + i];
          off = off * d + (d === 1 ? 0 : coord);
        });
        return off;
      };
      for (let i = 0; i < count; i++) {
        const index: number[] = [];
        let rest = i;
        for (let d = batchOut.length - 1; d >= 0; d--) {
          index.unshift(rest % batchOut[d]);
          rest = Math.floor(rest / batchOut[d]);
        }
        const ao = offsetOf(sa, index) * m * k;
        const bo = offsetOf(sb, index) * k * n;
        want.push(...matmulRef(a.subarray(ao, ao + m * k), b.subarray(bo, bo + k * n), m, n, k));
      }
      expectClose(await out.data(), want, `${sa} @ ${sb}`);
    }
  });

  it('1-D operands as vectors', async () => {
    const v = values(4, 1);
    const m = values(12, 2);
    expect((await sg.matmul(sg.tensor(v), sg.tensor(v)).data())[0]).toBeCloseTo(
      v.reduce((s, x) => s + x * x, 0),
      5,
    );
    const vm = sg.matmul(sg.tensor(v), sg.tensor(m, { shape: [4, 3] }));
    expect(vm.shape).toEqual([3]);
    expectClose(await vm.data(), matmulRef(v, m, 1, 3, 4), 'vector @ matrix');
    const mv = sg.matmul(sg.tensor(m, { shape: [3, 4] }), sg.tensor(v));
    expect(mv.shape).toEqual([3]);
    expectClose(await mv.data(), matmulRef(m, v, 3, 1, 4), 'matrix @ vector');
  });

  it('names both shapes when they cannot be multiplied, before any GPU work', () => {
    const a = sg.zeros([2, 3]);
    const b = sg.zeros([4, 5]);
    expect(() => sg.matmul(a, b)).toThrow('matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)');
    expect(() => sg.matmul(sg.zeros([2, 3, 4]), sg.zeros([3, 4, 5]))).toThrow(
      /batch dimensions of shapes \[2, 3, 4\] and \[3, 4, 5\]/,
    );
  });
});

describe('matmul backward', () => {
  /** loss = sum(C * R): dA = R @ B^T, dB = A^T @ R (float64). */
  function referenceGrads(a: Float64Array, b: Float64Array, r: Float64Array, m: number, n: number, k: number) {
    return { da: matmulRef(r, transposeRef(b, k, n), m, k, n), db: matmulRef(transposeRef(a, m, k), r, k, n, m) };
  }

  it('the float64 reference gradient agrees with central differences', () => {
    const [m, n, k] = [3, 4, 5];
    const a = values(m * k, 1);
    const b = values(k * n, 2);
    const r = values(m * n, 3);
    const loss = (aa: Float64Array) => matmulRef(aa, b, m, n, k).reduce((s, c, i) => s + c * r[i], 0);
    const { da } = referenceGrads(a, b, r, m, n, k);
    const h = 1e-6;
    for (let i = 0; i < a.length; i++) {
      const plus = Float64Array.from(a);
      const minus = Float64Array.from(a);
      plus[i] += h;
      minus[i] -= h;
      expect((loss(plus) - loss(minus)) / (2 * h)).toBeCloseTo(da[i], 6);
    }
  });

  for (const [m, n, k] of [
    [7, 5, 3],
    [33, 20, 12],
    [1, 9, 4],
    [130, 8, 36],
  ] as Array<[number, number, number]>) {
    it(`gradients for ${m}x${k} @ ${k}x${n}`, async () => {
      const a = values(m * k, 4);
      const b = values(k * n, 5);
      const r = values(m * n, 6);
      const ta = sg.tensor(a, { shape: [m, k], requiresGrad: true });
      const tb = sg.tensor(b, { shape: [k, n], requiresGrad: true });
      poisonPool();
      sg.matmul(ta, tb)
        .mul(sg.tensor(r, { shape: [m, n] }))
        .sum()
        .backward();
      const { da, db } = referenceGrads(a, b, r, m, n, k);
      expectClose(await ta.grad!.data(), da, 'dA');
      expectClose(await tb.grad!.data(), db, 'dB');
    });
  }

  it('gradients of a batched product with a shared right operand are summed over the batch', async () => {
    const [batch, m, n, k] = [3, 5, 4, 6];
    const a = values(batch * m * k, 7);
    const b = values(k * n, 8);
    const r = values(batch * m * n, 9);
    const ta = sg.tensor(a, { shape: [batch, m, k], requiresGrad: true });
    const tb = sg.tensor(b, { shape: [k, n], requiresGrad: true });
    sg.matmul(ta, tb)
      .mul(sg.tensor(r, { shape: [batch, m, n] }))
      .sum()
      .backward();
    const db = new Float64Array(k * n);
    const da: number[] = [];
    for (let i = 0; i < batch; i++) {
      const ai = a.subarray(i * m * k, (i + 1) * m * k);
      const ri = r.subarray(i * m * n, (i + 1) * m * n);
      const g = referenceGrads(ai, b, ri, m, n, k);
      da.push(...g.da);
      g.db.forEach((v, j) => (db[j] += v));
    }
    expectClose(await ta.grad!.data(), da, 'dA');
    expectClose(await tb.grad!.data(), db, 'dB');
  });

  it('gradients with broadcast batch dims on both sides', async () => {
    const ta = sg.tensor(values(2 * 1 * 3 * 4, 10), { shape: [2, 1, 3, 4], requiresGrad: true });
    const tb = sg.tensor(values(5 * 4 * 2, 11), { shape: [5, 4, 2], requiresGrad: true });
    const out = sg.matmul(ta, tb);
    expect(out.shape).toEqual([2, 5, 3, 2]);
    out.sum().backward();
    // d(sum)/dA[b, 0, i, p] = sum over the 5 broadcast copies and columns j of B[c, p, j].
    const b = await tb.data();
    const want: number[] = [];
    for (let bb = 0; bb < 2; bb++)
      for (let i = 0; i < 3; i++)
        for (let p = 0; p < 4; p++) {
          let s = 0;
          for (let c = 0; c < 5; c++) for (let j = 0; j < 2; j++) s += b[c * 8 + p * 2 + j];
          want.push(s);
        }
    expectClose(await ta.grad!.data(), want, 'dA');
    expect(tb.grad!.shape).toEqual([5, 4, 2]);
  });
});
