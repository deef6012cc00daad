// Checkpoint.restore is all or nothing: a checkpoint whose optimizer, scheduler, rng or epoch is
// bad (missing Adam slot, lastEpoch 'abc', rng {seed: 'x'}, a string epoch, a NaN lr) is refused
// naming the file and the field, and the model, optimizer, scheduler and rng are unchanged.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as sg from '../src/index.js';
import { getRngState } from '../src/ops/create.js';

beforeAll(async () => {
  await sg.init();
});

const { nn, optim } = sg;
type Opt = sg.optim.Optimizer<{ lr: number }>;

/** Rewrites the `__metadata__` of a safetensors file (the data is untouched). */
function editMetadata(bytes: Uint8Array, edit: (meta: Record<string, unknown>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const raw = header.__metadata__ as Record<string, string>;
  const jsonKeys = ['epoch', 'rng', 'optimizer', 'scheduler', 'extra'];
  const meta = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, jsonKeys.includes(k) ? JSON.parse(v) : v]));
  edit(meta);
  header.__metadata__ = Object.fromEntries(
    Object.entries(meta).map(([k, v]) => [k, jsonKeys.includes(k) ? JSON.stringify(v) : v]),
  );
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(bytes.subarray(8 + n), 8 + head.length);
  return out;
}

/** A trained model, Adam and StepLR, saved; the live objects then train on (so they differ from the file). */
async function setup() {
  sg.manualSeed(5);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 }) as unknown as Opt;
  const sched = new optim.lrScheduler.StepLR(opt, 1, 0.5);
  const step = () =>
    sg.tidy(() => {
      const x = sg.tensor([0.5, -1, 2, 1, 0.25, -0.5], { shape: [2, 3] });
      const loss = sg.crossEntropy(model.call(x), sg.tensor(new Int32Array([0, 1])));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched.step();
    });
  step();
  const path = join(mkdtempSync(join(tmpdir(), 'sg-restore-')), 'ck.safetensors');
  await sg.save(path, { model, optimizer: opt, scheduler: sched, epoch: 1 });
  step();
  sg.manualSeed(77);
  return { model, opt, sched, bytes: new Uint8Array(readFileSync(path)), folder: path };
}

/** Everything a restore could change. */
async function snapshot(model: sg.nn.Module, opt: Opt, sched: sg.optim.lrScheduler.StepLR) {
  const weights = [];
  for (const p of model.parameters()) weights.push(Array.from(await p.data()));
  const state = await opt.stateDict();
  const moments = state.state.map((s) =>
    s ? Object.fromEntries(Object.entries(s.tensors).map(([k, v]) => [k, Array.from(v)])) : null,
  );
  return { weights, moments, lrs: opt.lrs, lastEpoch: sched.lastEpoch, rng: getRngState() };
}

describe('Checkpoint.restore is all or nothing', () => {
  const refused: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
    [
      'an Adam state without exp_avg_sq',
      (m) => (m.optimizer.params[0].tensors = m.optimizer.params[0].tensors.filter((t: string) => t !== 'exp_avg_sq')),
      /ck\.safetensors: optimizer state of parameter 0 has no exp_avg_sq \(Adam needs it\)/,
    ],
    [
      "lastEpoch: 'abc'",
      (m) => (m.scheduler.lastEpoch = 'abc'),
      /ck\.safetensors: scheduler state field lastEpoch is 'abc', expected a finite number/,
    ],
    ['lastEpoch: 1.5', (m) => (m.scheduler.lastEpoch = 1.5), /scheduler state lastEpoch is 1.5, not an integer >= 0/],
    ['a scheduler state without lastEpoch', (m) => (m.scheduler = {}), /scheduler state has no field lastEpoch/],
    [
      "an lr of 'abc'",
      (m) => (m.optimizer.groups[0].lr = 'abc'),
      /optimizer group 0 field lr is 'abc', expected a finite number/,
    ],
    ['an lr of null (NaN in JSON)', (m) => (m.optimizer.groups[0].lr = null), /optimizer group 0 field lr is null/],
    [
      'betas of one number',
      (m) => (m.optimizer.groups[0].betas = [0.9]),
      /field betas is \[0.9\], expected a list of 2 finite numbers/,
    ],
    ['an unknown group option', (m) => (m.optimizer.groups[0].lrr = 1), /optimizer group 0 has a field lrr/],
    ['SGD state into Adam', (m) => (m.optimizer.type = 'SGD'), /holds SGD state, the optimizer is Adam/],
  ];
  for (const [what, edit, error] of refused) {
    it(`${what}: refused by restore, nothing changed`, async () => {
      const { model, opt, sched, bytes } = await setup();
      const ck = await sg.load(editMetadata(bytes, edit), { name: 'ck.safetensors' });
      const before = await snapshot(model, opt, sched);
      expect(() => ck.restore({ model, optimizer: opt, scheduler: sched })).toThrow(error);
      expect(await snapshot(model, opt, sched)).toEqual(before);
    });
  }

  const unreadable: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
    [
      "rng {seed: 'x'}",
      (m) => (m.rng = { seed: 'x', stream: 0 }),
      /ck\.safetensors: bad checkpoint metadata 'rng': expected \{seed, stream\}/,
    ],
    ["epoch '3'", (m) => (m.epoch = '3'), /bad checkpoint metadata 'epoch': expected a finite number or null, got '3'/],
    ['a negative step', (m) => (m.optimizer.params[0].step = -1), /optimizer\.params\[0\]\.step is -1/],
    ['extra as a list', (m) => (m.extra = [1]), /bad checkpoint metadata 'extra'/],
  ];
  for (const [what, edit, error] of unreadable) {
    it(`${what}: refused by sg.load`, async () => {
      const { bytes } = await setup();
      await expect(sg.load(editMetadata(bytes, edit), { name: 'ck.safetensors' })).rejects.toThrow(error);
    });
  }

  it('a model state that does not fit: refused, and the optimizer and scheduler are unchanged too', async () => {
    const { opt, sched, bytes } = await setup();
    const other = new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2));
    const otherOpt = new optim.Adam(other.parameters(), { lr: 0.3 }) as unknown as Opt;
    const ck = await sg.load(bytes, { name: 'ck.safetensors' });
    const before = await snapshot(other, otherOpt, sched);
    expect(() => ck.restore({ model: other, scheduler: sched })).toThrow(/0\.weight|size|shape/);
    expect(await snapshot(other, otherOpt, sched)).toEqual(before);
    void opt;
  });

  it('the unedited checkpoint restores', async () => {
    const { model, opt, sched, bytes } = await setup();
    const ck = await sg.load(bytes, { name: 'ck.safetensors' });
    ck.restore({ model, optimizer: opt, scheduler: sched });
    expect(sched.lastEpoch).toBe(1);
    expect(opt.lrs).toEqual([0.005]);
    void writeFileSync;
  });
});
