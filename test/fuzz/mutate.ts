// Seeds and mutations for fuzzing: valid files of every format (torch.save zip and legacy
// written by PyTorch, safetensors, a training checkpoint, JPEG, PNG), cut at many offsets or
// mutated at random (a byte flipped, a length field set to 2^31-1 or 2^60, a chunk dropped or
// repeated). Every mutant must load or fail with an error naming the file (see harness.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../../src/index.js';
import { png, safetensors } from './hostile_files.js';
import type { Case, Reader } from './harness.js';

/** The seeds PyTorch wrote (paths from the repository root, where vitest and npm scripts run). */
const FIXTURES = join('test', 'fixtures', 'fuzz');

/** A valid file and the readers that accept it. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
  readers: Reader[];
}

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seeds(): Seed[] {
  const file = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
  const torch: Reader[] = ['load', 'inspect', 'readCheckpoint'];
  const values = Float32Array.from([0.5, -1, 2, 0.25, 3, -4]);
  const data = new Uint8Array(values.buffer);
  const weights = safetensors(
    {
      __metadata__: { note: 'seed' },
      w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: 'F16', shape: [4], data_offsets: [16, 24] },
    },
    data,
  );
  const checkpoint = safetensors(
    {
      __metadata__: {
        format: 'shadergrad.checkpoint',
        version: '1',
        epoch: '2',
        rng: '{"seed":1,"stream":3}',
        optimizer: '{"type":"SGD","params":[{"step":2,"tensors":["momentum_buffer"]}],"groups":[{"lr":0.1}]}',
        scheduler: '{"lastEpoch":2}',
        extra: '{"best":0.5}',
      },
      'model.w': { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      'optimizer.0.momentum_buffer': { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    },
    data.subarray(0, 16),
  );
  const image: sg.data.Image = {
    width: 13,
    height: 9,
    channels: 3,
    data: Uint8Array.from({ length: 13 * 9 * 3 }, (_, i) => (i * 37) & 0xff),
  };
  return [
    { name: 'state_zip.pth', bytes: file('state_zip.pth'), readers: torch },
    { name: 'state_legacy.pth', bytes: file('state_legacy.pth'), readers: torch },
    { name: 'checkpoint_nested.pth', bytes: file('checkpoint_nested.pth'), readers: ['readCheckpoint', 'inspect'] },
    { name: 'weights.safetensors', bytes: weights, readers: ['load', 'inspect', 'readCheckpoint'] },
    { name: 'ckpt.safetensors', bytes: checkpoint, readers: ['checkpoint'] },
    { name: 'photo.jpg', bytes: sg.data.encodeJpeg(image, 80), readers: ['image'] },
    { name: 'photo.png', bytes: sg.data.encodePng(image), readers: ['image'] },
    { name: 'grey.png', bytes: png(7, 5), readers: ['image'] },
  ];
}

/** The seed cut at `count` offsets spread over it (always including the first bytes). */
export function truncations(seed: Seed, reader: Reader, count: number): Case[] {
  const n = seed.bytes.length;
  const offsets = new Set<number>();
  for (let i = 0; i < Math.min(16, n); i++) offsets.add(i);
  for (let k = 0; k < count; k++) offsets.add(Math.floor((k * n) / count));
  return [...offsets].map((at) => ({
    name: `${seed.name}@cut${at}`,
    reader,
    bytes: seed.bytes.slice(0, at),
    expect: 'either',
  }));
}

/** One random mutation of the seed. */
export function mutate(seed: Seed, reader: Reader, random: () => number, k: number): Case {
  const b = seed.bytes.slice();
  const at = Math.floor(random() * b.length);
  const kind = Math.floor(random() * 5);
  let bytes: Uint8Array = b;
  if (kind === 0) b[at] ^= 1 << Math.floor(random() * 8);
  else if (kind === 1) new DataView(b.buffer).setUint32(Math.min(at, b.length - 4), 0x7fffffff, true);
  else if (kind === 2 && b.length >= 8)
    new DataView(b.buffer).setBigUint64(Math.min(at, b.length - 8), 2n ** 60n, true);
  else if (kind === 3)
    bytes = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1 + Math.floor(random() * 16))]);
  else {
    const len = 1 + Math.floor(random() * 32);
    bytes = new Uint8Array([...b.subarray(0, at + len), ...b.subarray(at, b.length)]);
  }
  return { name: `${seed.name}#${k}`, reader, bytes, expect: 'either' };
}
