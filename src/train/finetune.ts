/**
 * Transfer learning as PyTorch's tutorial teaches it, in one call (and `shadergrad finetune`).
 * The model's last layer is replaced by one sized to the folder's classes; phase 1 trains it
 * (and whatever `freeze` leaves trainable) on frozen features with `headLr`; phase 2 unfreezes
 * everything, with two parameter groups: the head at `headLr`, the backbone at `backboneLr`.
 * Each epoch is evaluated; with `out`, the best weights (by validation accuracy) go to
 * model.safetensors, a resumable checkpoint to checkpoint.safetensors, and the curves,
 * confusion matrix and a grid of predictions beside them.
 *
 *   const result = await sg.train.finetune({ data: 'hymenoptera/train', val: 'hymenoptera/val',
 *     model: 'resnet18', weights: 'resnet18-f37072fd.pth', epochs: 6, headEpochs: 3, out: 'run' });
 */
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { init } from '../init.js';
import { manualSeed } from '../ops/create.js';
import { load as loadCheckpoint } from '../io/checkpoint.js';
import { load as loadWeights } from '../io/index.js';
import { ImageFolder } from '../data/image_folder.js';
import { Subset, randomSplit, type Dataset, type Example } from '../data/datasets.js';
import { confusionCsv, confusionPng } from '../plot/confusion.js';
import { predictionGridPng } from '../plot/grid.js';
import { batches, imageTransform } from './data.js';
import { type Evaluation, evaluateModel } from './evaluate.js';
import { exists, joinPath, makeDir, writeAtomic } from './files.js';
import { type FitResult, type Phase, type TrainEvents, fit } from './fit.js';
import { type Freeze, freezePlan } from './freeze.js';
import { confusionMatrix } from './metrics.js';
import type { OptimizerName, SchedulerName } from './optimizers.js';
import { canonicalModelName, loadModel } from './pretrained.js';
import type { ProgressStream } from './progress.js';
import { combineEvents, consoleReporter } from './reporter.js';

/** Options of `finetune`; only `data` and `model` are required. */
export interface FinetuneOptions {
  /** Training images, DIR/<class>/<image>. */
  data: string;
  /** Validation folder; without it `valSplit` of `data` is held out (default 0.2). */
  val?: string;
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
  /** DataLoader worker threads that decode and augment ahead of the GPU (default 2). */
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
  /** The trained model, holding the best weights when `out` is given (dispose with sg.models.disposeModel). */
  model: Module;
  out?: string;
}

/** Trains, evaluates, checkpoints and writes the outputs; see the file comment. */
export async function finetune(o: FinetuneOptions): Promise<FinetuneResult> {
  const seed = o.seed ?? 0,
    epochs = o.epochs ?? 10,
    batchSize = o.batchSize ?? 16,
    freeze = o.freeze ?? 'features';
  const name = canonicalModelName(o.model),
    out = o.out,
    numWorkers = o.numWorkers ?? 2;
  const ckpt = o.resume ? await loadCheckpoint(o.resume) : undefined;
  // A resumed run keeps its phase boundary even when `epochs` grows.
  const headEpochs =
    o.headEpochs ?? (ckpt?.extra.headEpochs as number | undefined) ?? (freeze === 'none' ? 0 : Math.ceil(epochs / 2));
  const headLr = o.headLr ?? 1e-3,
    backboneLr = o.backboneLr ?? 1e-4;
  const events = combineEvents(consoleReporter({ log: o.log, stream: o.stream }), o.on);
  const log = (line: string) => events.log?.(line);
  if (!(headEpochs >= 0 && headEpochs <= epochs))
    throw new Error(`finetune: headEpochs ${headEpochs} must be between 0 and epochs (${epochs})`);
  if (out) makeDir(out);

  const { train, val, classes, image } = folders(o, name, seed);
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
  let confusion: number[][] | undefined;
  if (!result.interrupted && out && exists(joinPath(out, 'model.safetensors'))) {
    // The best weights, evaluated once more for the confusion matrix and the prediction grid.
    const state = await loadWeights(joinPath(out, 'model.safetensors'));
    model.loadStateDict(state);
    for (const t of state.values()) t.dispose();
    const ev = await evaluateModel(model, batches(val, { batchSize, numWorkers }));
    confusion = confusionMatrix(ev.preds, ev.targets, classes.length);
    writeAtomic(
      joinPath(out, 'confusion.png'),
      confusionPng(confusion, classes, { title: `Validation, epoch ${result.bestEpoch}` }),
    );
    writeAtomic(joinPath(out, 'confusion.csv'), confusionCsv(confusion, classes));
    writeAtomic(joinPath(out, 'predictions.png'), predictionGrid(ev, classes, image));
    log(
      `best epoch ${result.bestEpoch}: validation accuracy ${(100 * result.bestAcc).toFixed(2)}%; outputs in ${out}/`,
    );
  }
  return { ...result, classes, confusion, model, out };
}

/**
 * The training and validation sets: two views of the folders (train / eval transforms) that
 * share one split, their classes (at least two), and the raw image of a validation index.
 */
function folders(o: FinetuneOptions, name: string, seed: number) {
  const size = o.imageSize ?? (name.startsWith('cifar') ? 32 : 224);
  const trainFolder = new ImageFolder(o.data, {
    transform: imageTransform(size, true),
    onBadImage: o.onBadImage,
    maxImagePixels: o.maxImagePixels,
    minClasses: 2,
  });
  const classes = trainFolder.classes;
  if (o.val) {
    const valFolder = new ImageFolder(o.val, {
      transform: imageTransform(size, false),
      onBadImage: o.onBadImage,
      maxImagePixels: o.maxImagePixels,
    });
    if (valFolder.classes.join('\n') !== classes.join('\n')) {
      throw new Error(
        `finetune: ${o.val} has classes [${valFolder.classes.join(', ')}], ${o.data} has [${classes.join(', ')}]`,
      );
    }
    return {
      train: trainFolder as Dataset<Example>,
      val: valFolder as Dataset<Example>,
      classes,
      image: (k: number) => valFolder.loadImage(k),
    };
  }
  const f = o.valSplit ?? 0.2;
  if (!(f > 0 && f < 1)) throw new Error(`finetune: valSplit must be in (0, 1), got ${f}`);
  const nVal = Math.max(1, Math.round(trainFolder.length * f));
  const [tr, va] = randomSplit(trainFolder, [trainFolder.length - nVal, nVal], { seed });
  const valFolder = new ImageFolder(o.data, {
    transform: imageTransform(size, false),
    onBadImage: o.onBadImage,
    maxImagePixels: o.maxImagePixels,
  });
  const val = new Subset(valFolder, va.indices);
  return {
    train: tr as Dataset<Example>,
    val: val as Dataset<Example>,
    classes,
    image: (k: number) => valFolder.loadImage(val.indices[k]),
  };
}

const count = (ps: Iterable<Parameter>) => [...ps].reduce((n, p) => n + p.size, 0).toLocaleString('en-US');

/** predictions.png: 24 validation images spread evenly over the set (so every class shows). */
function predictionGrid(
  ev: Evaluation,
  classes: string[],
  image: (k: number) => { data: Uint8Array; height: number; width: number },
): Uint8Array {
  const n = ev.preds.length,
    shown = Math.min(24, n);
  const picks = Array.from({ length: shown }, (_, i) => Math.floor((i * n) / shown));
  return predictionGridPng(
    picks.map((k) => ({ image: image(ev.indices[k]), pred: classes[ev.preds[k]], target: classes[ev.targets[k]] })),
    { columns: 6, title: `Validation predictions, ${shown} of ${n}` },
  );
}
