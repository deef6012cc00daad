// The commands: summary and print (text), finetune end to end on a tiny generated image folder
// (freezing, phases, parameter groups, outputs, interrupt and resume) and evaluate.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as sg from '../src/index.js';
import { summaryCommand } from '../tools/cli/summary.js';
import { printCommand } from '../tools/cli/print.js';
import { finetuneOptions } from '../tools/cli/finetune.js';
import { evaluateCommand } from '../tools/cli/evaluate.js';

const { finetune, freezePlan, loadModel, replaceHead } = sg.train;
import { rng } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sg-cli-'));
const data = join(root, 'data');
const CLASSES = ['blue', 'green', 'red'];

/** 8 PNGs per class of varied sizes, each dominated by its colour channel. */
function makeFolder(): void {
  const next = rng(7);
  CLASSES.forEach((name, k) => {
    mkdirSync(join(data, name), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const png = new PNG({ width: 24 + Math.floor(next() * 20), height: 24 + Math.floor(next() * 20) });
      for (let p = 0; p < png.width * png.height; p++) {
        for (let c = 0; c < 3; c++) png.data[p * 4 + c] = c === 2 - k ? 150 + next() * 100 : next() * 110;
        png.data[p * 4 + 3] = 255;
      }
      writeFileSync(join(data, name, `${i}.png`), PNG.sync.write(png));
    }
  });
}

const quiet = { log: () => {}, stream: { write: () => true, isTTY: false }, numWorkers: 0 };

beforeAll(async () => {
  await sg.init();
  makeFolder();
});

describe('summary and print', () => {
  it('print the torchsummary table and the module tree', async () => {
    let text = '';
    await summaryCommand(['cifar_resnet20', '--batch-size', '1'], (t) => (text += t));
    // 432 + 32 + 3 * 4,672 + 51,072 + 203,520 + 650 (conv1, bn1, layer1..3, linear).
    expect(text).toContain('Total params: 269,722');
    expect(text).toMatch(/Linear-\d+ +\[1, 10\] +650/);
    text = '';
    await printCommand(['squeezenet1_1', '--num-classes', '5'], (t) => (text += t));
    expect(text.startsWith('SqueezeNet(\n')).toBe(true);
    expect(text).toContain('(1): Conv2d(512, 5, kernel_size=(1, 1), stride=(1, 1))');
    await expect(summaryCommand(['resnet7'])).rejects.toThrow(
      /summary: unknown model "resnet7"; known models: alexnet/,
    );
    await expect(summaryCommand(['cifar_resnet20', '--input', '3,x'])).rejects.toThrow(
      'summary: --input expects positive integers like 3,224,224, got "3,x"',
    );
  });
});

describe('transfer-learning surgery', () => {
  it('replaces the head and plans what each phase trains', async () => {
    const m = await sg.models.get('cifar_resnet20');
    const head = replaceHead(m, 'cifar_resnet20', 3);
    expect((m as unknown as { linear: sg.nn.Linear }).linear).toBe(head);
    expect(m.stateDict().get('linear.weight')!.shape).toEqual([3, 64]);
    const all = m.parameters().length;
    expect(freezePlan(m, 'cifar_resnet20', 'all-but-head').phase1.size).toBe(2);
    expect(freezePlan(m, 'cifar_resnet20', 'features').phase1.size).toBe(2); // no features block: as all-but-head
    expect(freezePlan(m, 'cifar_resnet20', 'none').phase1.size).toBe(all);
    expect(freezePlan(m, 'cifar_resnet20', 1).phase1.size).toBe(all - 1); // conv1 has no bias
    expect(freezePlan(m, 'cifar_resnet20', 2).phase1.size).toBe(all - 3); // and bn1
    const plan = freezePlan(m, 'cifar_resnet20', 'all-but-head');
    expect(plan.head.length + plan.backbone.length).toBe(all);
    expect(() => freezePlan(m, 'cifar_resnet20', 99)).toThrow(
      'finetune: freeze 99 layers, but cifar_resnet20 has 39 layers with parameters (the last is the head)',
    );
    sg.models.disposeModel(m);
    const sq = await sg.models.get('squeezenet1_1', { numClasses: 4 });
    const sqPlan = freezePlan(sq, 'squeezenet1_1', 'features');
    expect(
      sq
        .namedParameters()
        .filter(([, p]) => sqPlan.phase1.has(p))
        .map(([n]) => n),
    ).toEqual(['classifier.1.weight', 'classifier.1.bias']);
    sg.models.disposeModel(sq);
  });

  it('parses the command line', () => {
    const o = finetuneOptions([
      '--data',
      'd',
      '--model',
      'resnet18',
      '--freeze',
      '3',
      '--optimizer',
      'adamw',
      '--epochs',
      '4',
      '--head-lr',
      '0.01',
    ])!;
    expect([o.data, o.model, o.freeze, o.optimizer, o.epochs, o.headLr, o.backboneLr, o.batchSize]).toEqual([
      'd',
      'resnet18',
      3,
      'adamw',
      4,
      0.01,
      1e-4,
      16,
    ]);
    expect(finetuneOptions(['--help'])).toBeNull();
    expect(() => finetuneOptions(['--data', 'd', '--model', 'resnet18', '--optimizer', 'rmsprop'])).toThrow(
      'finetune: --optimizer must be one of sgd, adam, adamw, got "rmsprop"',
    );
    expect(() => finetuneOptions(['--data', 'd'])).toThrow('finetune: --model is required');
  });
});

describe('finetune', () => {
  const out = join(root, 'run');
  const weights = join(root, 'pretrained.safetensors');
  let conv1: Float32Array, runningMean: Float32Array;

  beforeAll(async () => {
    // "Pretrained" weights: a seeded 10-class model, so the head is replaced (10 -> 3).
    sg.manualSeed(3);
    const m = await sg.models.get('cifar_resnet20');
    await sg.io.save(weights, m.stateDict());
    conv1 = (await m.stateDict().get('conv1.weight')!.data()) as Float32Array;
    runningMean = (await m.stateDict().get('bn1.running_mean')!.data()) as Float32Array;
    sg.models.disposeModel(m);
  });

  it('trains the head on frozen features, then everything with two parameter groups', async () => {
    const live = sg.memory().liveTensors;
    const r = await finetune({
      ...quiet,
      data,
      model: 'cifar_resnet20',
      weights,
      epochs: 2,
      headEpochs: 1,
      batchSize: 8,
      out,
      optimizer: 'adam',
      headLr: 1e-2,
    });
    expect(r.classes).toEqual(CLASSES);
    expect(r.rows.map((x) => x.phase)).toEqual([1, 2]);
    expect(r.rows[0].lr).toEqual([1e-2, NaN]);
    expect(r.rows[1].lr).toEqual([1e-2, 1e-4]);
    for (const f of [
      'metrics.csv',
      'metrics.json',
      'curves.png',
      'confusion.png',
      'confusion.csv',
      'predictions.png',
      'model.safetensors',
      'classes.json',
      'checkpoint.safetensors',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out, 'classes.json'), 'utf8'))).toEqual(CLASSES);
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,phase,train_loss,train_acc,val_loss,val_acc,lr_head,lr_backbone,seconds');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['1,1', '2,2']);
    // 24 images, 20% held out: 5 validation images in the confusion matrix.
    expect(r.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(5);
    const png = PNG.sync.read(readFileSync(join(out, 'curves.png')));
    expect([png.width, png.height]).toEqual([1040, 440]);
    sg.models.disposeModel(r.model);
    expect(sg.memory().liveTensors).toBe(live); // no tensor outlives the run
  });

  it('leaves frozen layers (and their batch-norm statistics) untouched in phase 1', async () => {
    const r = await finetune({
      ...quiet,
      data,
      model: 'cifar_resnet20',
      weights,
      epochs: 1,
      headEpochs: 1,
      batchSize: 8,
      out: join(root, 'frozen'),
    });
    const sd = r.model.stateDict();
    expect(await sd.get('conv1.weight')!.data()).toEqual(conv1);
    expect(await sd.get('bn1.running_mean')!.data()).toEqual(runningMean);
    sg.models.disposeModel(r.model);
  });

  it('with freeze none: one phase, the scheduler steps both groups, gradients clipped', async () => {
    const r = await finetune({
      ...quiet,
      data,
      model: 'cifar_resnet20',
      weights,
      epochs: 2,
      freeze: 'none',
      batchSize: 8,
      scheduler: 'step',
      stepSize: 1,
      clipGradNorm: 1,
      out: join(root, 'none'),
    });
    expect(r.rows.map((x) => x.phase)).toEqual([2, 2]);
    expect(r.rows[0].lr).toEqual([1e-3, 1e-4]);
    expect(r.rows[1].lr[0]).toBeCloseTo(1e-4, 15); // StepLR(step_size=1, gamma=0.1) after one epoch
    expect(r.rows[1].lr[1]).toBeCloseTo(1e-5, 15);
    sg.models.disposeModel(r.model);
  });

  it('saves a checkpoint when interrupted and resumes exactly where it stopped', async () => {
    const opts = {
      ...quiet,
      data,
      model: 'cifar_resnet20',
      weights,
      epochs: 2,
      headEpochs: 1,
      batchSize: 8,
      optimizer: 'adam' as const,
    };
    const full = await finetune({ ...opts, out: join(root, 'uninterrupted') });
    const fullWeights = await full.model.stateDict().get('layer3.2.conv2.weight')!.data();
    sg.models.disposeModel(full.model);
    // Ctrl-C after the second of the three batches of epoch 1.
    const dir = join(root, 'interrupted');
    let reads = 0;
    const signal = {
      get aborted() {
        return ++reads >= 2;
      },
    } as AbortSignal;
    const cut = await finetune({ ...opts, out: dir, signal });
    expect(cut.interrupted).toBe(true);
    expect(cut.rows).toEqual([]);
    sg.models.disposeModel(cut.model);
    const ck = await sg.io.loadCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect([ck.epoch, ck.extra.phase, (ck.extra.partial as { batches: number }).batches]).toEqual([0, 1, 2]);
    const lines: string[] = [];
    const done = await finetune({
      ...opts,
      log: (l) => lines.push(l),
      out: dir,
      resume: join(dir, 'checkpoint.safetensors'),
    });
    expect(lines).toContain(
      `resumed from ${join(dir, 'checkpoint.safetensors')} after epoch 0 and 2 batches of epoch 1`,
    );
    expect(done.interrupted).toBe(false);
    const strip = (rows: typeof done.rows) => rows.map(({ seconds: _, ...r }) => r);
    expect(strip(done.rows)).toEqual(strip(full.rows));
    expect(await done.model.stateDict().get('layer3.2.conv2.weight')!.data()).toEqual(fullWeights);
    sg.models.disposeModel(done.model);
  });

  it('evaluate reports accuracy, per-class scores and the confusion matrix', async () => {
    let text = '';
    await evaluateCommand(
      [
        '--model',
        'cifar_resnet20',
        '--weights',
        join(out, 'model.safetensors'),
        '--data',
        data,
        '--classes',
        join(out, 'classes.json'),
        '--workers',
        '0',
        '--out',
        join(root, 'eval'),
      ],
      (t) => (text += t),
    );
    expect(text).toMatch(/^24 images of .* img\/s\)\nloss \d+\.\d{4} {2}accuracy \d+\.\d\d%\n/);
    expect(text).toContain('              precision    recall  f1-score   support\n');
    expect(text).toContain('true\\predicted,blue,green,red\n');
    expect(existsSync(join(root, 'eval', 'confusion.png'))).toBe(true);
    const m = await loadModel('cifar_resnet20', join(out, 'model.safetensors'), 3);
    expect(m.stateDict().get('linear.weight')!.shape).toEqual([3, 64]);
    sg.models.disposeModel(m);
  });
});

const TH = '/work/shared/assets/weights/akamaster_resnet_cifar10/resnet20-12fca82f.th';

describe.skipIf(!existsSync(TH))('real pretrained weights', () => {
  it('loads a DataParallel CIFAR checkpoint and replaces its 10-class head', async () => {
    const m = await loadModel('cifar_resnet20', TH, 2);
    const sd = m.stateDict();
    expect(sd.get('linear.weight')!.shape).toEqual([2, 64]);
    const file = await sg.io.load(TH, { stripPrefix: 'module.' });
    expect(await sd.get('layer2.0.conv1.weight')!.data()).toEqual(await file.get('layer2.0.conv1.weight')!.data());
    for (const t of file.values()) t.dispose();
    sg.models.disposeModel(m);
  });
});
