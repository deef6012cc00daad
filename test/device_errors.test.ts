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

  it('ignoreIndex targets are not an error', async () => {
    const logits = sg.zeros([2, 4]);
    const target = sg.tensor([1, -100]).int();
    const loss = sg.crossEntropy(logits, target);
    expect(await loss.item()).toBeCloseTo(Math.log(4), 5);
    for (const t of [logits, target, loss]) t.dispose();
  });
});
