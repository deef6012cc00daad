/**
 * One cold start, for bench/warmup.ts (a fresh process each: the pipeline cache is per
 * process). Prints one JSON line: the first forward's milliseconds (cold: compiling its
 * pipelines as it goes; or after `sg.warmup`), the warm-up's, and the median of later ones.
 *
 *   node tools/run.mjs bench/warmup_child.ts cold|warmup MODEL BATCH SIZE
 */
import * as sg from '../src/index.js';
import { median } from './timing.js';

const [mode, name, batch, size] = process.argv.slice(2);
await sg.init();
const model = (await sg.models.get(name)).eval();
const shape = [Number(batch), 3, Number(size), Number(size)];
const x = sg.rand(shape);
await sg.synchronize();

async function forwardMs(): Promise<number> {
  const start = performance.now();
  sg.tidy(() => void sg.noGrad(() => model.forward(x)));
  await sg.synchronize();
  return performance.now() - start;
}

const warm = mode === 'warmup' ? await sg.warmup(model, shape) : null;
const firstMs = await forwardMs();
const later = [await forwardMs(), await forwardMs(), await forwardMs()];
console.log(
  JSON.stringify({ mode, firstMs, warmupMs: warm?.ms ?? 0, pipelines: warm?.pipelines, warmMs: median(later) }),
);
await sg.shutdown();
