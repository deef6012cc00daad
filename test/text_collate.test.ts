// Per-batch padding: sg.text.datasets.padCollate pads each batch of token ids to its longest
// sentence (not a length fixed for the dataset), through the DataLoader's collateFn and fit; the
// model's attention mask follows from the padding id, so per-batch padding changes no logit.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

beforeAll(async () => {
  await sg.init();
});

const { TokenDataset, padCollate } = sg.text.datasets;

/** Token id lists of the given lengths (<s> ... </s>, ids from 3). */
const sentencesOf = (lengths: number[]) =>
  lengths.map((n, i) => Array.from({ length: n }, (_, k) => (k === 0 ? 0 : k === n - 1 ? 2 : 3 + ((i * 7 + k) % 50))));

describe('padCollate', () => {
  it('pads each batch to its own longest sentence with the padding value; labels as int32', async () => {
    const ids = sentencesOf([3, 7, 4, 2, 5, 9, 3]);
    const labels = [0, 1, 2, 1, 0, 1, 2];
    const ds = new TokenDataset(ids, labels, { padding: false });
    expect((ds.get(0)[0] as sg.data.HostTensor).shape).toEqual([3]); // unpadded
    const before = sg.memory().liveTensors;
    const loader = new sg.data.DataLoader(ds, { batchSize: 3, collateFn: padCollate({ paddingValue: 7 }) });
    const shapes: number[][] = [];
    let b = 0;
    for await (const batch of loader) {
      shapes.push([...batch.x.shape]);
      expect(batch.x.dtype).toBe('int32');
      expect(batch.y.dtype).toBe('int32');
      const rows = ids.slice(3 * b, 3 * b + 3);
      const longest = Math.max(...rows.map((r) => r.length));
      const expected = rows.flatMap((r) => [...r, ...Array(longest - r.length).fill(7)]);
      expect(Array.from(await batch.x.data())).toEqual(expected);
      expect(Array.from(await batch.y.data())).toEqual(labels.slice(3 * b, 3 * b + 3));
      batch.dispose();
      b++;
    }
    expect(shapes).toEqual([
      [3, 7],
      [3, 9],
      [1, 3],
    ]);
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('defaults to padding id 1, cuts to maxLength, follows a shuffled order', async () => {
    const ids = sentencesOf([6, 2, 3, 4]);
    const collate = padCollate({ maxLength: 4 });
    const samples = ids.map((r, i): [sg.data.HostTensor, number] => [
      { shape: [r.length], data: Float32Array.from(r), dtype: 'int32' },
      i,
    ]);
    const { x, y } = collate([samples[1], samples[0], samples[2]]);
    expect(x.shape).toEqual([3, 4]);
    expect(Array.from(await x.data())).toEqual([...ids[1], 1, 1, ...ids[0].slice(0, 4), ...ids[2], 1]);
    expect(Array.from(await y.data())).toEqual([1, 0, 2]);
    x.dispose();
    y.dispose();
    const loader = new sg.data.DataLoader(new TokenDataset(ids, [0, 1, 0, 1], { padding: false }), {
      batchSize: 2,
      shuffle: true,
      seed: 3,
      collateFn: padCollate(),
    });
    const order = loader.batchIndices(0);
    for await (const batch of loader) {
      const rows = order.shift()!.map((i) => ids[i]);
      expect(batch.x.shape).toEqual([2, Math.max(...rows.map((r) => r.length))]);
      batch.dispose();
    }
  });

  it('refuses what is not 1-D token ids with an integer label, before any GPU work', () => {
    const collate = padCollate();
    const before = sg.memory().liveTensors;
    const flat: sg.data.HostTensor = { shape: [2, 2], data: new Float32Array(4), dtype: 'int32' };
    expect(() => collate([[flat, 0]])).toThrow(/padCollate: sample 0 of the batch should be 1-D token ids.*\[2, 2\]/);
    const ok: sg.data.HostTensor = { shape: [2], data: new Float32Array(2), dtype: 'int32' };
    expect(() => collate([[ok, 0.5]])).toThrow(/padCollate: the label of sample 0 .* 0.5; labels must be integers/);
    expect(() => collate([])).toThrow(/padCollate: a batch needs at least one sample/);
    expect(() => padCollate({ maxLength: 0 })).toThrow(/padCollate: maxLength must be at least 1/);
    expect(() => padCollate({ paddingValue: 0.5 })).toThrow(/padCollate/);
    expect(sg.memory().liveTensors).toBe(before);
  });
});

describe('per-batch padding and the attention mask', () => {
  it("gives each sentence's logits as when it is alone, or padded to the dataset's longest", async () => {
    sg.manualSeed(5);
    const conf = new sg.text.models.RobertaEncoderConf({
      vocabSize: 64,
      embeddingDim: 16,
      numAttentionHeads: 2,
      ffnDimension: 32,
      numEncoderLayers: 2,
      maxSeqLen: 40,
    });
    const model = new sg.text.models.RobertaModel(conf, new sg.text.models.RobertaClassificationHead(3, 16));
    model.eval();
    const ids = sentencesOf([5, 3, 8, 4]);
    const logitsOf = async (ds: sg.data.Dataset, collateFn?: sg.data.CollateFn) => {
      const out: number[] = [];
      for await (const batch of new sg.data.DataLoader(ds, { batchSize: 2, collateFn })) {
        const logits = sg.noGrad(() => model.forward(batch.x));
        out.push(...(await logits.data()));
        logits.dispose();
        batch.dispose();
      }
      return out;
    };
    const perBatch = await logitsOf(new TokenDataset(ids, [0, 0, 0, 0], { padding: false }), padCollate());
    const global = await logitsOf(new TokenDataset(ids, [0, 0, 0, 0]));
    const alone: number[] = [];
    for (const r of ids) {
      const x = sg.tensor(Int32Array.from(r), { shape: [1, r.length] });
      const logits = sg.noGrad(() => model.forward(x));
      alone.push(...(await logits.data()));
      logits.dispose();
      x.dispose();
    }
    for (let i = 0; i < alone.length; i++) {
      expect(Math.abs(perBatch[i] - alone[i])).toBeLessThan(1e-5 + 1e-4 * Math.abs(alone[i]));
      expect(Math.abs(global[i] - alone[i])).toBeLessThan(1e-5 + 1e-4 * Math.abs(alone[i]));
    }
    sg.models.disposeModel(model);
  });

  it('fit batches the training and validation sets with the collateFn given', async () => {
    sg.manualSeed(1);
    const ids = sentencesOf([4, 6, 3, 5, 7, 2]);
    const model = new sg.text.models.RobertaModel(
      new sg.text.models.RobertaEncoderConf({
        vocabSize: 64,
        embeddingDim: 8,
        numAttentionHeads: 2,
        ffnDimension: 16,
        numEncoderLayers: 1,
        maxSeqLen: 20,
      }),
      new sg.text.models.RobertaClassificationHead(2, 8),
    );
    const widths: number[] = [];
    const pad = padCollate();
    const collateFn: sg.data.CollateFn = (samples) => {
      const batch = pad(samples);
      widths.push(batch.x.shape[1]);
      return batch;
    };
    const ds = (idx: number[]) =>
      new TokenDataset(
        idx.map((i) => ids[i]),
        idx.map((i) => i % 2),
        { padding: false },
      );
    await sg.train.fit(model, {
      train: ds([0, 1, 2, 3]),
      val: ds([4, 5]),
      phases: [{ name: 'all', epochs: 1, groups: [{ name: 'all', params: model.parameters(), lr: 1e-3 }] }],
      batchSize: 2,
      numWorkers: 0,
      collateFn,
    });
    // Two training batches (shuffled: the longest of each pair) and one validation batch [7, 2] -> 7.
    expect(widths.length).toBe(3);
    expect(widths[2]).toBe(7);
    expect(Math.max(widths[0], widths[1])).toBe(6);
    expect(Math.min(widths[0], widths[1])).toBeLessThan(6);
    sg.models.disposeModel(model);
  });
});
