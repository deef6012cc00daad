/**
 * `shadergrad profile MODEL [--batch N] [--size S] [--train] [--json] [--sort KEY] [--group-by kernel|module]`:
 * where a zoo model's time goes, kernel by kernel and module by module (sg.profile). One
 * unprofiled warm-up run first (pipeline compilation, the buffer pool filling), timed and
 * reported apart; then one profiled run: the forward pass in eval mode under noGrad, or with
 * `--train` a training step (forward, cross-entropy on random labels, backward, SGD step).
 * The model has its random initial weights: times do not depend on the values.
 */
import * as sg from '../../src/index.js';
import { UsageError, flag, helpText, num, parseArgs, str, type OptionSpec } from './args.js';
import { modelName } from './summary.js';

const SORT_KEYS: sg.SortKey[] = ['total', 'self', 'mean', 'calls', 'flops', 'bytes', 'name'];

const SPEC: Record<string, OptionSpec> = {
  batch: { type: 'string', help: 'batch size', default: '1' },
  size: {
    type: 'string',
    help: 'input height and width (default 32 for cifar_resnet*, 299 for inception_v3, else 224)',
  },
  train: { type: 'boolean', help: 'profile a training step (forward, backward, SGD step) instead of a forward pass' },
  json: { type: 'boolean', help: 'print the profile as JSON (every launch, the averages by kernel and by module)' },
  sort: {
    type: 'string',
    help: `sort the rows by: ${SORT_KEYS.join(', ')} (default total for kernels, self for modules)`,
  },
  'group-by': { type: 'string', help: 'one table grouped by kernel or by module (default both tables)' },
  rows: { type: 'string', help: 'at most this many rows per table' },
  timing: {
    type: 'string',
    help: 'auto, timestamp (GPU timestamp queries) or sync (each launch replayed alone)',
    default: 'auto',
  },
};

const USAGE = 'shadergrad profile MODEL [options]   (MODEL: one of sg.models.names)';

function choice<T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value !== undefined && !allowed.includes(value as T))
    throw new UsageError(`profile: --${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T | undefined;
}

function positive(n: number | undefined, option: string): number | undefined {
  if (n !== undefined && n < 1) throw new UsageError(`profile: --${option} must be at least 1, got ${n}`);
  return n;
}

/** The work to profile: a forward pass, or a whole training step. */
function workload(
  model: sg.nn.Module,
  batch: number,
  size: number,
  train: boolean,
): { run: () => void; dispose: () => void } {
  const x = sg.rand([batch, 3, size, size]);
  if (!train) {
    model.eval();
    return { run: () => sg.tidy(() => void sg.noGrad(() => model.forward(x))), dispose: () => x.dispose() };
  }
  model.train();
  const labels = sg.tensor(Int32Array.from({ length: batch }, (_, i) => i % 2)); // every zoo model has 2+ classes
  const opt = new sg.optim.SGD(model.parameters(), { lr: 1e-3, momentum: 0.9 });
  return {
    run: () =>
      sg.tidy(() => {
        const loss = sg.crossEntropy(sg.models.logitsOf(model.forward(x)), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }),
    dispose: () => {
      x.dispose();
      labels.dispose();
    },
  };
}

/** Runs `shadergrad profile`; `write` receives the output (default: stdout). */
export async function profileCommand(
  args: string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const p = parseArgs('profile', args, SPEC);
  if (flag(p, 'help')) return write(helpText(USAGE, SPEC));
  const name = modelName('profile', p.positional, USAGE);
  const batch = positive(num(p, 'profile', 'batch', { integer: true }), 'batch')!;
  const size =
    positive(num(p, 'profile', 'size', { integer: true }), 'size') ??
    (name.startsWith('cifar_') ? 32 : name === 'inception_v3' ? 299 : 224);
  const sortBy = choice(str(p, 'sort'), SORT_KEYS, 'sort');
  const groupBy = choice(str(p, 'group-by'), ['kernel', 'module'] as const, 'group-by');
  const rowLimit = positive(num(p, 'profile', 'rows', { integer: true }), 'rows');
  const timing = choice(str(p, 'timing'), ['auto', 'timestamp', 'sync'] as const, 'timing');
  const train = flag(p, 'train');
  await sg.init();
  const model = await sg.models.get(name);
  const work = workload(model, batch, size, train);
  try {
    const start = performance.now();
    work.run();
    await sg.synchronize();
    const warmupMs = performance.now() - start;
    const profile = await sg.profile(work.run, { timing });
    const what = `${name}, ${train ? 'training step (forward, backward, SGD)' : 'forward (eval, noGrad)'}, batch ${batch}, ${size} x ${size}`;
    if (flag(p, 'json')) {
      write(`${JSON.stringify({ model: name, batch, size, train, warmupMs, ...profile.toJSON() }, null, 1)}\n`);
      return;
    }
    const tables = (groupBy ? [groupBy] : (['kernel', 'module'] as const)).map(
      (g) => `by ${g}:\n${profile.table({ groupBy: g, sortBy, rowLimit })}`,
    );
    write(
      `${what}\nwarm-up run (not profiled; compiles the pipelines): ${warmupMs.toFixed(0)} ms\n\n${tables.join('\n\n')}\n`,
    );
  } finally {
    work.dispose();
    sg.models.disposeModel(model);
  }
}
