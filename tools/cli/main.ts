/**
 * The `shadergrad` command line: `shadergrad <command> [options]`. Each command lives in its own
 * file beside this one and is loaded only when asked for.
 */
import { UsageError } from './args.js';

type Command = { summary: string; run: () => Promise<(args: string[]) => Promise<void>> };

const commands: Record<string, Command> = {
  finetune: {
    summary: 'fine-tune a pretrained model on a folder of labelled images (ImageFolder layout)',
    run: async () => (await import('./finetune.js')).finetuneCommand,
  },
  evaluate: {
    summary: 'accuracy, per-class precision/recall/F1 and the confusion matrix on a folder of images',
    run: async () => (await import('./evaluate.js')).evaluateCommand,
  },
  inspect: {
    summary: 'list the tensors of a .pth/.pt/.th/.safetensors file (name, dtype, shape)',
    run: async () => (await import('./inspect.js')).inspectCommand,
  },
  summary: {
    summary: "torchsummary's table of a model (output shapes, parameter counts, sizes)",
    run: async () => (await import('./summary.js')).summaryCommand,
  },
  print: {
    summary: 'the module tree, as print(model) in PyTorch',
    run: async () => (await import('./print.js')).printCommand,
  },
  profile: {
    summary: 'where the time of a forward pass or training step goes, by kernel and by module (GPU timestamps)',
    run: async () => (await import('./profile.js')).profileCommand,
  },
  predict: {
    summary: 'top-5 classes of images with a pretrained or fine-tuned model',
    run: async () => (await import('./predict.js')).predictCommand,
  },
};

function usage(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return `usage: shadergrad <command> [options]   (shadergrad <command> --help for its options)\n\ncommands:\n${names.map((n) => `  ${n.padEnd(width)}${commands[n].summary}`).join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`shadergrad: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    await (
      await command.run()
    )(args);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`shadergrad ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.SHADERGRAD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const { shutdown } = await import('../../src/index.js');
const code = await main(process.argv.slice(2));
await shutdown();
process.exitCode = code;
