/**
 * Transfer learning as PyTorch's tutorial teaches it, in one call (and `shadergrad finetune`).
 * The model's last layer is replaced by one sized to the folder's classes; phase 1 trains it
 * (and whatever `freeze` leaves trainable) on frozen features with `headLr`; phase 2 unfreezes
 * everything, with two parameter groups: the head at `headLr`, the backbone at `backboneLr`.
 * Each epoch is evaluated; with `out`, the best weights (by validation accuracy) go to
 * model.safetensors, a resumable checkpoint to checkpoint.safetensors, and the curves,
 * confusion matrix and a grid of predictions beside them, all from the best weights (restored).
 *
 *   const result = await sg.train.finetune({ data: 'hymenoptera/train', val: 'hymenoptera/val',
 *     model: 'resnet18', weights: 'resnet18-f37072fd.pth', epochs: 6, headEpochs: 3, out: 'run' });
 */
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor.js';
import type { Image } from '../data/image.js';
import { toGpu, toRecords } from '../io/upload.js';
import type { TensorRecord } from '../io/records.js';
import { init } from '../init.js';
import { manualSeed } from '../ops/create.js';
import { load as loadCheckpoint } from '../io/checkpoint.js';
import { load as loadWeights } from '../io/index.js';
import { confusionCsv, confusionPng } from '../plot/confusion.js';
import { type ShownPrediction, predictionOutputs } from './prediction_grid.js';
import { batches } from './data.js';
import { type Evaluation, evaluateModel } from './evaluate.js';
import { exists, joinPath, makeDir, writeAtomic } from './files.js';
import { type FitResult, type Phase, type TrainEvents, fit } from './fit.js';
import { type Freeze, freezePlan } from './freeze.js';
import { type ImageSource, folderSplit } from './folders.js';
import { confusionMatrix } from './metrics.js';
import type { OptimizerName, SchedulerName } from './optimizers.js';
import { canonicalModelName, loadModel } from './pretrained.js';
import type { ProgressStream } from './progress.js';
import { combineEvents, consoleReporter } from './reporter.js';
import { checkOptions } from '../args.js';

/** Options of `finetune`; only `data` and `model` are required. */
export interface FinetuneOptions {
  /** Training images, DIR/<class>/<image>: the folder's path, or its files in memory (a browser's; paths relative to DIR). */
  data: ImageSource;
  /** Validation folder (path or files); without it `valSplit` of `data` is held out (default 0.2). */
  val?: ImageSource;
  valSplit?: number;
  /** A name of sg.models.names. */
  model: string;
  /** Pretrained weights (path or bytes of a .pth, .th, .safetensors); without them the model starts from random init. */
  weights?: string | Uint8Array;
  /** What phase 1 keeps fixed (default 'features'); a number freezes that many layers from the input. */
  freeze?: Freeze;
  /** Learning rate of the head and of everything phase 1 trains (default 1e-3). */
  headLr?: number;
  /** Learning rate of the backbone in phase 2 (default 1e-4). */
  backboneLr?: number;
  /** Epochs in total (default 10). */
  epochs?: number;
  /** Phase-1 epochs (default: half of `epochs`, or 0 with freeze 'none'). */
  headEpochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  /** Per phase, stepped each epoch: StepLR(stepSize, 0.1) or CosineAnnealingLR(phase epochs). */
  scheduler?: SchedulerName;
  stepSize?: number;
  /** Read the loss and accuracy back every this many batches (default 1; the CLI uses 10: each read stalls the GPU queue). */
  readEvery?: number;
  clipGradNorm?: number;
  /** Output folder (Node); without it nothing is written and no best weights are kept. */
  out?: string;
  seed?: number;
  /** A checkpoint.safetensors written by an earlier run (path or bytes). */
  resume?: string | Uint8Array;
  /** Input side (default 224; 32 for cifar_resnet*). */
  imageSize?: number;
  /** A bad image file (empty, not JPEG/PNG, corrupt header, a decompression bomb): 'error' (default) stops naming it, 'skip' leaves it out with a warning. */
  onBadImage?: 'error' | 'skip';
  /** The decompression-bomb limit in pixels for the images (default Pillow's 89,478,485). */
  maxImagePixels?: number;
  /** Keep a copy of the best weights in memory and load them into the model at the end, also when stopped (default false; with `out` the best weights are read back from model.safetensors). */
  keepBest?: boolean;
  /** DataLoader worker threads that decode and augment ahead of the GPU (default 2 for a path, 0 for files in memory). */
  numWorkers?: number;
  /** Aborting stops training at the next batch, after saving a checkpoint. */
  signal?: AbortSignal;
  /** Where the console display draws its progress bar (default stdout). */
  stream?: ProgressStream;
  /** Where the console display prints its lines (default console.log). */
  log?: (line: string) => void;
  /** More listeners, called after the console display's. */
  on?: TrainEvents;
}

/** What `finetune` did. */
export interface FinetuneResult extends FitResult {
  classes: string[];
  /** Evaluation of the best weights on the validation set (absent when interrupted). */
  confusion?: number[][];
  /** The validation images of predictions.png, as the best weights classify them (with `out`, absent when interrupted). */
  shown?: ShownPrediction[];
  /** The best weights' predictions on the validation set (with `out` or `keepBest`; absent when no epoch finished). */
  evaluation?: Evaluation;
  /** The decoded image of validation sample k (`evaluation.indices` are such k). */
  valImage: (k: number) => Image;
  /** The trained model, holding the best weights when `out` or `keepBest` is given (dispose with sg.models.disposeModel). */
  model: Module;
  out?: string;
}

/** Trains, evaluates, checkpoints and writes the outputs; see the file comment. */
export async function finetune(o: FinetuneOptions): Promise<FinetuneResult> {
  checkOptions('finetune', o, {
    data: 'string|array',
    val: 'string|array',
    valSplit: 'number',
    model: 'string',
    weights: 'string|bytes',
    freeze: 'string|integer',
    headLr: 'number',
    backboneLr: 'number',
    epochs: 'integer',
    headEpochs: 'integer',
    batchSize: 'integer',
    optimizer: ['sgd', 'adam', 'adamw'],
    scheduler: ['step', 'cosine', 'none'],
    stepSize: 'integer',
    clipGradNorm: 'number',
    out: 'string',
    seed: 'integer',
    resume: 'string|bytes',
    imageSize: 'integer',
    numWorkers: 'integer',
    signal: 'object',
    stream: 'object',
    log: 'function',
    on: 'object',
    onBadImage: ['error', 'skip'],
    maxImagePixels: 'number|null',
    keepBest: 'boolean',
    readEvery: 'integer',
  });
  if (o.data === undefined || typeof o.model !== 'string')
    throw new Error(`finetune: options 'data' (an image folder or its files) and 'model' (a model name) are required`);
  const seed = o.seed ?? 0,
    epochs = o.epochs ?? 10,
    batchSize = o.batchSize ?? 16,
    freeze = o.freeze ?? 'features';
  const name = canonicalModelName(o.model),
    out = o.out,
    numWorkers = o.numWorkers ?? (typeof o.data === 'string' ? 2 : 0);
  const ckpt = o.resume ? await loadCheckpoint(o.resume) : undefined;
  // A resumed run keeps its phase boundary even when `epochs` grows.
  const headEpochs =
    o.headEpochs ?? (ckpt?.extra.headEpochs as number | undefined) ?? (freeze === 'none' ? 0 : Math.ceil(epochs / 2));
  const headLr = o.headLr ?? 1e-3,
    backboneLr = o.backboneLr ?? 1e-4;
  // With keepBest, a CPU copy of the weights each time validation accuracy improves.
  let best: Map<string, TensorRecord> | null = null;
  const keeper: TrainEvents = {
    epochEnd: async (_row, e) => {
      if (o.keepBest && e.best) best = await toRecords(model.stateDict() as Map<string, Tensor>);
    },
  };
  const events = combineEvents(consoleReporter({ log: o.log, stream: o.stream }), keeper, o.on);
  const log = (line: string) => events.log?.(line);
  if (!(headEpochs >= 0 && headEpochs <= epochs))
    throw new Error(`finetune: headEpochs ${headEpochs} must be between 0 and epochs (${epochs})`);
  if (out) makeDir(out);

  const size = o.imageSize ?? (name.startsWith('cifar') ? 32 : 224);
  const { train, val, classes, image, file } = folderSplit(o.data, o.val, o.valSplit ?? 0.2, size, seed, {
    onBadImage: o.onBadImage,
    maxImagePixels: o.maxImagePixels,
  });
  if (out) writeAtomic(joinPath(out, 'classes.json'), JSON.stringify(classes, null, 2) + '\n');
  log(
    `${classes.length} classes (${classes.join(', ')}); ${train.length} training and ${val.length} validation images`,
  );

  await init();
  manualSeed(seed);
  if (ckpt && JSON.stringify(ckpt.extra.classes) !== JSON.stringify(classes)) {
    throw new Error(
      `finetune: ${ckpt.file} was trained on classes ${JSON.stringify(ckpt.extra.classes)}, the folder has ${JSON.stringify(classes)}`,
    );
  }
  const model = await loadModel(name, ckpt ? undefined : o.weights, classes.length);
  const plan = freezePlan(model, name, freeze);
  const phases: Phase[] = [
    {
      name: 'head',
      epochs: headEpochs,
      groups: [{ name: 'head', params: [...plan.phase1], lr: headLr }],
      description: `phase 1: training ${plan.phase1.size} of ${plan.head.length + plan.backbone.length} parameter tensors (${count(plan.phase1)} values) at lr ${headLr}, the rest frozen`,
    },
    {
      name: 'fine-tune',
      epochs: epochs - headEpochs,
      groups: [
        { name: 'head', params: plan.head, lr: headLr },
        { name: 'backbone', params: plan.backbone, lr: backboneLr },
      ],
      description: `phase 2: fine-tuning all parameters (head lr ${headLr}, backbone lr ${backboneLr})`,
    },
  ];
  const result = await fit(model, {
    train,
    val,
    phases,
    batchSize,
    optimizer: o.optimizer,
    scheduler: o.scheduler,
    stepSize: o.stepSize,
    clipGradNorm: o.clipGradNorm,
    readEvery: o.readEvery,
    seed,
    numWorkers,
    groupNames: ['head', 'backbone'],
    out,
    title: 'Fine-tuning',
    resume: ckpt,
    signal: o.signal,
    on: events,
    metadata: { model: name, classes: JSON.stringify(classes) },
    checkpointExtra: { headEpochs, classes, modelName: name },
  });
  let confusion: number[][] | undefined, evaluation: Evaluation | undefined, shown: ShownPrediction[] | undefined;
  const saved = !result.interrupted && out && exists(joinPath(out, 'model.safetensors'));
  if (saved || best) {
    // The best weights, restored and evaluated once more for the confusion matrix and the grid.
    const state = saved ? await loadWeights(joinPath(out, 'model.safetensors')) : toGpu(best!);
    model.loadStateDict(state);
    for (const t of state.values()) t.dispose();
    evaluation = await evaluateModel(model, batches(val, { batchSize, numWorkers }));
    if (Math.abs(evaluation.accuracy - result.bestAcc) > 1e-9)
      log(
        `note: the restored best weights score ${(100 * evaluation.accuracy).toFixed(2)}%, ${(100 * result.bestAcc).toFixed(2)}% when saved`,
      );
    confusion = confusionMatrix(evaluation.preds, evaluation.targets, classes.length);
  }
  if (saved && evaluation && confusion) {
    writeAtomic(
      joinPath(out, 'confusion.png'),
      confusionPng(confusion, classes, { title: `Validation, epoch ${result.bestEpoch}` }),
    );
    writeAtomic(joinPath(out, 'confusion.csv'), confusionCsv(confusion, classes));
    const grid = predictionOutputs(evaluation, classes, result.bestEpoch, image, file);
    writeAtomic(joinPath(out, 'predictions.png'), grid.png);
    writeAtomic(joinPath(out, 'predictions.csv'), grid.csv);
    shown = grid.shown;
    log(grid.summary);
    log(
      `best epoch ${result.bestEpoch}: validation accuracy ${(100 * result.bestAcc).toFixed(2)}%; outputs in ${out}/`,
    );
  }
  return { ...result, classes, confusion, evaluation, shown, valImage: image, model, out };
}

const count = (ps: Iterable<Parameter>) => [...ps].reduce((n, p) => n + p.size, 0).toLocaleString('en-US');
