/**
 * Transfer learning, as PyTorch's tutorial teaches it, as a library function and a command.
 * The model's last layer is replaced by one sized to the folder's classes; phase 1 trains it
 * (and whatever `freeze` leaves trainable) on frozen features with `headLr`; phase 2 unfreezes
 * everything, with two parameter groups: the head at `headLr`, the backbone at `backboneLr`.
 * Each epoch is evaluated; the best weights (by validation accuracy) go to model.safetensors and
 * a resumable checkpoint (model, optimizer, scheduler, random state, the metrics so far) to
 * checkpoint.safetensors, both atomically. `signal` (Ctrl-C in the command) stops at the next
 * batch after saving a checkpoint; `resume` continues from one.
 *
 *   const result = await finetune({ data: 'hymenoptera/train', val: 'hymenoptera/val',
 *     model: 'resnet18', weights: 'resnet18-f37072fd.pth', epochs: 6, headEpochs: 3, out: 'run' });
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import type { Parameter } from '../../src/nn/parameter.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { ImageFolder } from '../../src/data/image_folder.js';
import { load as loadCheckpoint, save as saveCheckpoint } from '../../src/io/checkpoint.js';
import { Subset, randomSplit } from '../../src/data/datasets.js';
import { batches, evaluateModel, imageTransform, loadModel, type Evaluation } from './evaluate.js';
import { freezePlan, type Freeze } from './freeze.js';
import { type EpochRow, confusionMatrix, writeAtomic, writeMetrics } from './metrics.js';
import { ProgressBar, formatEpochSummary, type ProgressStream } from './progress.js';
import { UsageError, flag, helpText, num, parseArgs, required, str, type OptionSpec } from './args.js';
import { modelName } from './summary.js';
import { curvesPng } from '../plot/curves.js';
import { confusionCsv, confusionPng } from '../plot/confusion.js';
import { predictionGridPng } from '../plot/grid.js';

export { freezePlan, type Freeze, type FreezePlan } from './freeze.js';

export interface FinetuneOptions {
  /** Training images, DIR/<class>/<image>. */
  data: string;
  /** Validation folder; without it `valSplit` of `data` is held out (default 0.2). */
  val?: string;
  valSplit?: number;
  /** A name of sg.models.names. */
  model: string;
  /** Pretrained weights (.pth, .safetensors); without them the model starts from random init. */
  weights?: string;
  /** What phase 1 keeps fixed (default 'features'); a number freezes that many layers from the input. */
  freeze?: Freeze;
  headLr?: number;
  backboneLr?: number;
  epochs?: number;
  /** Phase-1 epochs (default: half of `epochs`, or 0 with freeze 'none'). */
  headEpochs?: number;
  batchSize?: number;
  optimizer?: 'sgd' | 'adam' | 'adamw';
  /** Per phase, stepped each epoch: StepLR(stepSize, 0.1) or CosineAnnealingLR(phase epochs). */
  scheduler?: 'step' | 'cosine' | 'none';
  stepSize?: number;
  clipGradNorm?: number;
  /** Output folder (default 'finetune-out'). */
  out?: string;
  seed?: number;
  /** A checkpoint.safetensors written by an earlier run. */
  resume?: string;
  imageSize?: number;
  /** DataLoader worker threads that decode and augment ahead of the GPU (default 2). */
  numWorkers?: number;
  /** Aborting stops training at the next batch, after saving a checkpoint. */
  signal?: AbortSignal;
  /** Progress bar output (default stdout) and line log (default console.log). */
  stream?: ProgressStream;
  log?: (line: string) => void;
}

export interface FinetuneResult {
  classes: string[];
  rows: EpochRow[];
  bestEpoch: number;
  bestAcc: number;
  /** Evaluation of the best weights on the validation set (absent when interrupted). */
  confusion?: number[][];
  interrupted: boolean;
  /** The trained model, holding the best weights (dispose with sg.models.disposeModel). */
  model: Module<unknown>;
  out: string;
}

/** The optimizer of a phase over the given parameter groups. */
function makeOptimizer(kind: string, groups: Array<{ params: Parameter[]; lr: number }>): Optimizer<{ lr: number }> {
  const specs = groups.map(({ params, lr }) => ({ params, lr }));
  if (kind === 'sgd') return new sg.optim.SGD(specs, { lr: specs[0].lr, momentum: 0.9 });
  if (kind === 'adam') return new sg.optim.Adam(specs, { lr: specs[0].lr });
  if (kind === 'adamw') return new sg.optim.AdamW(specs, { lr: specs[0].lr });
  throw new Error(`finetune: unknown optimizer '${kind}' (sgd, adam, adamw)`);
}

/** Trains, evaluates, checkpoints and writes the outputs; see the file comment. */
export async function finetune(o: FinetuneOptions): Promise<FinetuneResult> {
  const out = o.out ?? 'finetune-out', seed = o.seed ?? 0, epochs = o.epochs ?? 10, batchSize = o.batchSize ?? 16;
  const freeze = o.freeze ?? 'features';
  const ckpt = o.resume ? await loadCheckpoint(o.resume) : null;
  // A resumed run keeps its phase boundary even when --epochs grows.
  const headEpochs = o.headEpochs ?? (ckpt?.extra.headEpochs as number | undefined) ?? (freeze === 'none' ? 0 : Math.ceil(epochs / 2));
  const headLr = o.headLr ?? 1e-3, backboneLr = o.backboneLr ?? 1e-4;
  const size = o.imageSize ?? (o.model.startsWith('cifar') ? 32 : 224);
  const log = o.log ?? ((line: string) => console.log(line));
  const numWorkers = o.numWorkers ?? 2;
  if (!(headEpochs >= 0 && headEpochs <= epochs)) throw new Error(`finetune: headEpochs ${headEpochs} must be between 0 and epochs (${epochs})`);
  mkdirSync(out, { recursive: true });

  // Data: two views of the same folder (train / eval transforms) share one split.
  // A classifier needs at least two classes to tell apart.
  const trainFolder = new ImageFolder(o.data, { transform: imageTransform(size, true), skipInvalid: true, minClasses: 2 });
  const classes = trainFolder.classes;
  let train: ImageFolder | Subset = trainFolder;
  let val: ImageFolder | Subset;
  let valFolder: ImageFolder;
  if (o.val) {
    valFolder = new ImageFolder(o.val, { transform: imageTransform(size, false), skipInvalid: true });
    if (valFolder.classes.join('\n') !== classes.join('\n')) {
      throw new Error(`finetune: ${o.val} has classes [${valFolder.classes.join(', ')}], ${o.data} has [${classes.join(', ')}]`);
    }
    val = valFolder;
  } else {
    const f = o.valSplit ?? 0.2;
    if (!(f > 0 && f < 1)) throw new Error(`finetune: valSplit must be in (0, 1), got ${f}`);
    const nVal = Math.max(1, Math.round(trainFolder.length * f));
    const [tr, va] = randomSplit(trainFolder, [trainFolder.length - nVal, nVal], { seed });
    valFolder = new ImageFolder(o.data, { transform: imageTransform(size, false), skipInvalid: true });
    [train, val] = [tr, new Subset(valFolder, va.indices)];
  }
  writeAtomic(join(out, 'classes.json'), JSON.stringify(classes, null, 2) + '\n');
  log(`${classes.length} classes (${classes.join(', ')}); ${train.length} training and ${val.length} validation images`);

  await sg.init();
  sg.manualSeed(seed);
  if (ckpt && JSON.stringify(ckpt.extra.classes) !== JSON.stringify(classes)) {
    throw new Error(`finetune: ${o.resume} was trained on classes ${JSON.stringify(ckpt.extra.classes)}, the folder has ${JSON.stringify(classes)}`);
  }
  const model = await loadModel(o.model, ckpt ? undefined : o.weights, classes.length);
  const plan = freezePlan(model, o.model, freeze);

  let rows: EpochRow[] = ((ckpt?.extra.rows as EpochRow[] | undefined) ?? []).map((r) =>
    ({ ...r, valLoss: r.valLoss ?? NaN, valAcc: r.valAcc ?? NaN, lr: r.lr.map((v) => v ?? NaN) }));
  let bestAcc = (ckpt?.extra.bestAcc as number | undefined) ?? -1, bestEpoch = (ckpt?.extra.bestEpoch as number | undefined) ?? 0;
  let start = (ckpt?.epoch ?? 0) + 1;
  // An interrupted epoch resumes after its last finished batch, with its running sums.
  let partial = (ckpt?.extra.partial as EpochProgress | null | undefined) ?? null;
  if (ckpt) {
    ckpt.restore({ model });
    log(`resumed from ${o.resume} after epoch ${start - 1}${partial ? ` and ${partial.batches} batch${partial.batches === 1 ? '' : 'es'} of epoch ${start}` : ''}`);
  }

  let phase = 0, opt: Optimizer<{ lr: number }> | null = null;
  let groups: Array<{ name: string; params: Parameter[]; lr: number }> = [];
  let sched: sg.optim.lrScheduler.StepLR | sg.optim.lrScheduler.CosineAnnealingLR | null = null;
  const savePoint = async (epoch: number, partial: EpochProgress | null = null) => saveCheckpoint(join(out, 'checkpoint.safetensors'), {
    model, optimizer: opt ?? undefined, scheduler: sched ?? undefined, epoch,
    phase, headEpochs, bestAcc, bestEpoch, rows, classes, modelName: o.model, partial,
  });
  let interrupted = false;

  for (let epoch = start; epoch <= epochs && !interrupted; epoch++) {
    const want = epoch <= headEpochs ? 1 : 2;
    if (want !== phase) {
      phase = want;
      for (const p of model.parameters()) p.requiresGrad = phase === 2 || plan.phase1.has(p);
      const phaseEpochs = phase === 1 ? headEpochs : epochs - headEpochs;
      groups = phase === 1 ? [{ name: 'head', params: [...plan.phase1], lr: headLr }]
        : [{ name: 'head', params: plan.head, lr: headLr }, { name: 'backbone', params: plan.backbone, lr: backboneLr }];
      groups = groups.filter((g) => g.params.length > 0);
      if (opt) releaseState(opt);
      opt = makeOptimizer(o.optimizer ?? 'sgd', groups);
      sched = o.scheduler === 'step' ? new sg.optim.lrScheduler.StepLR(opt, o.stepSize ?? 7, 0.1)
        : o.scheduler === 'cosine' ? new sg.optim.lrScheduler.CosineAnnealingLR(opt, phaseEpochs) : null;
      if (ckpt && epoch === start && ckpt.extra.phase === phase) ckpt.restore({ optimizer: opt, scheduler: sched ?? undefined });
      log(phase === 1 ? `phase 1: training ${plan.phase1.size} of ${plan.head.length + plan.backbone.length} parameter tensors (${count(plan.phase1)} values) at lr ${headLr}, the rest frozen`
        : `phase 2: fine-tuning all parameters (head lr ${headLr}, backbone lr ${backboneLr})`);
    }
    const lr = GROUPS.map((name) => { const i = groups.findIndex((g) => g.name === name); return i < 0 ? NaN : opt!.lrs[i]; });
    const t0 = performance.now();
    model.train();
    // Layers that stay frozen keep their running statistics (batch norm in eval mode).
    if (phase === 1) for (const m of model.modules()) if (m.parameters().length && m.parameters().every((p) => !p.requiresGrad)) m.eval();
    const trainable = model.parameters().filter((p) => p.requiresGrad);
    const bar = new ProgressBar({ total: train.length, label: `epoch ${epoch}/${epochs}`, stream: o.stream });
    let { batches: done, seen, lossSum, correct } = partial ?? { batches: 0, seen: 0, lossSum: 0, correct: 0 };
    const skip = done;
    partial = null;
    let k = 0;
    for await (const b of batches(train, { batchSize, shuffle: true, seed, epoch, numWorkers })) {
      if (k++ < skip) { b.images.dispose(); b.labels.dispose(); continue; } // trained before the interruption
      const [loss, hits] = sg.tidy(() => {
        const logits = sg.models.logitsOf(model.forward(b.images));
        const l = sg.crossEntropy(logits, b.labels);
        opt!.zeroGrad();
        l.backward();
        if (o.clipGradNorm) sg.optim.clipGradNorm_(trainable, o.clipGradNorm);
        opt!.step();
        return [l.detach(), sg.eq(sg.argmax(logits, 1), b.labels).sum()];
      });
      const n = b.indices.length;
      lossSum += (await loss.item()) * n;
      correct += await hits.item();
      seen += n;
      done++;
      for (const t of [loss, hits, b.images, b.labels]) t.dispose();
      bar.update(seen, { loss: lossSum / seen, acc: correct / seen });
      if (o.signal?.aborted) { interrupted = true; break; }
    }
    bar.finish();
    if (interrupted) {
      await savePoint(epoch - 1, { batches: done, seen, lossSum, correct });
      log(`interrupted in epoch ${epoch}: checkpoint saved to ${join(out, 'checkpoint.safetensors')} (resume with --resume)`);
      break;
    }
    const ev = await evaluateModel(model, batches(val, { batchSize, numWorkers }));
    sched?.step();
    const row: EpochRow = { epoch, phase, trainLoss: lossSum / seen, trainAcc: correct / seen, valLoss: ev.loss, valAcc: ev.accuracy,
      lr, seconds: (performance.now() - t0) / 1000 };
    rows = [...rows, row];
    const best = ev.accuracy > bestAcc;
    if (best) {
      [bestAcc, bestEpoch] = [ev.accuracy, epoch];
      await sg.io.save(join(out, 'model.safetensors'), model.stateDict(), { metadata: { model: o.model, classes: JSON.stringify(classes), epoch: String(epoch) } });
    }
    await savePoint(epoch);
    writeMetrics(out, rows, GROUPS);
    writeAtomic(join(out, 'curves.png'), curves(rows));
    log(formatEpochSummary(row, epochs, { best }));
  }

  // The best weights, evaluated once more for the confusion matrix and the prediction grid.
  let confusion: number[][] | undefined;
  if (!interrupted && existsSync(join(out, 'model.safetensors'))) {
    const state = await sg.io.load(join(out, 'model.safetensors'));
    model.loadStateDict(state);
    for (const t of state.values()) t.dispose();
    const ev = await evaluateModel(model, batches(val, { batchSize, numWorkers }));
    confusion = confusionMatrix(ev.preds, ev.targets, classes.length);
    writeAtomic(join(out, 'confusion.png'), confusionPng(confusion, classes, { title: `Validation, epoch ${bestEpoch}` }));
    writeAtomic(join(out, 'confusion.csv'), confusionCsv(confusion, classes));
    writeAtomic(join(out, 'predictions.png'), predictionGrid(ev, classes, (k) => valFolder.loadImage(val instanceof Subset ? val.indices[k] : k)));
    log(`best epoch ${bestEpoch}: validation accuracy ${(100 * bestAcc).toFixed(2)}%; outputs in ${out}/`);
  }
  if (opt) releaseState(opt);
  return { classes, rows, bestEpoch, bestAcc, confusion, interrupted, model, out };
}

/** Frees an optimizer's GPU state (momentum, Adam moments) by loading an empty state. */
function releaseState(opt: Optimizer<{ lr: number }>): void {
  opt.loadStateDict({ state: opt.paramGroups.flatMap((g) => g.params.map(() => null)), groups: opt.paramGroups.map((g) => ({ ...g.options })) });
}

const GROUPS = ['head', 'backbone'];

/** Progress through an interrupted epoch: batches done and the running sums of its metrics. */
interface EpochProgress { batches: number; seen: number; lossSum: number; correct: number }
const count = (ps: Iterable<Parameter>) => [...ps].reduce((n, p) => n + p.size, 0).toLocaleString('en-US');

/** curves.png of the rows so far. */
function curves(rows: EpochRow[]): Buffer {
  return curvesPng({
    epochs: rows.map((r) => r.epoch), trainLoss: rows.map((r) => r.trainLoss), valLoss: rows.map((r) => r.valLoss),
    trainAcc: rows.map((r) => r.trainAcc), valAcc: rows.map((r) => r.valAcc),
    phases: rows.map((r) => (r.phase === 1 ? 'head' : 'fine-tune')), title: 'Fine-tuning',
  });
}

/** predictions.png: 24 validation images spread evenly over the set (so every class shows). */
function predictionGrid(ev: Evaluation, classes: string[], image: (k: number) => { data: Uint8Array; height: number; width: number }): Buffer {
  const n = ev.preds.length, shown = Math.min(24, n);
  const picks = Array.from({ length: shown }, (_, i) => Math.floor((i * n) / shown));
  return predictionGridPng(picks.map((k) => ({ image: image(ev.indices[k]), pred: classes[ev.preds[k]], target: classes[ev.targets[k]] })),
    { columns: 6, title: `Validation predictions, ${shown} of ${n}` });
}

const SPEC: Record<string, OptionSpec> = {
  data: { type: 'string', help: 'training images, DIR/<class>/<image>' },
  val: { type: 'string', help: 'validation images (same classes); default: hold out --val-split of --data' },
  'val-split': { type: 'string', help: 'fraction of --data held out for validation when there is no --val', default: '0.2' },
  model: { type: 'string', help: 'model name (sg.models.names), e.g. resnet18' },
  weights: { type: 'string', help: 'pretrained weights (.pth or .safetensors); default: random initialisation' },
  freeze: { type: 'string', help: 'fixed in phase 1: features | all-but-head | none | N (first N layers)', default: 'features' },
  'head-lr': { type: 'string', help: 'learning rate of the new last layer (and of everything phase 1 trains)', default: '1e-3' },
  'backbone-lr': { type: 'string', help: 'learning rate of the other layers in phase 2', default: '1e-4' },
  epochs: { type: 'string', help: 'epochs in total', default: '10' },
  'head-epochs': { type: 'string', help: 'phase-1 epochs (default: half, 0 with --freeze none)' },
  'batch-size': { type: 'string', help: 'images per batch', default: '16' },
  optimizer: { type: 'string', help: 'sgd (momentum 0.9) | adam | adamw', default: 'sgd' },
  scheduler: { type: 'string', help: 'none | step (x0.1 every --step-size epochs) | cosine, per phase', default: 'none' },
  'step-size': { type: 'string', help: 'epochs between StepLR decays', default: '7' },
  'clip-grad-norm': { type: 'string', help: 'clip the gradient norm to X' },
  out: { type: 'string', help: 'output folder', default: 'finetune-out' },
  seed: { type: 'string', help: 'seed of the split, the shuffles, augmentation and initialisation', default: '0' },
  resume: { type: 'string', help: 'continue from a checkpoint.safetensors' },
  'image-size': { type: 'string', help: 'input size (default 224; 32 for cifar_resnet*)' },
  workers: { type: 'string', help: 'worker threads decoding and augmenting images', default: '2' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Parses the command line into FinetuneOptions (exported for tests). */
export function finetuneOptions(args: string[]): FinetuneOptions | null {
  const p = parseArgs('finetune', args, SPEC);
  if (flag(p, 'help')) return null;
  if (p.positional.length) throw new UsageError(`finetune: unexpected argument "${p.positional[0]}"`);
  const n = (name: string, integer = false) => num(p, 'finetune', name, { integer });
  const choice = <T extends string>(name: string, allowed: readonly T[]): T => {
    const v = str(p, name)!;
    if (!allowed.includes(v as T)) throw new UsageError(`finetune: --${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  const freezeText = str(p, 'freeze')!;
  const freeze: Freeze = /^\d+$/.test(freezeText) ? Number(freezeText)
    : choice('freeze', ['features', 'all-but-head', 'none'] as const);
  return {
    data: required(p, 'finetune', 'data'), val: str(p, 'val'), valSplit: n('val-split'),
    model: modelName('finetune', [required(p, 'finetune', 'model')], 'shadergrad finetune --model NAME ...'),
    weights: str(p, 'weights'), freeze, headLr: n('head-lr'), backboneLr: n('backbone-lr'),
    epochs: n('epochs', true), headEpochs: n('head-epochs', true), batchSize: n('batch-size', true),
    optimizer: choice('optimizer', ['sgd', 'adam', 'adamw'] as const), scheduler: choice('scheduler', ['none', 'step', 'cosine'] as const),
    stepSize: n('step-size', true), clipGradNorm: n('clip-grad-norm'), out: str(p, 'out'), seed: n('seed', true),
    resume: str(p, 'resume'), imageSize: n('image-size', true), numWorkers: n('workers', true),
  };
}

/**
 * `shadergrad finetune`: runs `finetune` with the command line's options. The first Ctrl-C stops
 * after the current batch and saves a checkpoint; a second one quits at once.
 */
export async function finetuneCommand(args: string[]): Promise<void> {
  const options = finetuneOptions(args);
  if (!options) {
    process.stdout.write(helpText('shadergrad finetune --data DIR --model NAME [--weights FILE] [options]', SPEC));
    return;
  }
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    process.stderr.write('\nstopping after this batch to save a checkpoint (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await finetune({ ...options, signal: stop.signal });
    sg.models.disposeModel(result.model);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
