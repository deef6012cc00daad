/**
 * The studio's training step in Node, for comparison with the page (tools/browser/web_e2e.mjs
 * --compare-node): the same `sg.train.finetune` call as `?demo=1` (ResNet-20 from the shipped
 * weights, ants/bees from files in memory, batch 32, data loaded in the main thread), timed the
 * same way: the median interval between batch events of the last epoch (phase 2: everything
 * trains), full batches only, not the epoch's first.
 *
 *   node tools/run.mjs bench/studio_step.ts [MATMUL CONV]     prints NODE_MS_PER_BATCH <ms>
 *
 * MATMUL and CONV force the kernel versions the page ran (a compatibility-mode adapter has no
 * subgroups, so its conv2d version differs from Node's), to compare like with like.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as sg from '../src/index.js';
import { median } from './timing.js';

function filesUnder(dir: string): sg.data.ImageFile[] {
  const out: sg.data.ImageFile[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (/\.jpe?g$/i.test(name)) out.push({ path: relative(dir, p), bytes: new Uint8Array(readFileSync(p)) });
    }
  };
  visit(dir);
  return out;
}

const sample = 'examples/data/hymenoptera';
const intervals: number[] = [];
let last = 0,
  lastEpoch = 0;
const info = await sg.init();
const [matmul, conv] = process.argv.slice(2);
if (matmul) sg.setMatmulVersion(matmul);
if (conv) sg.setConvVersion(conv as (typeof sg.CONV_VERSIONS)[number]);
const result = await sg.train.finetune({
  data: filesUnder(join(sample, 'train')),
  val: filesUnder(join(sample, 'val')),
  model: 'cifar_resnet20',
  weights: new Uint8Array(readFileSync('examples/weights/resnet20-12fca82f.th')),
  freeze: 'all-but-head',
  epochs: 2,
  headEpochs: 1,
  headLr: 1e-2,
  backboneLr: 1e-3,
  batchSize: 32,
  optimizer: 'adam',
  scheduler: 'cosine',
  imageSize: 32,
  numWorkers: 0,
  log: () => {},
  stream: { write: () => true },
  on: {
    batch: (e) => {
      const now = performance.now();
      if (e.epoch === 2 && e.epoch === lastEpoch && e.seen < e.samples) intervals.push(now - last);
      [last, lastEpoch] = [now, e.epoch];
    },
  },
});
sg.models.disposeModel(result.model);
console.log(
  `${info.adapterName}: ${intervals.length} batches timed; matmul ${sg.chosenMatmulVersion()}, conv2d ${sg.chosenConvVersion()}`,
);
console.log(`NODE_MS_PER_BATCH ${median(intervals).toFixed(1)}`);
await sg.shutdown();
