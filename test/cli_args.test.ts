// The command line's one parser (tools/cli/args.ts over node:util parseArgs), in every command:
// `--` ends the options, -h/--help everywhere, --no-X for booleans, unknown options rejected
// (inspect included), and values that start with a dash written --name=-1.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { UsageError, parseArgs, helpText, type OptionSpec } from '../tools/cli/args.js';
import { finetuneOptions } from '../tools/cli/finetune.js';
import { evaluateCommand } from '../tools/cli/evaluate.js';
import { predictCommand } from '../tools/cli/predict.js';
import { inspectCommand } from '../tools/cli/inspect.js';
import { summaryCommand } from '../tools/cli/summary.js';
import { printCommand } from '../tools/cli/print.js';

const SPEC: Record<string, OptionSpec> = {
  top: { type: 'string', help: 'how many', default: '5' },
  verbose: { type: 'boolean', help: 'say more' },
};

/** What a command printed on stdout (process.stdout.write and console.log) while it ran. */
async function stdout(run: () => Promise<unknown>): Promise<string> {
  let text = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((text += String(s)), true));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (text += `${a.join(' ')}\n`));
  await run();
  return text;
}

afterEach(() => vi.restoreAllMocks());

describe('parseArgs', () => {
  it('reads values, flags, --no-flags, defaults and positionals', () => {
    const p = parseArgs('cmd', ['a.jpg', '--top', '3', '--verbose', 'b.jpg'], SPEC);
    expect(Object.fromEntries(p.options)).toEqual({ top: '3', verbose: true });
    expect(p.positional).toEqual(['a.jpg', 'b.jpg']);
    expect(Object.fromEntries(parseArgs('cmd', ['--verbose', '--no-verbose'], SPEC).options)).toEqual({
      top: '5',
      verbose: false,
    });
    expect(parseArgs('cmd', ['--top=7'], SPEC).options.get('top')).toBe('7');
  });

  it('-- ends the options: what follows is positional, even -h and --top', () => {
    const p = parseArgs('cmd', ['--top', '2', '--', '-h', '--top', '--no-verbose'], SPEC);
    expect(p.options.get('top')).toBe('2');
    expect(p.options.has('help')).toBe(false);
    expect(p.positional).toEqual(['-h', '--top', '--no-verbose']);
  });

  it('takes a value that starts with a dash as --name=-1, and explains --name -1', () => {
    expect(parseArgs('cmd', ['--top=-1'], SPEC).options.get('top')).toBe('-1');
    expect(() => parseArgs('cmd', ['--top', '-1'], SPEC)).toThrow(
      'cmd: option --top needs a value; a value starting with a dash is written --top=VALUE',
    );
    expect(() => parseArgs('cmd', ['--top'], SPEC)).toThrow('cmd: option --top needs a value');
  });

  it('rejects unknown options, --no- of a string option, and a value given to a flag, naming them', () => {
    expect(() => parseArgs('cmd', ['--topp', '3'], SPEC)).toThrow(
      new UsageError('cmd: unknown option --topp (see: shadergrad cmd --help)'),
    );
    expect(() => parseArgs('cmd', ['-x'], SPEC)).toThrow('cmd: unknown option -x');
    expect(() => parseArgs('cmd', ['--no-top'], SPEC)).toThrow('cmd: unknown option --no-top');
    expect(() => parseArgs('cmd', ['--verbose=yes'], SPEC)).toThrow(
      'cmd: option --verbose takes no value (use --verbose or --no-verbose)',
    );
  });

  it('gives every command -h and --help, listed in its help text', () => {
    expect(parseArgs('cmd', ['-h'], SPEC).options.get('help')).toBe(true);
    expect(parseArgs('cmd', ['--help'], SPEC).options.get('help')).toBe(true);
    const text = helpText('shadergrad cmd [options]', SPEC);
    expect(text).toContain('  --top           how many (default 5)\n');
    expect(text).toContain('  --[no-]verbose  say more\n');
    expect(text).toContain('  -h, --help      show this help\n');
  });
});

describe('every command', () => {
  const commands: Record<string, (args: string[]) => Promise<unknown>> = {
    finetune: async (args) => finetuneOptions(args),
    evaluate: (args) => evaluateCommand(args),
    predict: (args) => predictCommand(args),
    inspect: (args) => inspectCommand(args),
    summary: (args) => summaryCommand(args),
    print: (args) => printCommand(args),
  };

  it.each(Object.keys(commands))('%s: -h and --help print the usage; an unknown option is an error', async (name) => {
    for (const help of ['-h', '--help']) {
      const text = await stdout(() => commands[name]([help]));
      if (name === 'finetune')
        expect(await commands[name]([help])).toBeNull(); // finetuneCommand prints the text
      else
        expect(text).toMatch(
          new RegExp(`^usage: shadergrad ${name} .*\\n\\noptions:\\n(.|\\n)*-h, --help +show this help`),
        );
    }
    await expect(commands[name](['--bogus', 'x'])).rejects.toThrow(
      new UsageError(`${name}: unknown option --bogus (see: shadergrad ${name} --help)`),
    );
  });

  it('finetune: --no-progress hides the bar, --progress keeps it', () => {
    const base = ['--data', 'd', '--model', 'resnet18'];
    expect(finetuneOptions([...base, '--no-progress'])!.stream).toBeDefined();
    expect(finetuneOptions([...base, '--progress'])!.stream).toBeUndefined();
    expect(finetuneOptions(base)!.stream).toBeUndefined();
  });

  it("summary takes torchsummary's --batch-size=-1; predict checks --top=-1 and -- before an image named -h", async () => {
    let text = '';
    await summaryCommand(['cifar_resnet20', '--batch-size=-1'], (t) => (text += t));
    expect(text).toMatch(/Linear-\d+ +\[-1, 10\] +650/);
    await expect(predictCommand(['--model', 'resnet18', '--weights', 'w.pth', '--top=0', 'a.jpg'])).rejects.toThrow(
      'predict: --top must be a positive number of classes, or -1 for all of them; got 0',
    );
    // After --, "-h" is an image path (which does not exist), not a request for help.
    await expect(
      predictCommand(['--model', 'cifar_resnet20', '--weights', '/nonexistent/w.pth', '--top=-1', '--', '-h']),
    ).rejects.toThrow(/w\.pth/);
  });

  it('inspect: one file, and --filter needs its value', async () => {
    await expect(inspectCommand(['a.pth', 'b.pth'])).rejects.toThrow(
      'inspect: one file at a time; unexpected argument "b.pth"',
    );
    await expect(inspectCommand(['a.pth', '--filter'])).rejects.toThrow('inspect: option --filter needs a value');
  });
});
