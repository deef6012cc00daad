// sg.train.fit at a tiny size (a 4-8-3 network with batch norm on a TensorDataset, no images):
// phases and their parameter groups, freezing (weights and batch-norm statistics untouched in
// phase 1), per-phase schedulers, the best checkpoint, resumption equal to the uninterrupted
// run, a run without an output folder, events, and no leaked tensors.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { rng } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sg-train-'));

/** n samples of 4 features; the label is the argmax of a fixed linear map (learnable). */
function dataset(n: number, seed: number): sg.data.Dataset<sg.data.Example> {
  const next = rng(seed);
  const x = Float32Array.from({ length: n * 4 }, () => 2 * next() - 1);
  const y = Int32Array.from({ length: n }, (_, i) => {
    const [a, b, c, d] = x.subarray(4 * i, 4 * i + 4);
    const scores = [a + b, c - a, d - b + 0.3];
    return scores.indexOf(Math.max(...scores));
  });
  return new sg.data.TensorDataset(
    { data: x, shape: [n, 4] },
    { data: y, shape: [n] },
  ) as unknown as sg.data.Dataset<sg.data.Example>;
}

const train = dataset(30, 1),
  val = dataset(12, 2);

/** The same seeded network every time: backbone Linear(4, 8) + BatchNorm1d(8) + ReLU, head Linear(8, 3). */
function network() {
  sg.manualSeed(5);
  const backbone = new sg.nn.Sequential(new sg.nn.Linear(4, 8), new sg.nn.BatchNorm1d(8), new sg.nn.ReLU());
  const head = new sg.nn.Linear(8, 3);
  const model = new sg.nn.Sequential(backbone, head);
  return { model, backbone: backbone.parameters(), head: head.parameters() };
}

/** Two phases: the head alone at lr 0.1 for 2 epochs, then head and backbone (0.01) for 2. */
function phases(net: ReturnType<typeof network>): sg.train.Phase[] {
  return [
    { name: 'head', epochs: 2, groups: [{ name: 'head', params: net.head, lr: 0.1 }] },
    {
      name: 'fine-tune',
      epochs: 2,
      groups: [
        { name: 'head', params: net.head, lr: 0.1 },
        { name: 'backbone', params: net.backbone, lr: 0.01 },
      ],
    },
  ];
}

const base = { train, val, batchSize: 8, numWorkers: 0, optimizer: 'adam' as const, scheduler: 'cosine' as const };
const values = async (m: sg.nn.Module) =>
  Promise.all([...m.stateDict()].map(async ([k, t]) => [k, Array.from(await t.data())] as const));
const strip = (rows: sg.train.EpochRow[]) => rows.map(({ seconds: _, ...r }) => r);

beforeAll(async () => {
  await sg.init();
});

describe('sg.train.fit', () => {
  it('readEvery: the loss and accuracy are read back (and reported) every k batches, with the same results', async () => {
    const run = async (readEvery: number) => {
      sg.manualSeed(3);
      const net = network();
      const events: number[] = [];
      const r = await sg.train.fit(net.model, {
        ...base,
        readEvery,
        phases: [{ name: 'all', epochs: 1, groups: [{ name: 'head', params: net.head, lr: 0.1 }] }],
        on: { batch: ({ seen }) => void events.push(seen) },
      });
      sg.models.disposeModel(net.model);
      return { events, row: strip(r.rows)[0] };
    };
    const every = await run(1);
    const third = await run(3);
    expect(every.events).toEqual([8, 16, 24, 30]); // 30 samples in batches of 8
    expect(third.events).toEqual([24, 30]); // after batches 3 and 4 (the end)
    expect(third.row.trainLoss).toBeCloseTo(every.row.trainLoss, 5);
    expect(third.row).toMatchObject({ trainAcc: every.row.trainAcc });
  });

  it('trains phase by phase: frozen backbone (and its batch-norm statistics) in phase 1, both groups in phase 2', async () => {
    const live = sg.memory().liveTensors;
    const net = network();
    const before = await values(net.model);
    const trainableAt: boolean[][] = [];
    let afterPhase1: Awaited<ReturnType<typeof values>> = [];
    let batchEvents = 0;
    const r = await sg.train.fit(net.model, {
      ...base,
      phases: phases(net),
      on: {
        epochStart: () => trainableAt.push(net.model.parameters().map((p) => p.requiresGrad)),
        batch: ({ seen, samples }) => {
          batchEvents++;
          expect(seen).toBeLessThanOrEqual(samples);
        },
        epochEnd: async (row) => {
          if (row.epoch === 2) afterPhase1 = await values(net.model);
        },
      },
    });
    expect(r.rows.map((x) => x.phase)).toEqual([1, 1, 2, 2]);
    expect(r.interrupted).toBe(false);
    expect(batchEvents).toBe(4 * 4); // ceil(30 / 8) batches per epoch
    // Backbone Linear weight and bias, batch-norm weight and bias frozen in phase 1; all trainable in phase 2.
    expect(trainableAt[0]).toEqual([false, false, false, false, true, true]);
    expect(trainableAt[2]).toEqual([true, true, true, true, true, true]);
    // Learning rates per group (NaN where the group is absent), cosine-annealed within each phase.
    expect(r.rows[0].lr).toEqual([0.1, NaN]);
    expect(r.rows[1].lr[0]).toBeCloseTo(0.05, 12);
    expect(r.rows[2].lr).toEqual([0.1, 0.01]);
    expect(r.rows[3].lr[1]).toBeCloseTo(0.005, 12);
    for (const row of r.rows) expect(Number.isFinite(row.trainLoss) && Number.isFinite(row.valAcc)).toBe(true);
    const changed = (a: typeof before, b: typeof before) =>
      a.filter((_, i) => JSON.stringify(a[i][1]) !== JSON.stringify(b[i][1])).map(([k]) => k);
    expect(changed(before, afterPhase1)).toEqual(['1.weight', '1.bias']); // only the head moved
    const end = await values(net.model);
    expect(changed(afterPhase1, end)).toEqual(
      expect.arrayContaining(['0.0.weight', '0.1.running_mean', '0.1.num_batches_tracked', '1.weight']),
    );
    sg.models.disposeModel(net.model);
    expect(sg.memory().liveTensors).toBe(live);
  });

  it('keeps the best weights and a checkpoint; resuming an interrupted run gives the uninterrupted result', async () => {
    const full = network();
    const bestWeights = new Map<number, Awaited<ReturnType<typeof values>>>();
    const out = join(root, 'full');
    const r = await sg.train.fit(full.model, {
      ...base,
      phases: phases(full),
      out,
      metadata: { note: 'tiny' },
      on: {
        epochEnd: async (row, { best }) => {
          if (best) bestWeights.set(row.epoch, await values(full.model));
        },
      },
    });
    const accs = r.rows.map((x) => x.valAcc);
    expect(r.bestAcc).toBe(Math.max(...accs));
    expect(r.bestEpoch).toBe(accs.indexOf(r.bestAcc) + 1); // the first epoch that reached it
    for (const f of ['model.safetensors', 'checkpoint.safetensors', 'metrics.csv', 'metrics.json', 'curves.png'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0]).toBe(
      'epoch,phase,train_loss,train_acc,val_loss,val_acc,lr_head,lr_backbone,seconds',
    );
    const saved = await sg.io.load(join(out, 'model.safetensors'));
    const best = new Map(bestWeights.get(r.bestEpoch)!);
    for (const [k, t] of saved) expect(Array.from(await t.data()), k).toEqual(best.get(k));
    for (const t of saved.values()) t.dispose();
    const fullEnd = await values(full.model);
    sg.models.disposeModel(full.model);

    // Interrupted after the second batch of epoch 3 (the first of phase 2), then resumed.
    const dir = join(root, 'cut');
    const cutNet = network();
    let batches = 0;
    const stop = new AbortController();
    const cut = await sg.train.fit(cutNet.model, {
      ...base,
      phases: phases(cutNet),
      out: dir,
      signal: stop.signal,
      on: {
        batch: ({ epoch }) => {
          if (epoch === 3 && ++batches === 2) stop.abort();
        },
      },
    });
    expect(cut.interrupted).toBe(true);
    expect(cut.rows.map((x) => x.epoch)).toEqual([1, 2]);
    sg.models.disposeModel(cutNet.model);
    const ckpt = await sg.io.loadCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect([ckpt.epoch, ckpt.extra.phase, (ckpt.extra.partial as sg.train.EpochProgress).batches]).toEqual([2, 2, 2]);
    const again = network();
    const lines: string[] = [];
    const done = await sg.train.fit(again.model, {
      ...base,
      phases: phases(again),
      out: dir,
      resume: ckpt,
      on: { log: (l) => lines.push(l) },
    });
    expect(lines[0]).toBe(`resumed from ${join(dir, 'checkpoint.safetensors')} after epoch 2 and 2 batches of epoch 3`);
    expect(strip(done.rows)).toEqual(strip(r.rows));
    expect([done.bestEpoch, done.bestAcc]).toEqual([r.bestEpoch, r.bestAcc]);
    expect(await values(again.model)).toEqual(fullEnd);
    sg.models.disposeModel(again.model);
  });

  it('runs without an output folder (as in a browser), and a phase of 0 epochs is skipped', async () => {
    const net = network();
    const [head, fine] = phases(net);
    const r = await sg.train.fit(net.model, {
      ...base,
      scheduler: 'none',
      phases: [
        { ...head, epochs: 0 },
        { ...fine, epochs: 1 },
      ],
    });
    expect(r.rows.map((x) => [x.epoch, x.phase])).toEqual([[1, 2]]);
    expect(r.rows[0].lr).toEqual([0.1, 0.01]);
    sg.models.disposeModel(net.model);
  });

  it('the console reporter prints the phase and epoch lines and draws the bar', async () => {
    const net = network();
    const lines: string[] = [],
      drawn: string[] = [];
    const [head] = phases(net);
    await sg.train.fit(net.model, {
      ...base,
      phases: [{ ...head, epochs: 1, description: 'phase 1: the head only' }],
      on: sg.train.consoleReporter({
        log: (l) => lines.push(l),
        stream: { isTTY: true, columns: 200, write: (s) => drawn.push(s) },
      }),
    });
    expect(lines[0]).toBe('phase 1: the head only');
    expect(lines[1]).toMatch(
      /^epoch 1\/1 \[phase 1\] {2}train loss \d\.\d{4} acc \d+\.\d% {2}val loss \d\.\d{4} acc \d+\.\d% {2}lr 1e-1 {2}\d+\.\ds {2}\*best\*$/,
    );
    expect(drawn.some((s) => s.includes('30/30'))).toBe(true);
    expect(drawn.at(-1)).toBe('\r\x1b[K'); // the bar is cleared before the summary line
    sg.models.disposeModel(net.model);
  });
});

describe('sg.train building blocks', () => {
  it('topK, classify, canonical names and the optimizer and scheduler by name', async () => {
    expect(sg.train.topK([0.1, 0.5, 0.2, 0.9], 3)).toEqual([3, 1, 2]);
    expect(sg.train.canonicalModelName('vgg16Bn')).toBe('vgg16_bn');
    const net = network();
    const probs = await sg.train.classify(net.model, { shape: [4], data: Float32Array.from([0.5, -0.2, 0.1, 0.9]) });
    expect(probs).toHaveLength(3);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(net.model.training).toBe(true); // restored after eval mode
    const opt = sg.train.makeOptimizer('sgd', [{ params: net.head, lr: 0.5 }]);
    expect(opt).toBeInstanceOf(sg.optim.SGD);
    expect(sg.train.makeScheduler('none', opt, { stepSize: 1, epochs: 1 })).toBeNull();
    expect(() => sg.train.makeOptimizer('rmsprop' as 'sgd', [{ params: net.head, lr: 1 }])).toThrow(
      "train: unknown optimizer 'rmsprop' (sgd, adam, adamw)",
    );
    sg.models.disposeModel(net.model);
  });

  it('loadModel reads a weight file once, from bytes, strips a DataParallel prefix and replaces the head', async () => {
    const live = sg.memory().liveTensors;
    sg.manualSeed(9);
    const m = await sg.models.get('cifar_resnet20');
    const path = join(root, 'dp.safetensors');
    await sg.io.save(path, new Map([...m.stateDict()].map(([k, t]) => [`module.${k}`, t])));
    const conv1 = await m.stateDict().get('conv1.weight')!.data();
    sg.models.disposeModel(m);
    const loaded = await sg.train.loadModel('cifarResnet20', new Uint8Array(readFileSync(path)), 3);
    expect(loaded.stateDict().get('linear.weight')!.shape).toEqual([3, 64]);
    expect(await loaded.stateDict().get('conv1.weight')!.data()).toEqual(conv1);
    sg.models.disposeModel(loaded);
    await expect(sg.train.loadModel('resnet18', new Uint8Array(readFileSync(path)), 3)).rejects.toThrow('loadModel: <');
    expect(sg.memory().liveTensors).toBe(live);
  });
});
