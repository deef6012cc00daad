// XLM-R's token table for real: 250,002 x 768 float32 (733 MiB) is larger than one storage
// binding (128 MiB on llvmpipe), so the lookup and its scatter-add gradient bind it in runs of
// rows (ops/embedding.ts). Ids sit on both sides of every run boundary, repeat, and include the
// padding id; rows are read back one at a time and compared with float64 sums of the upstream
// gradient.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { deviceBindingLimit, rowsPerChunk } from '../src/gpu/chunks.js';
import { expectClose } from './helpers.js';

const [NUM, DIM] = [250002, 768];

beforeAll(async () => {
  await sg.init();
});

async function row(t: sg.Tensor, i: number): Promise<Float32Array> {
  const r = sg.slice(t, 0, i, i + 1);
  const data = (await r.data()) as Float32Array;
  r.dispose();
  return data;
}

describe('embedding over a table larger than one storage binding', () => {
  it('XLM-R base token table: lookup and gradient, rows on both sides of every chunk boundary', async () => {
    expect(NUM * DIM * 4).toBeGreaterThan(deviceBindingLimit());
    const per = rowsPerChunk('test', [DIM * 4], NUM);
    const picks = [0, 1, 17, NUM - 1];
    for (let b = per; b < NUM; b += per) picks.push(b - 1, b, b + 1);
    const ids = [...picks, per, 0, NUM - 1, 1, per - 1]; // repeats and the padding id
    const w = sg.randn([NUM, DIM], { requiresGrad: true });
    const idsT = sg.tensor(Int32Array.from(ids), { shape: [ids.length] });
    const out = sg.embedding(idsT, w, { paddingIdx: 1 });
    const r = sg.randn([ids.length, DIM]);
    const rows = (await out.data()) as Float32Array;
    for (const [t, id] of ids.entries())
      expect(Array.from(rows.slice(t * DIM, (t + 1) * DIM)), `row of id ${id}`).toEqual(Array.from(await row(w, id)));
    const loss = out.mul(r).sum();
    loss.backward();
    const g = await r.data();
    for (const id of [...new Set(ids), 5]) {
      const want = new Float64Array(DIM);
      if (id !== 1)
        ids.forEach((v, t) => {
          if (v === id) for (let d = 0; d < DIM; d++) want[d] += g[t * DIM + d];
        });
      expectClose(await row(w.grad!, id), want, `gradient row ${id}`, { rtol: 1e-6, atol: 1e-6 });
    }
    for (const t of [w, w.grad!, idsT, out, r, loss]) t.dispose();
    await sg.synchronize();
    sg.emptyCache();
  }, 600_000);
});
