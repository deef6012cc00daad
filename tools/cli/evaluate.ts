/**
 * `shadergrad evaluate`: loads a model and prints accuracy, sklearn's per-class report and the
 * confusion matrix of an image folder (the work is sg.train's `evaluateModel` and metrics).
 *
 *   shadergrad evaluate --model resnet18 --weights out/model.safetensors --data hymenoptera/val \
 *     --classes out/classes.json [--out DIR]
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../../src/index.js';
import { UsageError, flag, helpText, num, parseArgs, required, str, type OptionSpec } from './args.js';
import { modelName } from './summary.js';
import { BAD_IMAGE_SPEC, badImageOptions } from './bad_image.js';

const SPEC: Record<string, OptionSpec> = {
  model: { type: 'string', help: 'model name (sg.models.names), e.g. resnet18' },
  weights: { type: 'string', help: 'weights to evaluate (.safetensors or .pth)' },
  data: { type: 'string', help: 'image folder DIR/<class>/<image>' },
  classes: {
    type: 'string',
    help: "classes.json written by finetune (the model's class order); default: the folder's classes",
  },
  'image-size': { type: 'string', help: 'input size (default 224; 32 for cifar_resnet*)' },
  'batch-size': { type: 'string', help: 'images per batch', default: '16' },
  workers: { type: 'string', help: 'worker threads decoding images', default: '2' },
  out: { type: 'string', help: 'also write confusion.png and confusion.csv into DIR' },
  ...BAD_IMAGE_SPEC,
};

/** Runs `shadergrad evaluate`; `write` receives the output (default: stdout). */
export async function evaluateCommand(
  args: string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const p = parseArgs('evaluate', args, SPEC);
  if (flag(p, 'help'))
    return write(helpText('shadergrad evaluate --model NAME --weights FILE --data DIR [options]', SPEC));
  if (p.positional.length) throw new UsageError(`evaluate: unexpected argument "${p.positional[0]}"`);
  const name = modelName('evaluate', [required(p, 'evaluate', 'model')], 'shadergrad evaluate --model NAME ...'),
    weights = required(p, 'evaluate', 'weights'),
    dir = required(p, 'evaluate', 'data');
  const size = num(p, 'evaluate', 'image-size', { integer: true }) ?? (name.startsWith('cifar') ? 32 : 224);
  const batchSize = num(p, 'evaluate', 'batch-size', { integer: true })!;
  const images = badImageOptions(p, 'evaluate');
  const folderClasses = new sg.data.ImageFolder(dir, images).classes;
  const classesFile = str(p, 'classes');
  if (classesFile && !existsSync(classesFile))
    throw new UsageError(`evaluate: --classes ${classesFile} does not exist`);
  const classes: string[] = classesFile ? JSON.parse(readFileSync(classesFile, 'utf8')) : folderClasses;
  // The folder's class i is the model's class remap[i].
  const remap = folderClasses.map((c) => {
    const k = classes.indexOf(c);
    if (k < 0)
      throw new Error(`evaluate: the folder's class "${c}" is not among the model's classes (${classes.join(', ')})`);
    return k;
  });
  const dataset = new sg.data.ImageFolder(dir, {
    transform: sg.train.imageTransform(size, false),
    targetTransform: (y) => remap[y],
    ...images,
  });

  await sg.init();
  const model = await sg.train.loadModel(name, weights, classes.length);
  const t0 = performance.now();
  const ev = await sg.train.evaluateModel(
    model,
    sg.train.batches(dataset, { batchSize, numWorkers: num(p, 'evaluate', 'workers', { integer: true }) }),
  );
  const seconds = (performance.now() - t0) / 1000;
  sg.models.disposeModel(model);
  const matrix = sg.train.confusionMatrix(ev.preds, ev.targets, classes.length);
  const report = sg.train.classificationReport(matrix, classes);
  write(
    `${ev.preds.length} images of ${dir} in ${seconds.toFixed(1)} s (${(ev.preds.length / seconds).toFixed(1)} img/s)\n`,
  );
  write(
    `loss ${ev.loss.toFixed(4)}  accuracy ${(100 * ev.accuracy).toFixed(2)}%\n\n${sg.train.formatReport(report)}\n`,
  );
  write(`confusion matrix (rows: true, columns: predicted):\n${sg.plot.confusionCsv(matrix, classes)}`);
  const out = str(p, 'out');
  if (out) {
    mkdirSync(out, { recursive: true });
    sg.train.writeAtomic(join(out, 'confusion.png'), sg.plot.confusionPng(matrix, classes));
    sg.train.writeAtomic(join(out, 'confusion.csv'), sg.plot.confusionCsv(matrix, classes));
  }
}
