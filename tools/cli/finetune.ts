/**
 * `shadergrad finetune`: the command line of `sg.train.finetune` (src/train/finetune.ts), which
 * does the work: this file parses the options and handles Ctrl-C.
 *
 *   shadergrad finetune --data hymenoptera/train --val hymenoptera/val --model resnet18 \
 *     --weights resnet18-f37072fd.pth --epochs 6 --head-epochs 3 --out run
 */
import * as sg from '../../src/index.js';
import { UsageError, flag, helpText, num, parseArgs, required, str, type OptionSpec } from './args.js';
import { modelName } from './summary.js';
import { BAD_IMAGE_SPEC, badImageOptions } from './bad_image.js';
import { TEXT_SPEC, looksLikeText, textOptions, writeTokenizerRecord } from './finetune_text.js';

const SPEC: Record<string, OptionSpec> = {
  data: { type: 'string', help: 'training images, DIR/<class>/<image>' },
  val: { type: 'string', help: 'validation images (same classes); default: hold out --val-split of --data' },
  'val-split': {
    type: 'string',
    help: 'fraction of --data held out for validation when there is no --val',
    default: '0.2',
  },
  model: { type: 'string', help: 'model name (sg.models.names), e.g. resnet18' },
  weights: {
    type: 'string',
    help: 'pretrained weights (.pth or .safetensors, or a weights name: DEFAULT, IMAGENET1K_V1); default: random initialisation',
  },
  freeze: {
    type: 'string',
    help: 'fixed in phase 1: features | all-but-head | none | N (first N layers)',
    default: 'features',
  },
  'head-lr': {
    type: 'string',
    help: 'learning rate of the new last layer (and of everything phase 1 trains)',
    default: '1e-3',
  },
  'backbone-lr': { type: 'string', help: 'learning rate of the other layers in phase 2', default: '1e-4' },
  epochs: { type: 'string', help: 'epochs in total', default: '10' },
  'head-epochs': { type: 'string', help: 'phase-1 epochs (default: half, 0 with --freeze none)' },
  'batch-size': { type: 'string', help: 'images per batch', default: '16' },
  optimizer: { type: 'string', help: 'sgd (momentum 0.9) | adam | adamw', default: 'sgd' },
  scheduler: {
    type: 'string',
    help: 'none | step (x0.1 every --step-size epochs) | cosine, per phase',
    default: 'none',
  },
  'step-size': { type: 'string', help: 'epochs between StepLR decays', default: '7' },
  'clip-grad-norm': { type: 'string', help: 'clip the gradient norm to X' },
  out: { type: 'string', help: 'output folder', default: 'finetune-out' },
  seed: { type: 'string', help: 'seed of the split, the shuffles, augmentation and initialisation', default: '0' },
  resume: { type: 'string', help: 'continue from a checkpoint.safetensors' },
  'image-size': { type: 'string', help: 'input size (default 224; 32 for cifar_resnet*)' },
  workers: { type: 'string', help: 'worker threads decoding and augmenting images', default: '2' },
  progress: {
    type: 'boolean',
    help: 'show a progress bar during each epoch (--no-progress: only the epoch lines)',
    default: 'true',
  },
  ...BAD_IMAGE_SPEC,
  ...TEXT_SPEC,
};

/** Image or text fine-tuning, with its options (null for --help). */
export type FinetuneCommand =
  | { task: 'image'; options: sg.train.FinetuneOptions }
  | {
      task: 'text';
      options: sg.train.TextFinetuneOptions;
      /** The torchtext tokenizer files used (absolute paths by `TransformFiles` key); none for a word vocabulary. */
      tokenizerFiles?: Record<string, string>;
    };

/** Parses the command line of either task (exported for tests). */
export function finetuneOptionsFor(args: string[]): FinetuneCommand | null {
  const p = parseArgs('finetune', args, SPEC);
  if (flag(p, 'help')) return null;
  const data = required(p, 'finetune', 'data');
  const task = str(p, 'task') ?? (looksLikeText(data) ? 'text' : 'image');
  if (task === 'image') return { task, options: finetuneOptions(args)! };
  if (task !== 'text') throw new UsageError(`finetune: --task must be image or text, got "${task}"`);
  if (p.positional.length) throw new UsageError(`finetune: unexpected argument "${p.positional[0]}"`);
  const n = (name: string, integer = false) => num(p, 'finetune', name, { integer });
  const common = {
    val: str(p, 'val'),
    valSplit: n('val-split'),
    weights: str(p, 'weights'),
    headLr: n('head-lr'),
    backboneLr: n('backbone-lr'),
    epochs: n('epochs', true),
    headEpochs: n('head-epochs', true),
    batchSize: n('batch-size', true),
    optimizer: str(p, 'optimizer') as sg.train.OptimizerName,
    scheduler: str(p, 'scheduler') as sg.train.SchedulerName,
    clipGradNorm: n('clip-grad-norm'),
    out: str(p, 'out'),
    seed: n('seed', true),
    ...(p.options.get('progress') === false ? { stream: { write: () => true } } : {}),
  };
  return { task: 'text', ...textOptions(p, data, common) };
}

/** Parses the command line into FinetuneOptions (exported for tests). */
export function finetuneOptions(args: string[]): sg.train.FinetuneOptions | null {
  const p = parseArgs('finetune', args, SPEC);
  if (flag(p, 'help')) return null;
  if (p.positional.length) throw new UsageError(`finetune: unexpected argument "${p.positional[0]}"`);
  const n = (name: string, integer = false) => num(p, 'finetune', name, { integer });
  const choice = <T extends string>(name: string, allowed: readonly T[]): T => {
    const v = str(p, name)!;
    if (!allowed.includes(v as T))
      throw new UsageError(`finetune: --${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  const freezeText = str(p, 'freeze')!;
  const freeze: sg.train.Freeze = /^\d+$/.test(freezeText)
    ? Number(freezeText)
    : choice('freeze', ['features', 'all-but-head', 'none'] as const);
  return {
    data: required(p, 'finetune', 'data'),
    val: str(p, 'val'),
    valSplit: n('val-split'),
    model: modelName('finetune', [required(p, 'finetune', 'model')], 'shadergrad finetune --model NAME ...'),
    weights: str(p, 'weights'),
    freeze,
    headLr: n('head-lr'),
    backboneLr: n('backbone-lr'),
    epochs: n('epochs', true),
    headEpochs: n('head-epochs', true),
    batchSize: n('batch-size', true),
    optimizer: choice('optimizer', ['sgd', 'adam', 'adamw'] as const),
    scheduler: choice('scheduler', ['none', 'step', 'cosine'] as const),
    stepSize: n('step-size', true),
    clipGradNorm: n('clip-grad-norm'),
    readEvery: 10, // the progress bar reads loss and accuracy back every 10 batches, not every one
    out: str(p, 'out'),
    seed: n('seed', true),
    resume: str(p, 'resume'),
    imageSize: n('image-size', true),
    numWorkers: n('workers', true),
    ...badImageOptions(p, 'finetune'),
    ...(p.options.get('progress') === false ? { stream: { write: () => true } } : {}),
  };
}

/**
 * Runs `shadergrad finetune`: `sg.train.finetune` with the command line's options. The first Ctrl-C stops
 * after the current batch and saves a checkpoint; a second one quits at once.
 */
export async function finetuneCommand(args: string[]): Promise<void> {
  const command = finetuneOptionsFor(args);
  if (!command) {
    process.stdout.write(
      helpText('shadergrad finetune --data DIR|FILE.tsv [--task text] --model NAME [--weights FILE] [options]', SPEC),
    );
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
    if (command.task === 'text' && command.tokenizerFiles && command.options.out)
      writeTokenizerRecord(command.options.out, command.options.model!, command.tokenizerFiles);
    const result =
      command.task === 'text'
        ? await sg.train.finetuneText({ ...command.options, signal: stop.signal })
        : await sg.train.finetune({ ...command.options, signal: stop.signal });
    sg.models.disposeModel(result.model);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
