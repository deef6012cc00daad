/**
 * The training loop of `sg.train`: a model trained in phases (each with its own parameter groups,
 * learning rates, optimizer and per-phase scheduler; every parameter outside the groups frozen),
 * evaluated after each epoch, with the best weights (by validation accuracy) and a resumable
 * checkpoint written atomically to `out`. Progress goes to listeners (`on`), so that a command
 * line, an example and a browser page can each show it their own way.
 *
 *   const result = await sg.train.fit(model, { train, val, phases: [
 *     { name: 'head', epochs: 3, groups: [{ name: 'head', params: head, lr: 1e-3 }] },
 *     { name: 'fine-tune', epochs: 3, groups: [{ name: 'head', params: head, lr: 1e-3 }, { name: 'backbone', params: rest, lr: 1e-4 }] },
 *   ], optimizer: 'sgd', scheduler: 'step', out: 'run' });
 */
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { Dataset, Example } from '../data/datasets.js';
import type { CollateFn } from '../data/loader.js';
import { type Checkpoint, save as saveCheckpoint } from '../io/checkpoint.js';
import { save as saveWeights } from '../io/index.js';
import { curvesPng } from '../plot/curves.js';
import { joinPath, makeDir, writeAtomic } from './files.js';
import { type EpochRow, writeMetrics } from './metrics.js';
import { batches } from './data.js';
import { evaluateModel } from './evaluate.js';
import { type EpochProgress, trainEpoch } from './epoch.js';
import {
  type OptimizerName,
  type SchedulerName,
  makeOptimizer,
  makeScheduler,
  releaseState,
  type Scheduler,
} from './optimizers.js';
import { checkOptions } from '../args.js';

/** A named set of parameters trained at one learning rate (PyTorch's parameter group). */
export interface GroupSpec {
  name: string;
  params: Parameter[];
  lr: number;
}

/** One phase of training: its length and what it trains. */
export interface Phase {
  /** Epochs in the phase; 0 skips it (its number, 1-based, still counts in `EpochRow.phase`). */
  epochs: number;
  /** The groups its optimizer updates; every other parameter is frozen (`requiresGrad = false`). */
  groups: GroupSpec[];
  /** Shown on the curves (default: the phase's number). */
  name?: string;
  /** Logged when the phase starts. */
  description?: string;
}

/** Listeners for a run's progress; every one is optional. */
export interface TrainEvents {
  /** A line of text (phase starts, resumption, interruption). */
  log?(line: string): void;
  /** An epoch starts with `samples` training samples. */
  epochStart?(e: { epoch: number; epochs: number; phase: number; samples: number }): void;
  /** A training batch is done: samples seen so far in the epoch, running mean loss and accuracy. */
  batch?(e: { epoch: number; epochs: number; seen: number; samples: number; loss: number; acc: number }): void;
  /** The epoch's training pass ended (before evaluation), or was interrupted. */
  epochTrained?(e: { epoch: number; interrupted: boolean }): void;
  /** The epoch is evaluated and saved; `best` when it improved the validation accuracy. Awaited when it returns a promise. */
  epochEnd?(row: EpochRow, e: { epochs: number; best: boolean }): void | Promise<void>;
}

/** Options of `fit`. */
export interface FitOptions {
  train: Dataset<Example>;
  val: Dataset<Example>;
  phases: Phase[];
  /** Images per batch (default 16). */
  batchSize?: number;
  /** Per phase: SGD with momentum 0.9 (default), Adam or AdamW over the phase's groups. */
  optimizer?: OptimizerName;
  /** Per phase, stepped each epoch: StepLR(stepSize, 0.1), CosineAnnealingLR(phase epochs) or none. */
  scheduler?: SchedulerName;
  /** StepLR's step size in epochs (default 7). */
  stepSize?: number;
  /** Clips the gradient norm of the trainable parameters to this value (`clip_grad_norm_`). */
  clipGradNorm?: number;
  /** Read the running loss and accuracy back (and report `on.batch`) every this many batches (default 1; see trainEpoch). */
  readEvery?: number;
  /** Seed of the shuffles and augmentation (default 0). */
  seed?: number;
  /** DataLoader worker threads (default 2). */
  numWorkers?: number;
  /** Makes each batch of its samples (the DataLoader's `collateFn`, e.g. `sg.text.datasets.padCollate()`). */
  collateFn?: CollateFn;
  /** Learning-rate columns of the metrics (default: every group name, in order of appearance). */
  groupNames?: string[];
  /** Output folder (Node): model.safetensors, checkpoint.safetensors, metrics.csv/json, curves.png. Without it nothing is written. */
  out?: string;
  /** Metadata stored in model.safetensors. */
  metadata?: Record<string, string>;
  /** JSON values stored in every checkpoint (and found again in `resume.extra`). */
  checkpointExtra?: Record<string, unknown>;
  /** Title of curves.png (default 'Training curves'). */
  title?: string;
  /** A checkpoint of an earlier run of the same configuration to continue (sg.io.loadCheckpoint). */
  resume?: Checkpoint;
  /** Aborting stops training at the next batch, after saving a checkpoint. */
  signal?: AbortSignal;
  on?: TrainEvents;
}

/** What `fit` did. */
export interface FitResult {
  rows: EpochRow[];
  /** The epoch with the best validation accuracy (0 if none finished) and that accuracy. */
  bestEpoch: number;
  bestAcc: number;
  interrupted: boolean;
}

/**
 * Trains `model` phase after phase on `train`, evaluating on `val` after every epoch; see the file
 * comment. A resumed run continues after the checkpoint's last finished batch and gives the
 * uninterrupted run's result. Layers whose parameters are all frozen run in eval mode (batch norm
 * keeps its running statistics). As PyTorch's tutorial loop `train_model(model, criterion,
 * optimizer, scheduler, num_epochs)`, phase by phase.
 */
export async function fit(model: Module, o: FitOptions): Promise<FitResult> {
  checkOptions('fit', o, {
    train: 'object',
    val: 'object',
    phases: 'array',
    batchSize: 'integer',
    optimizer: ['sgd', 'adam', 'adamw'],
    scheduler: ['step', 'cosine', 'none'],
    stepSize: 'integer',
    clipGradNorm: 'number',
    seed: 'integer',
    numWorkers: 'integer',
    collateFn: 'function',
    groupNames: 'array',
    out: 'string',
    metadata: 'object',
    checkpointExtra: 'object',
    title: 'string',
    resume: 'object',
    signal: 'object',
    on: 'object',
    readEvery: 'integer',
  });
  const on = o.on ?? {},
    log = (line: string) => on.log?.(line);
  const epochs = o.phases.reduce((n, p) => n + p.epochs, 0);
  const groupNames = o.groupNames ?? [...new Set(o.phases.flatMap((p) => p.groups.map((g) => g.name)))];
  const ckpt = o.resume;
  let rows: EpochRow[] = ((ckpt?.extra.rows as EpochRow[] | undefined) ?? []).map((r) => ({
    ...r,
    valLoss: r.valLoss ?? NaN,
    valAcc: r.valAcc ?? NaN,
    lr: r.lr.map((v) => v ?? NaN),
  }));
  let bestAcc = (ckpt?.extra.bestAcc as number | undefined) ?? -1,
    bestEpoch = (ckpt?.extra.bestEpoch as number | undefined) ?? 0;
  const start = (ckpt?.epoch ?? 0) + 1;
  // An interrupted epoch resumes after its last finished batch, with its running sums.
  let partial = (ckpt?.extra.partial as EpochProgress | null | undefined) ?? null;
  if (ckpt) {
    ckpt.restore({ model });
    log(
      `resumed from ${ckpt.file} after epoch ${start - 1}${partial ? ` and ${partial.batches} batch${partial.batches === 1 ? '' : 'es'} of epoch ${start}` : ''}`,
    );
  }
  if (o.out) makeDir(o.out);

  let phase = 0,
    groups: GroupSpec[] = [];
  let opt: ReturnType<typeof makeOptimizer> | null = null,
    sched: Scheduler | null = null;
  const savePoint = async (epoch: number, partial: EpochProgress | null = null) => {
    if (!o.out) return;
    await saveCheckpoint(joinPath(o.out, 'checkpoint.safetensors'), {
      model,
      optimizer: opt ?? undefined,
      scheduler: sched ?? undefined,
      epoch,
      phase,
      ...o.checkpointExtra,
      bestAcc,
      bestEpoch,
      rows,
      partial,
    });
  };
  let interrupted = false;
  for (let epoch = start; epoch <= epochs && !interrupted; epoch++) {
    const want = phaseOf(o.phases, epoch);
    if (want !== phase) {
      phase = want;
      const spec = o.phases[phase - 1];
      const trains = new Set(spec.groups.flatMap((g) => g.params));
      for (const p of model.parameters()) p.requiresGrad = trains.has(p);
      groups = spec.groups.filter((g) => g.params.length > 0);
      if (opt) releaseState(opt);
      opt = makeOptimizer(o.optimizer ?? 'sgd', groups);
      sched = makeScheduler(o.scheduler ?? 'none', opt, { stepSize: o.stepSize ?? 7, epochs: spec.epochs });
      if (ckpt && epoch === start && ckpt.extra.phase === phase)
        ckpt.restore({ optimizer: opt, scheduler: sched ?? undefined });
      if (spec.description) log(spec.description);
    }
    const lr = groupNames.map((name) => {
      const i = groups.findIndex((g) => g.name === name);
      return i < 0 ? NaN : opt!.lrs[i];
    });
    const t0 = performance.now();
    on.epochStart?.({ epoch, epochs, phase, samples: o.train.length });
    const run = await trainEpoch(
      model,
      opt!,
      batches(o.train, {
        batchSize: o.batchSize ?? 16,
        shuffle: true,
        seed: o.seed ?? 0,
        epoch,
        numWorkers: o.numWorkers,
        collateFn: o.collateFn,
      }),
      {
        resumeFrom: partial,
        clipGradNorm: o.clipGradNorm,
        readEvery: o.readEvery,
        signal: o.signal,
        onBatch: (p) =>
          on.batch?.({
            epoch,
            epochs,
            seen: p.seen,
            samples: o.train.length,
            loss: p.lossSum / p.seen,
            acc: p.correct / p.seen,
          }),
      },
    );
    partial = null;
    on.epochTrained?.({ epoch, interrupted: run.interrupted });
    if (run.interrupted) {
      interrupted = true;
      await savePoint(epoch - 1, run.progress);
      log(
        `interrupted in epoch ${epoch}: ${o.out ? `checkpoint saved to ${joinPath(o.out, 'checkpoint.safetensors')} (resume with --resume)` : 'no output folder, nothing saved'}`,
      );
      break;
    }
    const ev = await evaluateModel(
      model,
      batches(o.val, { batchSize: o.batchSize ?? 16, numWorkers: o.numWorkers, collateFn: o.collateFn }),
    );
    sched?.step();
    const { seen, lossSum, correct } = run.progress;
    const row: EpochRow = {
      epoch,
      phase,
      trainLoss: lossSum / seen,
      trainAcc: correct / seen,
      valLoss: ev.loss,
      valAcc: ev.accuracy,
      lr,
      seconds: (performance.now() - t0) / 1000,
    };
    rows = [...rows, row];
    const best = ev.accuracy > bestAcc;
    if (best) {
      [bestAcc, bestEpoch] = [ev.accuracy, epoch];
      if (o.out)
        await saveWeights(joinPath(o.out, 'model.safetensors'), model.stateDict(), {
          metadata: { ...o.metadata, epoch: String(epoch) },
        });
    }
    await savePoint(epoch);
    if (o.out) {
      writeMetrics(o.out, rows, groupNames);
      writeAtomic(joinPath(o.out, 'curves.png'), curves(rows, o.phases, o.title));
    }
    await on.epochEnd?.(row, { epochs, best });
  }
  if (opt) releaseState(opt);
  return { rows, bestEpoch, bestAcc, interrupted };
}

/** The phase (1-based) that epoch `epoch` (1-based) belongs to. */
function phaseOf(phases: Phase[], epoch: number): number {
  let end = 0;
  for (const [i, p] of phases.entries()) {
    end += p.epochs;
    if (epoch <= end) return i + 1;
  }
  return phases.length;
}

/** curves.png of the rows so far, with a marker where the phase changes. */
function curves(rows: EpochRow[], phases: Phase[], title = 'Training curves'): Uint8Array {
  return curvesPng({
    epochs: rows.map((r) => r.epoch),
    trainLoss: rows.map((r) => r.trainLoss),
    valLoss: rows.map((r) => r.valLoss),
    trainAcc: rows.map((r) => r.trainAcc),
    valAcc: rows.map((r) => r.valAcc),
    phases: rows.map((r) => (typeof r.phase === 'number' ? (phases[r.phase - 1]?.name ?? r.phase) : r.phase)),
    title,
  });
}
