/**
 * `npm run fuzz -- --seconds N --seed S [--out DIR]` (or FUZZ_SECONDS / FUZZ_SEED): the fuzz
 * suite's generators run for longer: the hostile files of test/fuzz/, then random mutations of
 * every reader's valid seeds until the time is up. A mutant must load or fail with an Error
 * naming the file, within the harness's time and peak-memory bounds; each one that does not is
 * printed and written to DIR (default fuzz-failures/) to be replayed. Exit code 1 if any.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { run, judge, type Case } from '../test/fuzz/harness.js';
import { hostileTorchCases } from '../test/fuzz/hostile_torch.js';
import { hostileFileCases } from '../test/fuzz/hostile_files.js';
import { mutate, rng, seeds } from '../test/fuzz/mutate.js';
import { UsageError, num, parseArgs, str } from './cli/args.js';

const SPEC = {
  seconds: { type: 'string' as const, help: 'how long to mutate (default FUZZ_SECONDS or 30)' },
  seed: { type: 'string' as const, help: 'seed of the mutations (default FUZZ_SEED or 1)' },
  out: { type: 'string' as const, help: 'where failing inputs are written', default: 'fuzz-failures' },
};

async function main(): Promise<number> {
  const p = parseArgs('fuzz', process.argv.slice(2), SPEC);
  if (p.options.get('help')) {
    console.log('usage: npm run fuzz -- [--seconds N] [--seed S] [--out DIR]');
    return 0;
  }
  const seconds = num(p, 'fuzz', 'seconds') ?? Number(process.env.FUZZ_SECONDS ?? 30);
  const seed = num(p, 'fuzz', 'seed', { integer: true }) ?? Number(process.env.FUZZ_SEED ?? 1);
  if (!(seconds >= 0)) throw new UsageError(`fuzz: --seconds must be >= 0, got ${seconds}`);
  const out = str(p, 'out')!;
  await sg.init();
  let failed = 0;
  const check = async (c: Case) => {
    const why = judge(c, await run(c));
    if (!why) return;
    failed++;
    mkdirSync(out, { recursive: true });
    const file = join(out, `${c.reader}-${c.name.replace(/[^\w.@#-]/g, '_')}`);
    writeFileSync(file, c.bytes);
    console.log(`FAIL ${c.name} via ${c.reader}: ${why} (input written to ${file})`);
  };
  const fixed = [...hostileTorchCases(), ...hostileFileCases()];
  for (const c of fixed) await check(c);
  console.log(`fuzz: ${fixed.length} hostile files checked, ${failed} failures`);
  const all = seeds();
  const random = rng(seed);
  const end = performance.now() + seconds * 1000;
  let k = 0;
  for (; performance.now() < end; k++) {
    const s = all[k % all.length];
    await check(mutate(s, s.readers[Math.floor(random() * s.readers.length)], random, k));
  }
  console.log(`fuzz: ${k} mutants of ${all.length} seeds in ${seconds} s (seed ${seed}), ${failed} failures in all`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof UsageError ? e.message : e);
    process.exit(2);
  },
);
