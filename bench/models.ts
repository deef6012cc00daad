/**
 * Model-zoo benchmarks: inference throughput (images/s, eval mode, no graph) at batch 1 and 16
 * on 224 x 224 inputs (32 x 32 for the CIFAR ResNets) and the peak GPU memory of each run
 * (weights + activations, `sg.memory().peakBytes`), then one transfer-learning training step
 * of VGG-16 with frozen features (forward, backward through the classifier, SGD) at batch 8.
 * Each figure: one warm-up, then the median of two timed runs, synchronised with the GPU.
 * Then the speed targets (bench/model_targets.ts): resnet18, efficientnet_b0, mobilenet_v2,
 * vit_b_32 at batch 8 and the matmul kernel, round-robin, and their ratios.
 *
 *   node tools/run.mjs bench/models.ts                        every model
 *   BENCH_MODELS=resnet18,squeezenet1_1 BENCH_BATCHES=1 node tools/run.mjs bench/models.ts
 *   BENCH_TRAIN=0 ...                                         skip the VGG-16 training step
 *   BENCH_TARGETS=0 ...                                       skip the speed targets
 */
import * as sg from '../src/index.js';
import { fixed, median, printTable } from './timing.js';
import { benchModelTargets } from './model_targets.js';

const RUNS = 2;
const MiB = 1024 * 1024;

/** Median seconds of `work` (run inside tidy) over RUNS timed runs after one warm-up. */
async function time(work: () => void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    await sg.synchronize();
    const start = performance.now();
    sg.tidy(work);
    await sg.synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** Throughput and peak memory of one model at each batch size. */
async function inference(name: string, batches: number[]): Promise<string[]> {
  const size = name.startsWith('cifar') ? 32 : 224;
  const model = (await sg.models.get(name)).eval();
  await sg.synchronize();
  const weights = sg.models.countParameters(model) * 4;
  const row = [name, `${size}`, fixed(weights / MiB, 0)];
  for (const batch of batches) {
    const x = sg.rand([batch, 3, size, size]);
    sg.resetPeakMemory();
    let seconds = NaN;
    try {
      seconds = await time(() => void sg.noGrad(() => model.forward(x)));
    } catch (e) {
      console.warn(`${name} at batch ${batch}: ${(e as Error).message.split('\n')[0]}`);
    }
    row.push(fixed(batch / seconds, 2), fixed(sg.memory().peakBytes / MiB, 0));
    x.dispose();
  }
  sg.models.disposeModel(model);
  sg.emptyCache();
  return row;
}

/** VGG-16, features frozen, a new 2-class head; SGD on the classifier (the transfer-learning tutorial). */
async function vggTrainingStep(batch = 8): Promise<void> {
  const model = sg.models.vgg16();
  model.features.requiresGrad_(false);
  const old = model.classifier[6];
  model.classifier[6] = new sg.nn.Linear(4096, 2);
  sg.models.disposeModel(old);
  const opt = new sg.optim.SGD(model.classifier.parameters(), { lr: 1e-3, momentum: 0.9 });
  const x = sg.rand([batch, 3, 224, 224]);
  const labels = sg.tensor(Int32Array.from({ length: batch }, (_, i) => i % 2));
  sg.resetPeakMemory();
  const seconds = await time(() => {
    const loss = sg.crossEntropy(model.forward(x), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
  printTable(
    `one training step of VGG-16 with frozen features (batch ${batch}, 224 x 224: forward, backward, SGD)`,
    ['ms per step', 'images/s', 'peak MiB'],
    [[fixed(seconds * 1000, 0), fixed(batch / seconds, 2), fixed(sg.memory().peakBytes / MiB, 0)]],
  );
  x.dispose();
  labels.dispose();
  sg.models.disposeModel(model);
  sg.emptyCache();
}

/**
 * Left out of the default run (BENCH_MODELS names them): one model per family is enough for a
 * table, and the larger EfficientNets, ConvNeXts and ViTs take many minutes each here.
 */
const SKIPPED_BY_DEFAULT =
  /^(cifar_resnet110|efficientnet_b[1-7]|efficientnet_v2_[ml]|convnext_(small|base|large)|vit_(b_16|l_16|l_32|h_14))$/;

/** Prints the inference table for every zoo model (or BENCH_MODELS) and the VGG-16 training step. */
export async function benchModels(): Promise<void> {
  const models = process.env.BENCH_MODELS
    ? process.env.BENCH_MODELS.split(',')
    : sg.models.names.filter((n) => !SKIPPED_BY_DEFAULT.test(n));
  const batches = process.env.BENCH_BATCHES ? process.env.BENCH_BATCHES.split(',').map(Number) : [1, 16];
  const rows: string[][] = [];
  for (const name of models) {
    rows.push(await inference(name, batches));
    console.log(`  ${rows.at(-1)!.join('  ')}`); // progress: the big models take minutes each
  }
  const header = ['model', 'input', 'weights MiB', ...batches.flatMap((b) => [`images/s @${b}`, `peak MiB @${b}`])];
  printTable('model zoo inference (eval mode, no graph; peak = weights + activations)', header, rows);
  if (process.env.BENCH_TARGETS !== '0') await benchModelTargets();
  if (process.env.BENCH_TRAIN !== '0') await vggTrainingStep();
}
