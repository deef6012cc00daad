/**
 * `shadergrad print MODEL [--num-classes N]`: the module tree of a zoo model, exactly as
 * `print(model)` shows it in PyTorch.
 */
import * as sg from '../../src/index.js';
import { flag, helpText, num, parseArgs, type OptionSpec } from './args.js';
import { modelName } from './summary.js';

const SPEC: Record<string, OptionSpec> = {
  'num-classes': {
    type: 'string',
    help: "size of the last layer (default: the model's, 1000 or 10 for cifar_resnet*)",
  },
};

const USAGE = 'shadergrad print MODEL [options]   (MODEL: one of sg.models.names)';

/** Runs `shadergrad print`; `write` receives the output (default: stdout). */
export async function printCommand(
  args: string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const p = parseArgs('print', args, SPEC);
  if (flag(p, 'help')) return write(helpText(USAGE, SPEC));
  const name = modelName('print', p.positional, USAGE);
  const numClasses = num(p, 'print', 'num-classes', { integer: true });
  await sg.init();
  const model = await sg.models.get(name, { numClasses });
  try {
    write(`${model.toString()}\n`);
  } finally {
    sg.models.disposeModel(model);
  }
}
