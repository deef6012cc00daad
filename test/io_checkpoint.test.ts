// Training checkpoints (sg.save / sg.load / ck.restore): resuming is bit-identical to never stopping.
// (sg.save and sg.load are src/io/checkpoint.ts; sg.io.load/save are the plain state-dict ones.)
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as sg from '../src/index.js';
import { rng } from './helpers.js';

beforeAll(async () => {
  await sg.init();
});

const { nn, optim } = sg;

/** conv -> relu -> flatten -> dropout -> linear: every kind of state a resume must carry. */
function makeModel(): sg.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 2, 3),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Dropout(0.3),
    new nn.Linear(32, 3),
  );
}

type Opt = sg.optim.Optimizer<{ lr: number }>;
const optimizers: Record<string, (m: sg.nn.Module) => Opt> = {
  'SGD with momentum': (m) =>
    new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }) as unknown as Opt,
  Adam: (m) => new optim.Adam(m.parameters(), { lr: 0.01 }) as unknown as Opt,
};

const next = rng(11);
const x = Float32Array.from({ length: 4 * 36 }, () => next() * 2 - 1);
const y = Int32Array.from([0, 2, 1, 2]);

/** One step: forward (with dropout), cross-entropy, backward, optimizer and scheduler steps. */
function step(model: sg.nn.Module, opt: Opt, scheduler: sg.optim.lrScheduler.StepLR): void {
  sg.tidy(() => {
    const loss = sg.crossEntropy(model.call(sg.tensor(x, { shape: [4, 1, 6, 6] })), sg.tensor(y));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
  scheduler.step();
}

async function weights(model: sg.nn.Module): Promise<Uint32Array[]> {
  const out = [];
  for (const p of model.parameters()) out.push(new Uint32Array((await p.data()).buffer));
  return out;
}

describe('training checkpoints', () => {
  for (const [name, makeOpt] of Object.entries(optimizers)) {
    it(`${name} + StepLR + dropout: train N, save, train M == load into fresh objects, train M (bit-identical)`, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'sg-ckpt-'));
      const path = join(folder, 'ckpt.safetensors');
      sg.manualSeed(3);
      const model = makeModel();
      const opt = makeOpt(model);
      const sched = new optim.lrScheduler.StepLR(opt, 2, 0.5);
      for (let i = 0; i < 3; i++) step(model, opt, sched);
      await sg.save(path, { model, optimizer: opt, scheduler: sched, epoch: 3, bestAcc: 0.75 });
      expect(readdirSync(folder)).toEqual(['ckpt.safetensors']);
      for (let i = 0; i < 3; i++) step(model, opt, sched);
      const straight = await weights(model);
      const lrStraight = opt.lrs;

      sg.manualSeed(99); // a different init and random stream: restore must overwrite both
      const fresh = makeModel();
      const freshOpt = makeOpt(fresh);
      const freshSched = new optim.lrScheduler.StepLR(freshOpt, 2, 0.5);
      const ck = await sg.load(path);
      expect(ck.epoch).toBe(3);
      expect(ck.extra).toEqual({ bestAcc: 0.75 });
      expect(ck.schedulerState).toEqual({ lastEpoch: 3 });
      ck.restore({ model: fresh, optimizer: freshOpt, scheduler: freshSched });
      expect(freshOpt.lrs).toEqual([(name === 'Adam' ? 0.01 : 0.1) * 0.5]);
      for (let i = 0; i < 3; i++) step(fresh, freshOpt, freshSched);
      const resumed = await weights(fresh);

      // sg.io.load reads a checkpoint's model weights as a plain state dict.
      const plain = await sg.io.load(path);
      expect([...plain.keys()]).toEqual([...model.stateDict().keys()]);
      for (const t of plain.values()) t.dispose();
      expect(resumed.length).toBe(straight.length);
      resumed.forEach((w, i) => expect(w).toEqual(straight[i]));
      expect(freshOpt.lrs).toEqual(lrStraight);
    });
  }

  it('restoring without the RNG gives different weights (the test above really depends on it)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sg-ckpt-')), 'ckpt.safetensors');
    sg.manualSeed(5);
    const model = makeModel();
    const opt = optimizers.Adam(model);
    const sched = new optim.lrScheduler.StepLR(opt, 2, 0.5);
    step(model, opt, sched);
    await sg.save(path, { model, optimizer: opt, scheduler: sched });
    step(model, opt, sched);
    const straight = await weights(model);
    const fresh = makeModel();
    const freshOpt = optimizers.Adam(fresh);
    const freshSched = new optim.lrScheduler.StepLR(freshOpt, 2, 0.5);
    (await sg.load(path)).restore({ model: fresh, optimizer: freshOpt, scheduler: freshSched, rng: false });
    step(fresh, freshOpt, freshSched);
    const resumed = await weights(fresh);
    expect(resumed.some((w, i) => w.some((v, j) => v !== straight[i][j]))).toBe(true);
  });

  it('restore checks everything first: a mismatched model is left unchanged', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sg-ckpt-')), 'ckpt.safetensors');
    await sg.save(path, { model: new nn.Linear(3, 2), epoch: 1 });
    const other = new nn.Linear(4, 2);
    const before = await other.weight.data();
    const ck = await sg.load(path);
    expect(() => ck.restore({ model: other })).toThrow(/size mismatch for weight: copying a param with shape \[2, 3\]/);
    expect(await other.weight.data()).toEqual(before);
    const opt = new optim.SGD(other.parameters(), { lr: 0.1 });
    expect(() => ck.restore({ optimizer: opt as unknown as Opt })).toThrow(
      /ckpt\.safetensors: the checkpoint holds no optimizer state/,
    );
    // Optimizer state for other shapes is refused before the model is touched.
    const small = new nn.Linear(3, 2);
    const smallOpt = new optim.SGD(small.parameters(), { lr: 0.1, momentum: 0.9 });
    sg.tidy(() =>
      small
        .call(sg.ones([1, 3]))
        .sum()
        .backward(),
    );
    smallOpt.step();
    await sg.save(path, { model: small, optimizer: smallOpt as unknown as Opt });
    const bigOpt = new optim.SGD(other.parameters(), { lr: 0.1, momentum: 0.9 });
    const ck2 = await sg.load(path);
    expect(() => ck2.restore({ model: other, optimizer: bigOpt as unknown as Opt })).toThrow(
      /optimizer state momentum_buffer of parameter 0 has 6 elements, the parameter \[2, 4\] has 8/,
    );
    expect(await other.weight.data()).toEqual(before);
  });

  it('load refuses files that are not shadergrad checkpoints, naming them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sg-ckpt-')), 'plain.safetensors');
    const t = sg.tensor([1, 2]);
    await sg.io.save(path, { t });
    await expect(sg.load(path)).rejects.toThrow(
      /plain\.safetensors: a safetensors file, but not a shadergrad checkpoint/,
    );
    await expect(sg.load(join(__dirname, 'fixtures', 'io', 'torch_zip.pt'))).rejects.toThrow(
      /torch_zip\.pt: not a shadergrad checkpoint/,
    );
    t.dispose();
  });
});
