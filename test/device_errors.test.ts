// Errors are never silent: commands are validated before they are recorded, a batch the device
// refuses makes every readback of what it wrote throw (never zeros), and a target out of range
// computed on the GPU raises a device-side assert at the next readback, as PyTorch's do.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';
import { copyBuffer, flush } from '../src/gpu/commands.js';
import { gpuDevice } from '../src/gpu/device.js';
import { dispatch } from '../src/gpu/kernel.js';
import { K } from '../src/kernels.js';

beforeAll(async () => {
  await sg.init();
});

/** A fill launch writing into a buffer that was destroyed: valid to record, refused at submit. */
function recordRefusedCommand(): void {
  const dead = gpuDevice().createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
  dead.destroy();
  dispatch(K.fill, { WG: 64, T: 'f32' }, { n: 16, bits: 0 }, [dead], [1]);
}

describe('validation before recording', () => {
  it('refuses an invalid copy and keeps the valid work recorded before it', async () => {
    const a = sg.tensor([1, 2, 3]);
    const b = a.mul(10);
    expect(() => copyBuffer(a.buffer, 0, a.buffer, 4, 8)).toThrow(/source and destination overlap/);
    expect(() => copyBuffer(a.buffer, 0, b.buffer, 0, 1 << 20)).toThrow(/outside the source/);
    expect(() => copyBuffer(a.buffer, 2, b.buffer, 0, 4)).toThrow(/multiples of 4/);
    expect(Array.from(await b.data())).toEqual([10, 20, 30]);
    a.dispose();
    b.dispose();
  });

  it('a copy of a buffer onto itself is a no-op', async () => {
    const a = sg.tensor([4, 5]);
    copyBuffer(a.buffer, 0, a.buffer, 0, 8);
    expect(Array.from(await a.data())).toEqual([4, 5]);
    a.dispose();
  });

  it('refuses a launch whose output aliases an input or lies outside its buffer, naming the kernel', () => {
    const a = sg.tensor([1, 2, 3, 4]);
    const binding = { buffer: a.buffer, offset: 0, size: a.buffer.size * 2 };
    expect(() => dispatch(K.fill, { WG: 64, T: 'f32' }, { n: 4, bits: 0 }, [binding], [1])).toThrow(
      /fill: binding 0 .* is outside its buffer/,
    );
    a.dispose();
  });
});

describe('a batch the device refuses', () => {
  it('never reads back zeros: the lost tensor throws naming the ops, later work is fine', async () => {
    const a = sg.tensor([1, 2, 3]);
    const b = a.mul(10);
    recordRefusedCommand();
    await expect(b.data()).rejects.toThrow(/refused by the device .*ops: .*binary_forward\(mul\)/s);
    // Every later read of b throws too, and so does an op that reads it.
    await expect(b.data()).rejects.toThrow(/its input was lost/);
    expect(() => b.add(1)).toThrow(/its input was lost/);
    // Work recorded afterwards is unaffected.
    const c = a.mul(2);
    expect(Array.from(await c.data())).toEqual([2, 4, 6]);
    for (const t of [a, b, c]) t.dispose();
  });

  it('sg.synchronize() reports the refusal once', async () => {
    recordRefusedCommand();
    flush();
    await expect(sg.synchronize()).rejects.toThrow(/refused by the device/);
    await sg.synchronize();
  });
});

describe('device-side asserts', () => {
  it('a target out of range made on the GPU by argmax throws at the next readback', async () => {
    const logits = sg.tensor([
      [0.1, 0.2, 0.3],
      [0.3, 0.2, 0.1],
    ]);
    // argmax over 9 columns gives 7 for the first row: out of range for 3 classes.
    const wide = sg.tensor([
      [0, 0, 0, 0, 0, 0, 0, 5, 0],
      [0, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const target = wide.argmax(1);
    const loss = sg.crossEntropy(logits, target);
    await expect(loss.item()).rejects.toThrow('shadergrad: cross_entropy: Target 7 is out of bounds');
    // The assert is reported once; good work afterwards reads back normally.
    const ok = sg.crossEntropy(logits, sg.tensor([2, 0], { dtype: 'int32' }));
    expect(Number.isFinite(await ok.item())).toBe(true);
    for (const t of [logits, wide, target, loss, ok]) t.dispose();
  });

  it('a target made by .int() on the GPU, negative, is reported by sg.synchronize()', async () => {
    const logits = sg.zeros([3, 4]);
    const target = sg.tensor([1, -2.5, 3]).int();
    const loss = sg.crossEntropy(logits, target, { reduction: 'none' });
    await expect(sg.synchronize()).rejects.toThrow(/Target -2 is out of bounds/);
    await sg.synchronize();
    for (const t of [logits, target, loss]) t.dispose();
  });

  it('only reads of what depends on the failed launch throw; unrelated reads stay good', async () => {
    const logits = sg
      .tensor([
        [0.5, 0.1, 0.2],
        [0.3, 0.9, 0.1],
      ])
      .requiresGrad_();
    const target = sg.tensor([1, 5]).int(); // 5: out of range for 3 classes, made on the GPU
    const unrelated = sg.tensor([1, 2, 3]).mul(2);
    const loss = sg.crossEntropy(logits, target);
    const scaled = loss.mul(3); // depends on the loss
    loss.backward();
    const after = unrelated.add(1); // recorded after the assert, but independent of it
    expect(Array.from(await unrelated.data())).toEqual([2, 4, 6]);
    expect(Array.from(await after.data())).toEqual([3, 5, 7]);
    await expect(scaled.item()).rejects.toThrow(
      'shadergrad: cross_entropy: Target 5 is out of bounds (classes: 3) (a device-side assert)',
    );
    await expect(loss.item()).rejects.toThrow(/Target 5 is out of bounds/); // still poisoned
    await expect(logits.grad!.data()).rejects.toThrow(/Target 5 is out of bounds/); // backward read it
    expect(Array.from(await logits.data())).toEqual(Array.from(Float32Array.from([0.5, 0.1, 0.2, 0.3, 0.9, 0.1])));
    await sg.synchronize(); // already reported by a read: not thrown again
    for (const t of [logits, logits.grad!, target, unrelated, loss, scaled, after]) t.dispose();
  });

  it('nn.Embedding: an id out of range made on the GPU throws "index out of range in self" where it is used', async () => {
    const emb = new sg.nn.Embedding(10, 4);
    const scores = sg.tensor([
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
      [0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const ids = scores.argmax(1); // [12, 2]: 12 is outside a table of 10 rows
    const out = emb.forward(ids);
    const pooled = out.sum();
    const other = sg.tensor([4, 5]).mul(2);
    expect(Array.from(await other.data())).toEqual([8, 10]);
    await expect(pooled.item()).rejects.toThrow(
      'shadergrad: embedding: index out of range in self (id 12, num_embeddings 10) (a device-side assert)',
    );
    // Ids in range afterwards: the same table reads back normally.
    const good = emb.forward(sg.tensor([3, 9]).int());
    expect((await good.data()).every(Number.isFinite)).toBe(true);
    for (const t of [scores, ids, out, pooled, other, good]) t.dispose();
    emb.dispose();
  });

  it('an assert nothing reads is thrown once by sg.synchronize()', async () => {
    const emb = new sg.nn.Embedding(3, 2);
    const out = emb.forward(sg.tensor([0, -1]).int());
    const other = sg.tensor([1]).add(1);
    expect(await other.item()).toBe(2); // reads the assert buffer too, and does not throw
    await expect(sg.synchronize()).rejects.toThrow(/embedding: index out of range in self \(id -1, num_embeddings 3\)/);
    await sg.synchronize();
    await expect(out.data()).rejects.toThrow(/index out of range in self/); // reading it still throws
    for (const t of [out, other]) t.dispose();
    emb.dispose();
  });

  it('ignoreIndex targets are not an error', async () => {
    const logits = sg.zeros([2, 4]);
    const target = sg.tensor([1, -100]).int();
    const loss = sg.crossEntropy(logits, target);
    expect(await loss.item()).toBeCloseTo(Math.log(4), 5);
    for (const t of [logits, target, loss]) t.dispose();
  });
});
