// Every reader against its valid seeds cut at many offsets and mutated at random (fixed seeds):
// each mutant loads or fails with an Error naming the file, within the harness's bounds. The
// short form runs in `npm test`; FUZZ_SECONDS=N runs random mutations for N more seconds, and
// `npm run fuzz -- --seconds N --seed S` runs the same generators outside vitest.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../../src/index.js';
import { run, judge, type Case } from './harness.js';
import { mutate, rng, seeds, truncations } from './mutate.js';

beforeAll(async () => {
  await sg.init();
});

/** Runs cases, collecting every broken rule as "case: why". */
async function failures(cases: Iterable<Case>): Promise<string[]> {
  const out: string[] = [];
  for (const c of cases) {
    const why = judge(c, await run(c));
    if (why) out.push(`${c.name} via ${c.reader}: ${why}`);
  }
  return out;
}

describe('fuzz: truncations and random mutations of valid files', () => {
  const all = seeds();

  it('the seeds themselves load', async () => {
    const clean = all.flatMap((s) => s.readers.map((reader): Case => ({ ...s, reader, expect: 'ok' })));
    expect(await failures(clean)).toEqual([]);
  });

  for (const seed of all) {
    it(`${seed.name}: cut at 48 offsets, for each of its readers`, async () => {
      const live = sg.memory().liveTensors;
      expect(await failures(seed.readers.flatMap((r) => truncations(seed, r, 48)))).toEqual([]);
      expect(sg.memory().liveTensors).toBe(live);
    });

    it(`${seed.name}: 60 random mutations (seed 1)`, async () => {
      const random = rng(1);
      const cases = Array.from({ length: 60 }, (_, k) =>
        mutate(seed, seed.readers[k % seed.readers.length], random, k),
      );
      expect(await failures(cases)).toEqual([]);
    });
  }

  const seconds = Number(process.env.FUZZ_SECONDS ?? 0);
  it.runIf(seconds > 0)(
    `random mutations for FUZZ_SECONDS=${seconds}`,
    { timeout: seconds * 1000 + 60_000 },
    async () => {
      const random = rng(Number(process.env.FUZZ_SEED ?? 7));
      const end = performance.now() + seconds * 1000;
      const found: string[] = [];
      for (let k = 0; performance.now() < end; k++) {
        const seed = all[k % all.length];
        found.push(...(await failures([mutate(seed, seed.readers[k % seed.readers.length], random, k)])));
      }
      expect(found).toEqual([]);
    },
  );
});
