/**
 * `shadergrad predict --model resnet18 --weights resnet18-f37072fd.pth IMAGE...`: the top-k
 * classes of each image with their probabilities. ImageNet models use torchvision's evaluation
 * preprocessing (resize 256, centre crop 224, ImageNet normalisation) and class names; a model
 * fine-tuned by `shadergrad finetune` brings its `classes.json` (class names and input size).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as sg from '../../src/index.js';
import { flag, helpText, num, parseArgs, required, str, UsageError, type OptionSpec } from './args.js';

const spec: Record<string, OptionSpec> = {
  model: { type: 'string', help: `architecture (${sg.models.names.join(', ')})` },
  weights: {
    type: 'string',
    help: 'weight file (torchvision .pth, .th, .safetensors from finetune) or a weights name (DEFAULT, IMAGENET1K_V1)',
  },
  classes: {
    type: 'string',
    help: 'classes.json written by finetune (default: beside --weights if there, else ImageNet)',
  },
  top: { type: 'string', help: 'how many classes to print (-1: all; write --top=-1)', default: '5' },
  'image-size': { type: 'string', help: 'centre-crop side (default 224; 32 for cifar_ models; or from classes.json)' },
  resize: { type: 'string', help: 'shorter side before cropping (default 256 for 224 crops, else the crop size)' },
  'strip-prefix': {
    type: 'string',
    help: "key prefix to remove, e.g. 'module.' (cifar checkpoints get it by default)",
  },
};

/** The class names of a model, and the input size it was trained at. */
export interface ClassesFile {
  classes: string[];
  imageSize?: number;
  resize?: number;
}

/** Reads `classes.json`: a list of names, or `{classes, imageSize?, resize?}`. */
export function readClassesFile(path: string): ClassesFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a readable JSON file (${(e as Error).message})`);
  }
  const info = (Array.isArray(parsed) ? { classes: parsed } : parsed) as Partial<ClassesFile>;
  if (!Array.isArray(info.classes) || !info.classes.every((c) => typeof c === 'string')) {
    throw new Error(`${path}: expected a list of class names or {"classes": [...]}`);
  }
  return info as ClassesFile;
}

/** Runs `shadergrad predict`: the top classes of each image, printed with their probabilities. */
export async function predictCommand(args: string[]): Promise<void> {
  const p = parseArgs('predict', args, spec);
  if (flag(p, 'help')) {
    process.stdout.write(helpText('shadergrad predict --model NAME --weights FILE [options] IMAGE...', spec));
    return;
  }
  const model = required(p, 'predict', 'model');
  const weights = required(p, 'predict', 'weights');
  if (p.positional.length === 0) throw new UsageError('predict: give at least one image (JPEG or PNG)');
  const top = num(p, 'predict', 'top', { integer: true })!;
  if (top === 0 || top < -1)
    throw new UsageError(`predict: --top must be a positive number of classes, or -1 for all of them; got ${top}`);

  // --weights DEFAULT (or IMAGENET1K_V1, ResNet18_Weights.IMAGENET1K_V1): torchvision's weights, their
  // categories and their evaluation preset, unless --classes / --image-size / --resize say otherwise.
  const named = sg.models.resolveWeights(sg.train.canonicalModelName(model), weights);
  const classesPath =
    str(p, 'classes') ??
    (!named && existsSync(join(dirname(weights), 'classes.json')) ? join(dirname(weights), 'classes.json') : undefined);
  const info: ClassesFile = classesPath
    ? readClassesFile(classesPath)
    : { classes: [...(named?.meta.categories ?? sg.data.IMAGENET_CLASSES)] };
  const isCifar = model.toLowerCase().startsWith('cifar');
  const crop =
    num(p, 'predict', 'image-size', { integer: true }) ??
    info.imageSize ??
    named?.preset.cropSize ??
    (isCifar ? 32 : 224);
  const resize = num(p, 'predict', 'resize', { integer: true }) ?? info.resize ?? named?.preset.resizeSize;
  const preset = named && crop === named.preset.cropSize && resize === named.preset.resizeSize;
  const transform = preset ? named.transforms() : sg.data.evalTransform({ crop, resize });

  await sg.init();
  const net = await sg.models.get(model, {
    weights: named ?? weights,
    numClasses: info.classes.length,
    stripPrefix: str(p, 'strip-prefix') ?? named?.meta.stripPrefix ?? (isCifar ? 'module.' : undefined),
  });
  try {
    for (const file of p.positional) {
      const probs = await sg.train.classify(net, transform.apply(sg.data.readImage(file)) as sg.data.HostTensor);
      console.log(`${basename(file)}:`);
      for (const [rank, k] of sg.train.topK(probs, top < 0 ? probs.length : top).entries()) {
        console.log(
          `  ${String(rank + 1).padStart(2)}. ${(100 * probs[k]).toFixed(2).padStart(6)}%  ${info.classes[k] ?? `class ${k}`}`,
        );
      }
    }
  } finally {
    sg.models.disposeModel(net);
  }
}
