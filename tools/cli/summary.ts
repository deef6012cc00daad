/**
 * `shadergrad summary MODEL [--input 3,224,224] [--batch-size 1] [--num-classes N]`: the
 * torchsummary table of a zoo model (sg.summary: one real forward pass on random input).
 */
import * as sg from '../../src/index.js';
import { UsageError, flag, helpText, num, parseArgs, str, type OptionSpec } from './args.js';

const SPEC: Record<string, OptionSpec> = {
  input: {
    type: 'string',
    help: 'input shape without the batch dimension, C,H,W (default 3,32,32 for cifar_resnet*, 3,299,299 for inception_v3, else 3,224,224)',
  },
  'batch-size': {
    type: 'string',
    help: 'batch size shown in the output shapes (torchsummary batch_size)',
    default: '-1',
  },
  'num-classes': {
    type: 'string',
    help: "size of the last layer (default: the model's, 1000 or 10 for cifar_resnet*)",
  },
};

const USAGE = 'shadergrad summary MODEL [options]   (MODEL: one of sg.models.names)';

/** Parses "3,224,224" into [3, 224, 224], positive integers only. */
export function parseShape(command: string, text: string): number[] {
  const dims = text.split(/[,x]/).map((s) => Number(s.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new UsageError(`${command}: --input expects positive integers like 3,224,224, got "${text}"`);
  }
  return dims;
}

/** The model name (first positional argument), checked against the zoo. */
export function modelName(command: string, positional: string[], usage: string): string {
  const name = positional[0];
  if (!name) throw new UsageError(`${command}: which model? usage: ${usage}`);
  if (positional.length > 1) throw new UsageError(`${command}: unexpected argument "${positional[1]}"`);
  const canonical = sg.train.canonicalModelName(name);
  if (!sg.models.names.includes(canonical)) {
    throw new UsageError(`${command}: unknown model "${name}"; known models: ${sg.models.names.join(', ')}`);
  }
  return canonical;
}

/** Runs `shadergrad summary`; `write` receives the output (default: stdout). */
export async function summaryCommand(
  args: string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const p = parseArgs('summary', args, SPEC);
  if (flag(p, 'help')) return write(helpText(USAGE, SPEC));
  const name = modelName('summary', p.positional, USAGE);
  const input = parseShape(
    'summary',
    str(p, 'input') ?? (name.startsWith('cifar_') ? '3,32,32' : name === 'inception_v3' ? '3,299,299' : '3,224,224'),
  );
  const batchSize = num(p, 'summary', 'batch-size', { integer: true })!;
  const numClasses = num(p, 'summary', 'num-classes', { integer: true });
  await sg.init();
  const model = await sg.models.get(name, { numClasses });
  try {
    write(`${sg.summary(model, input, { batchSize })}\n`);
  } finally {
    sg.models.disposeModel(model);
  }
}
