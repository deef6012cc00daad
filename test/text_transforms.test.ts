// torchtext's vocabulary and text transforms: vocab() from an ordered frequency map (minFreq,
// specials first or last), Vocab lookups and default index, VocabTransform, Truncate, AddToken,
// PadTransform, ToTensor (int32, padded batches), Sequential, and the functional forms; the
// RoBERTa-style pipeline on GPT-2 BPE ids.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

const { vocab, Vocab } = sg.text.vocab;
const T = sg.text.transforms;
const F = sg.text.functional;

beforeAll(async () => {
  await sg.init();
});

const counts = new Map<string, number>([
  ['the', 5],
  ['<unk>', 9],
  ['cat', 1],
  ['sat', 3],
  ['mat', 2],
]);

describe('vocab and Vocab', () => {
  it('keeps map order, drops tokens under minFreq, places specials', () => {
    expect(vocab(counts).getItos()).toEqual(['the', '<unk>', 'cat', 'sat', 'mat']);
    expect(vocab(counts, { minFreq: 2 }).getItos()).toEqual(['the', '<unk>', 'sat', 'mat']);
    const first = vocab(counts, { minFreq: 2, specials: ['<unk>', '<pad>'] });
    expect(first.getItos()).toEqual(['<unk>', '<pad>', 'the', 'sat', 'mat']);
    const last = vocab([...counts], { specials: ['<pad>'], specialFirst: false });
    expect(last.getItos()).toEqual(['the', '<unk>', 'cat', 'sat', 'mat', '<pad>']);
    expect(() => vocab(counts, { minFreq: 0 })).toThrow(/vocab: minFreq must be >= 1/);
  });

  it('looks tokens and indices up, with and without a default index', () => {
    const v = vocab(counts, { specials: ['<unk>'] });
    expect(v.length).toBe(5);
    expect(v.contains('sat')).toBe(true);
    expect(v.contains('dog')).toBe(false);
    expect(v.lookupIndices(['the', 'sat', '<unk>'])).toEqual([1, 3, 0]);
    expect(v.lookupTokens([4, 2, 0])).toEqual(['mat', 'cat', '<unk>']);
    expect(v.getDefaultIndex()).toBeNull();
    expect(() => v.getItem('dog')).toThrow(/token 'dog' not found and default index is not set/);
    v.setDefaultIndex(v.getItem('<unk>'));
    expect(v.lookupIndices(['dog', 'cat'])).toEqual([0, 2]);
    expect(() => v.lookupToken(5)).toThrow(/index 5 out of range \[0, 5\)/);
    expect(v.getStoi().get('mat')).toBe(4);
  });

  it('appends and inserts tokens, refusing duplicates', () => {
    const v = new Vocab(['a', 'b']);
    v.insertToken('z', 1);
    v.appendToken('c');
    expect(v.getItos()).toEqual(['a', 'z', 'b', 'c']);
    expect(v.lookupIndices(['b', 'c'])).toEqual([2, 3]);
    expect(() => v.appendToken('a')).toThrow(/token 'a' already exists/);
    expect(() => v.insertToken('q', 9)).toThrow(/index 9 out of range/);
    expect(() => new Vocab(['x', 'x'])).toThrow(/already exists/);
  });
});

describe('functional and transforms on token lists', () => {
  it('truncates and adds tokens, one sequence or a batch', () => {
    expect(F.truncate([1, 2, 3, 4], 2)).toEqual([1, 2]);
    expect(F.truncate([[1, 2, 3], [4]], 2)).toEqual([[1, 2], [4]]);
    expect(F.addToken([1, 2], 0)).toEqual([0, 1, 2]);
    expect(F.addToken([[1], [2, 3]], 9, false)).toEqual([
      [1, 9],
      [2, 3, 9],
    ]);
    expect(new T.AddToken({ token: '<s>' }).forward(['a'])).toEqual(['<s>', 'a']);
    expect(new T.AddToken({ token: 2, begin: false }).forward([5])).toEqual([5, 2]);
    expect(new T.Truncate(1).forward([['a', 'b'], ['c']])).toEqual([['a'], ['c']]);
    expect(() => new T.Truncate(-1)).toThrow(/Truncate: maxSeqLen must be an integer >= 0/);
  });

  it('pads id lists to maxLength, leaving longer ones', () => {
    const pad = new T.PadTransform(4, 1);
    expect(pad.forward([7, 8])).toEqual([7, 8, 1, 1]);
    expect(pad.forward([[7], [1, 2, 3, 4, 5]])).toEqual([
      [7, 1, 1, 1],
      [1, 2, 3, 4, 5],
    ]);
  });

  it('makes int32 tensors, padding a ragged batch', async () => {
    const before = sg.memory().liveTensors;
    const one = new T.ToTensor().forward([3, 1, 4]);
    expect(one.dtype).toBe('int32');
    expect(one.shape).toEqual([3]);
    expect(Array.from(await one.data())).toEqual([3, 1, 4]);
    const batch = new T.ToTensor({ paddingValue: 1 }).forward([[5, 6, 7], [8], []]);
    expect(batch.shape).toEqual([3, 3]);
    expect(Array.from(await batch.data())).toEqual([5, 6, 7, 8, 1, 1, 1, 1, 1]);
    expect(() => F.toTensor([[1], [2, 3]])).toThrow(/toTensor: sequences of different lengths need a paddingValue/);
    expect(() => new T.ToTensor({ dtype: 'float32' as 'int32' })).toThrow(/ToTensor: dtype must be 'int32'/);
    one.dispose();
    batch.dispose();
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('chains transforms with Sequential (a RoBERTa-style pipeline)', () => {
    const v = vocab(
      new Map([
        ['<s>', 1],
        ['<pad>', 1],
        ['</s>', 1],
        ['<unk>', 1],
        ['hi', 1],
        ['there', 1],
      ]),
    );
    v.setDefaultIndex(3);
    const pipe = new T.Sequential(
      { forward: (s: string) => s.split(' ') },
      new T.VocabTransform(v),
      new T.Truncate(2),
      new T.AddToken({ token: 0, begin: true }),
      new T.AddToken({ token: 2, begin: false }),
    );
    expect(pipe.forward('hi there friend')).toEqual([0, 4, 5, 2]);
    expect(pipe.forward('who')).toEqual([0, 3, 2]);
    expect(new T.VocabTransform(v).forward([['hi'], ['there', 'x']])).toEqual([[4], [5, 3]]);
  });
});

describe('sg.text.datasets', () => {
  it('reads an SST-2 TSV and batches tokenized sentences through the DataLoader', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(mkdtempSync(join(tmpdir(), 'sg-text-ds-')), 'train.tsv');
    writeFileSync(path, 'sentence\tlabel\nhi there \t1\nwho\t0\nhi hi hi hi\t1\n');
    const data = sg.text.datasets.readLabelledText(path);
    expect(data.sentences).toEqual(['hi there ', 'who', 'hi hi hi hi']);
    expect(data.labels).toEqual([1, 0, 1]);
    const v = new Vocab(['<s>', '<pad>', '</s>', '<unk>', 'hi', 'there']);
    v.setDefaultIndex(3);
    const pipe = new T.Sequential(
      { forward: (s: string[]) => s.map((x) => x.trim().split(' ')) },
      new T.VocabTransform(v),
      new T.Truncate(3),
      new T.AddToken({ token: 0 }),
      new T.AddToken({ token: 2, begin: false }),
    );
    const ids = pipe.forward(data.sentences) as number[][];
    expect(ids).toEqual([
      [0, 4, 5, 2],
      [0, 3, 2],
      [0, 4, 4, 4, 2],
    ]);
    const ds = new sg.text.datasets.TokenDataset(ids, data.labels);
    const before = sg.memory().liveTensors;
    const loader = new sg.data.DataLoader(ds, { batchSize: 3 });
    let batches = 0;
    for await (const batch of loader) {
      batches++;
      expect(batch.x.shape).toEqual([3, 5]);
      expect(batch.x.dtype).toBe('int32');
      expect(Array.from(await batch.x.data())).toEqual([0, 4, 5, 2, 1, 0, 3, 2, 1, 1, 0, 4, 4, 4, 2]);
      batch.dispose();
    }
    expect(batches).toBe(1);
    expect(sg.memory().liveTensors).toBe(before);
  });
});
