// sg.io.toSafetensors: the bytes sg.io.save writes, for a browser's download; read back by sg.io.load.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

describe('sg.io.toSafetensors', () => {
  beforeAll(async () => {
    await sg.init();
  });

  it('encodes a state dict that sg.io.load reads back exactly, with its metadata', async () => {
    const live = sg.memory().liveTensors;
    const state = new Map([
      ['fc.weight', sg.tensor([1.5, -2, 3.25, 0, 7, -0.125], { shape: [2, 3] })],
      ['bn.num_batches_tracked', sg.tensor([5], { dtype: 'int32', shape: [] })],
    ]);
    const bytes = await sg.io.toSafetensors(state, { metadata: { classes: '["a","b"]' } });
    const header = JSON.parse(
      new TextDecoder().decode(
        bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))),
      ),
    );
    expect(header.__metadata__).toEqual({ classes: '["a","b"]' });
    expect(header['fc.weight']).toMatchObject({ dtype: 'F32', shape: [2, 3] });
    expect(header['bn.num_batches_tracked']).toMatchObject({ dtype: 'I32', shape: [] });
    const back = await sg.io.load(bytes);
    expect(Array.from(await back.get('fc.weight')!.data())).toEqual([1.5, -2, 3.25, 0, 7, -0.125]);
    expect(back.get('fc.weight')!.shape).toEqual([2, 3]);
    expect(Array.from(await back.get('bn.num_batches_tracked')!.data())).toEqual([5]);
    for (const t of [...state.values(), ...back.values()]) t.dispose();
    expect(sg.memory().liveTensors).toBe(live);
  });
});
