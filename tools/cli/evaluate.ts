/**
 * Evaluation of a classifier on an image folder: `evaluateModel` (mean cross-entropy, accuracy,
 * every prediction) is what `finetune` runs after each epoch; `shadergrad evaluate` loads a
 * model and prints accuracy, sklearn's per-class report and the confusion matrix.
 *
 *   shadergrad evaluate --model resnet18 --weights out/model.safetensors --data hymenoptera/val \
 *     --classes out/classes.json [--out DIR]
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { Conv2d } from '../../src/nn/layers/conv.js';
import { ImageFolder } from '../../src/data/image_folder.js';
import type { Dataset, Example } from '../../src/data/datasets.js';
import { UsageError, flag, helpText, num, parseArgs, required, str, type OptionSpec } from './args.js';
import { classificationReport, confusionMatrix, formatReport, writeAtomic } from './metrics.js';
import { confusionCsv, confusionPng } from '../plot/confusion.js';
import { modelName } from './summary.js';

/** The classifier's last layer per family (torchvision's names): what transfer learning replaces. */
export function headPath(model: string): string {
  if (/^(alexnet|vgg)/.test(model)) return 'classifier.6';
  if (/^squeezenet/.test(model)) return 'classifier.1';
  if (/^cifar_/.test(model)) return 'linear';
  if (/^resnet/.test(model)) return 'fc';
  if (/^(efficientnet|mobilenet_v2)/.test(model)) return 'classifier.1';
  if (/^mobilenet_v3/.test(model)) return 'classifier.3';
  if (/^convnext/.test(model)) return 'classifier.2';
  if (/^vit_/.test(model)) return 'heads.head';
  throw new Error(`headPath: no classifier layer known for model '${model}'`);
}

/** The module at a dotted path, with its parent and field name. */
export function moduleAt(model: Module, path: string): { parent: Module; key: string; module: Module } {
  const keys = path.split('.');
  let parent = model;
  for (const k of keys.slice(0, -1)) parent = (parent as unknown as Record<string, Module>)[k];
  const key = keys[keys.length - 1];
  return { parent, key, module: (parent as unknown as Record<string, Module>)[key] };
}

/**
 * Replaces the last layer by a freshly initialised one with `numClasses` outputs, as the
 * tutorial's `model.fc = nn.Linear(model.fc.in_features, num_classes)` (a 1x1 convolution for
 * SqueezeNet). Returns the new layer.
 */
export function replaceHead(model: Module, name: string, numClasses: number): Module {
  const { parent, key, module: old } = moduleAt(model, headPath(name));
  const head = old instanceof Linear ? new Linear(old.inFeatures, numClasses)
    : old instanceof Conv2d ? new Conv2d(old.inChannels, numClasses, 1)
      : null;
  if (!head) throw new Error(`replaceHead: ${headPath(name)} of ${name} is a ${old?.constructor.name}, not Linear or Conv2d`);
  for (const p of old.parameters()) p.dispose();
  (parent as unknown as Record<string, Module>)[key] = head;
  return head;
}

/**
 * A zoo model with `numClasses` outputs, from `weights` when given: a file with another number of
 * classes (ImageNet's 1000) is loaded as it is and its head replaced. A DataParallel 'module.'
 * prefix is removed.
 */
export async function loadModel(name: string, weights: string | undefined, numClasses: number): Promise<Module> {
  const canonical = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (!weights) return sg.models.get(canonical, { numClasses });
  const entries = await sg.io.inspect(weights);
  const head = entries.find((e) => e.name.endsWith(`${headPath(canonical)}.weight`));
  if (!head) throw new Error(`loadModel: ${weights} has no tensor ${headPath(canonical)}.weight; is it a ${canonical} file?`);
  const stripPrefix = head.name.endsWith(`module.${headPath(canonical)}.weight`) ? 'module.' : undefined;
  const model = await sg.models.get(canonical, { numClasses: head.shape[0], weights, stripPrefix });
  if (head.shape[0] !== numClasses) replaceHead(model, canonical, numClasses);
  return model;
}

/** One batch on the GPU: images [N, 3, H, W] float32, labels [N] int32, and their dataset indices. */
export interface Batch {
  images: sg.Tensor;
  labels: sg.Tensor;
  indices: number[];
}

/**
 * The transforms of torchvision's transfer-learning tutorial: for training a random resized
 * crop and a horizontal flip, for evaluation a resize to size * 256/224 and a centre crop; then
 * ToTensor and ImageNet normalisation. Small inputs (CIFAR, size < 64) are resized, not cropped.
 */
export function imageTransform(size: number, train: boolean): sg.transforms.Compose {
  const t = sg.transforms;
  const geometry = size < 64
    ? [new t.Resize(size), new t.CenterCrop(size), ...(train ? [new t.RandomHorizontalFlip()] : [])]
    : train ? [new t.RandomResizedCrop(size), new t.RandomHorizontalFlip()]
      : [new t.Resize(Math.round((size * 256) / 224)), new t.CenterCrop(size)];
  return new t.Compose([...geometry, new t.ToTensor(), new t.Normalize(t.IMAGENET_MEAN, t.IMAGENET_STD)]);
}

/**
 * Batches of `dataset` from sg.data's DataLoader for `epoch` (its seeded shuffle and per-sample
 * augmentation), with the dataset index of every sample. Worker threads decode and transform
 * ahead of the GPU (`numWorkers`, default 2).
 */
export async function* batches(dataset: Dataset<Example>, o: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number; numWorkers?: number }): AsyncGenerator<Batch> {
  const loader = new sg.data.DataLoader(dataset, { batchSize: o.batchSize, shuffle: o.shuffle, seed: o.seed, numWorkers: o.numWorkers ?? 2 });
  loader.epoch = o.epoch ?? 0;
  const order = loader.batchIndices(loader.epoch);
  let b = 0;
  for await (const { x, y } of loader) yield { images: x, labels: y, indices: order[b++] };
}

export interface Evaluation {
  /** Mean cross-entropy. */
  loss: number;
  accuracy: number;
  /** Predicted and true class of every sample, in the batches' order. */
  preds: number[];
  targets: number[];
  /** Dataset index of every sample. */
  indices: number[];
}

/** Runs `model` in eval mode without a graph over `data`: summed cross-entropy and argmax per sample. */
export async function evaluateModel(model: Module, data: AsyncIterable<Batch>, onBatch?: (done: number) => void): Promise<Evaluation> {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  const preds: number[] = [], targets: number[] = [], indices: number[] = [];
  try {
    for await (const b of data) {
      const [loss, pred] = sg.noGrad(() => sg.tidy(() => {
        const logits = model.forward(b.images);
        return [sg.crossEntropy(logits, b.labels, { reduction: 'sum' }), sg.argmax(logits, 1)];
      }));
      lossSum += await loss.item();
      preds.push(...(await pred.data()));
      targets.push(...(await b.labels.data()));
      indices.push(...b.indices);
      for (const t of [loss, pred, b.images, b.labels]) t.dispose();
      onBatch?.(preds.length);
    }
  } finally {
    model.train(wasTraining);
  }
  const correct = preds.filter((p, i) => p === targets[i]).length;
  return { loss: preds.length ? lossSum / preds.length : NaN, accuracy: preds.length ? correct / preds.length : NaN, preds, targets, indices };
}

const SPEC: Record<string, OptionSpec> = {
  model: { type: 'string', help: 'model name (sg.models.names), e.g. resnet18' },
  weights: { type: 'string', help: 'weights to evaluate (.safetensors or .pth)' },
  data: { type: 'string', help: 'image folder DIR/<class>/<image>' },
  classes: { type: 'string', help: "classes.json written by finetune (the model's class order); default: the folder's classes" },
  'image-size': { type: 'string', help: 'input size (default 224; 32 for cifar_resnet*)' },
  'batch-size': { type: 'string', help: 'images per batch', default: '16' },
  workers: { type: 'string', help: 'worker threads decoding images', default: '2' },
  out: { type: 'string', help: 'also write confusion.png and confusion.csv into DIR' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Runs `shadergrad evaluate`; `write` receives the output (default: stdout). */
export async function evaluateCommand(args: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const p = parseArgs('evaluate', args, SPEC);
  if (flag(p, 'help')) return write(helpText('shadergrad evaluate --model NAME --weights FILE --data DIR [options]', SPEC));
  if (p.positional.length) throw new UsageError(`evaluate: unexpected argument "${p.positional[0]}"`);
  const name = modelName('evaluate', [required(p, 'evaluate', 'model')], 'shadergrad evaluate --model NAME ...'), weights = required(p, 'evaluate', 'weights'), dir = required(p, 'evaluate', 'data');
  const size = num(p, 'evaluate', 'image-size', { integer: true }) ?? (name.startsWith('cifar') ? 32 : 224);
  const batchSize = num(p, 'evaluate', 'batch-size', { integer: true })!;
  const folderClasses = new ImageFolder(dir, { skipInvalid: true }).classes;
  const classesFile = str(p, 'classes');
  if (classesFile && !existsSync(classesFile)) throw new UsageError(`evaluate: --classes ${classesFile} does not exist`);
  const classes: string[] = classesFile ? JSON.parse(readFileSync(classesFile, 'utf8')) : folderClasses;
  // The folder's class i is the model's class remap[i].
  const remap = folderClasses.map((c) => {
    const k = classes.indexOf(c);
    if (k < 0) throw new Error(`evaluate: the folder's class "${c}" is not among the model's classes (${classes.join(', ')})`);
    return k;
  });
  const dataset = new ImageFolder(dir, { transform: imageTransform(size, false), targetTransform: (y) => remap[y], skipInvalid: true });

  await sg.init();
  const model = await loadModel(name, weights, classes.length);
  const t0 = performance.now();
  const ev = await evaluateModel(model, batches(dataset, { batchSize, numWorkers: num(p, 'evaluate', 'workers', { integer: true }) }));
  const seconds = (performance.now() - t0) / 1000;
  sg.models.disposeModel(model);
  const matrix = confusionMatrix(ev.preds, ev.targets, classes.length);
  const report = classificationReport(matrix, classes);
  write(`${ev.preds.length} images of ${dir} in ${seconds.toFixed(1)} s (${(ev.preds.length / seconds).toFixed(1)} img/s)\n`);
  write(`loss ${ev.loss.toFixed(4)}  accuracy ${(100 * ev.accuracy).toFixed(2)}%\n\n${formatReport(report)}\n`);
  write(`confusion matrix (rows: true, columns: predicted):\n${confusionCsv(matrix, classes)}`);
  const out = str(p, 'out');
  if (out) {
    mkdirSync(out, { recursive: true });
    writeAtomic(join(out, 'confusion.png'), confusionPng(matrix, classes));
    writeAtomic(join(out, 'confusion.csv'), confusionCsv(matrix, classes));
  }
}
