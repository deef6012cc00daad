/**
 * `npm run soak`: a long training run that never reads a value back (the case that once grew
 * host memory by ~250 KB a step and crashed the driver after a few thousand steps), checking that
 * host memory (RSS), GPU memory (`sg.memory()`) and the work in flight (`sg.pendingBatches()`)
 * stay flat. Then, when the repository has it, the readers' fuzzer (tools/fuzz.ts).
 *
 *   npm run soak                      10,000 steps of a small CNN, then the fuzzer
 *   SOAK_STEPS=1500 npm run soak      the short form CI runs
 *
 * Exits 1 when something grew: RSS by more than SOAK_RSS_MB (default 48) between the first
 * report (after warm-up) and the last, GPU memory at all, or more than 2 batches in flight.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as sg from '../src/index.js';

const steps = Number(process.env.SOAK_STEPS ?? 10_000);
const every = Math.max(1, Math.min(1000, Math.floor(steps / 5)));
const rssBudget = Number(process.env.SOAK_RSS_MB ?? 48) * 2 ** 20;

/** A small CNN on 16x16 inputs, the README's shape, narrower (the point is the number of steps, not their size). */
function model(): sg.nn.Module {
  const { nn } = sg;
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(8 * 4 * 4, 10),
  );
}

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function soak(): Promise<string[]> {
  await sg.init();
  const net = model();
  const opt = new sg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const x = sg.randn([16, 1, 16, 16]);
  const y = sg.tensor(
    Array.from({ length: 16 }, (_, i) => i % 10),
    { dtype: 'int32' },
  );
  const failures: string[] = [];
  let first: { rss: number; memory: sg.MemoryInfo } | null = null;
  let maxPending = 0;
  const start = performance.now();
  for (let step = 1; step <= steps; step++) {
    sg.tidy(() => {
      const loss = sg.crossEntropy(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    await sg.throttle();
    maxPending = Math.max(maxPending, sg.pendingBatches());
    if (step % every === 0) {
      gc(); // so that RSS shows what is held, not garbage not yet collected
      const rss = process.memoryUsage().rss;
      const memory = sg.memory();
      const ms = (performance.now() - start) / step;
      console.log(
        `step ${String(step).padStart(6)}: rss ${mb(rss)} MiB, GPU ${mb(memory.bytesInUse)} MiB in ` +
          `${memory.liveTensors} tensors (+${mb(memory.pooledBytes)} MiB pooled), in flight <= ${maxPending}, ${ms.toFixed(1)} ms/step`,
      );
      if (!first) first = { rss, memory };
      else {
        if (rss - first.rss > rssBudget)
          failures.push(`host memory grew by ${mb(rss - first.rss)} MiB (budget ${mb(rssBudget)}) by step ${step}`);
        if (memory.liveTensors !== first.memory.liveTensors || memory.bytesInUse !== first.memory.bytesInUse)
          failures.push(
            `GPU memory changed by step ${step}: ${JSON.stringify(first.memory)} -> ${JSON.stringify(memory)}`,
          );
      }
    }
  }
  if (maxPending > 2) failures.push(`${maxPending} batches were in flight (bound: 2)`);
  // The loss must still be a number: the run trained, it did not just record.
  const last = sg.tidy(() => sg.crossEntropy(net.forward(x), y));
  const loss = await last.item();
  last.dispose();
  console.log(`final loss ${loss.toFixed(4)}`);
  if (!Number.isFinite(loss)) failures.push(`the final loss is ${loss}`);
  opt.dispose();
  net.dispose();
  x.dispose();
  y.dispose();
  await sg.shutdown();
  return failures;
}

const failures = [...new Set(await soak())];
if (existsSync('tools/fuzz.ts')) {
  console.log('\n== tools/fuzz.ts');
  const r = spawnSync(process.execPath, ['tools/run.mjs', 'tools/fuzz.ts'], { stdio: 'inherit' });
  if (r.status !== 0) failures.push(`tools/fuzz.ts exited with ${r.status ?? r.signal}`);
}
for (const f of failures) console.error(`soak: FAILED: ${f}`);
if (!failures.length) console.log(`soak: ${steps} steps without readback, memory flat`);
process.exitCode = failures.length ? 1 : 0;
