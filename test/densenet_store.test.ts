// DenseNet without quadratic copying: batch norm over a channel prefix read in place (against a
// float64 reference, checked by central differences), the dense block's feature store against
// torchvision's concatenation, checkpointing (`memoryEfficient`), a small DenseNet's training-mode
// gradients and running statistics against PyTorch 1.13 float64 (test/fixtures/zoo/densenet_train.json,
// tools/fixtures/make_densenet_fixtures.py), and the block's memory growing linearly in its layers.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { checkOp, expectClose, randomNd } from './helpers.js';
import { batchNormRef } from './ref/batchnorm.js';
import { setHashed, deterministicInput } from './ref/deterministic.js';

const { models } = sg;
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'zoo', 'densenet_train.json'), 'utf8'));
const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

beforeAll(async () => {
  await sg.init();
});

describe('batchNorm over a channel prefix, read in place', () => {
  const cases = [
    { shape: [3, 7, 5, 3], channels: 4 },
    { shape: [2, 13, 9, 11], channels: 13 },
    { shape: [5, 6, 1, 7], channels: 1 },
  ];
  for (const { shape, channels } of cases) {
    for (const training of [true, false]) {
      it(`x [${shape.join(', ')}], channels [0, ${channels}), ${training ? 'batch' : 'running'} statistics`, async () => {
        const seed = shape[1] * 31 + channels + (training ? 1 : 0);
        const running = training
          ? null
          : {
              mean: Array.from(randomNd([channels], seed + 1).data),
              variance: Array.from(randomNd([channels], seed + 2, 0.5, 2).data),
            };
        const eps = 1e-3;
        await checkOp(
          `batch_norm prefix ${channels} of [${shape}]`,
          [randomNd(shape, seed, -2, 2), randomNd([channels], seed + 3, 0.5, 1.5), randomNd([channels], seed + 4)],
          (x, w, b) => {
            const stats = running && {
              mean: sg.tensor(running.mean),
              variance: sg.tensor(running.variance),
              batchesTracked: null,
            };
            return sg.batchNorm(x, stats, w, b, { training, momentum: 0.1, eps, channels });
          },
          batchNormRef({ channels, eps, running }),
          { tol: { rtol: 1e-4, atol: 1e-5 }, gradTol: { rtol: 1e-4, atol: 1e-5 } },
        );
      });
    }
  }

  it('refuses a channel count outside [1, C] before any GPU work', () => {
    const x = sg.zeros([2, 3, 2, 2]);
    const run = (channels: number) => () =>
      sg.batchNorm(x, null, null, null, { training: true, momentum: 0.1, eps: 1e-5, channels });
    for (const channels of [0, 4])
      expect(run(channels)).toThrow(
        `batch_norm: channels must be an integer in [1, 3] for input [2, 3, 2, 2], got ${channels}`,
      );
    expect(run(1.5)).toThrow('batch_norm: channels must be an integer in [1, 3] for input [2, 3, 2, 2], got 1.5');
    x.dispose();
  });
});

/** The block's output and the gradients of the input and every parameter for loss = sum(out * r). */
async function blockRun(block: sg.nn.Module, x: sg.Tensor, r: sg.Tensor, concatenate: boolean) {
  const input = x.detach().requiresGrad_(true);
  const layers = [...block.children()] as InstanceType<typeof models._DenseLayer>[];
  let out: sg.Tensor;
  if (concatenate) {
    // torchvision's way: every layer concatenates all earlier features afresh.
    const features = [input];
    for (const layer of layers) features.push(layer.forward(features));
    out = sg.cat(features, 1);
  } else out = block.forward(input);
  const loss = out.mul(r).sum();
  loss.backward();
  const grads = [await input.grad!.data(), ...(await Promise.all(block.parameters().map((p) => p.grad!.data())))];
  const values = await out.data();
  block.zeroGrad();
  for (const t of [input, input.grad!, out, loss]) t.dispose();
  return { values, grads };
}

describe("the dense block's feature store", () => {
  it('gives the same output and gradients as concatenation, in training and eval mode, with and without checkpointing', async () => {
    sg.manualSeed(5);
    const x = sg.randn([2, 5, 7, 9]);
    const r = sg.randn([2, 5 + 4 * 3, 7, 9]);
    for (const training of [true, false]) {
      const plain = new models._DenseBlock(4, 5, 2, 3, 0);
      const efficient = new models._DenseBlock(4, 5, 2, 3, 0, true);
      setHashed(plain);
      setHashed(efficient);
      plain.train(training);
      efficient.train(training);
      const want = await blockRun(plain, x, r, true);
      for (const [block, what] of [
        [plain, 'store'],
        [efficient, 'checkpointed store'],
      ] as const) {
        const got = await blockRun(block, x, r, false);
        expectClose(got.values, want.values, `${what} output (training ${training})`, { rtol: 1e-5, atol: 1e-5 });
        got.grads.forEach((g, i) =>
          expectClose(g, want.grads[i], `${what} gradient ${i} (training ${training})`, {
            rtol: 1e-4,
            atol: 1e-4 * maxAbs(want.grads[i]),
          }),
        );
      }
      for (const m of [plain, efficient]) models.disposeModel(m);
    }
    x.dispose();
    r.dispose();
  });

  it('leaks nothing: forward and backward with a graph, and forward under noGrad', async () => {
    const block = new models._DenseBlock(3, 4, 2, 2, 0, true);
    const x = sg.randn([2, 4, 5, 5]);
    const before = sg.memory().liveTensors;
    const input = x.detach().requiresGrad_(true);
    sg.tidy(() => block.forward(input).sum().backward());
    input.grad!.dispose();
    input.dispose();
    sg.noGrad(() => block.forward(x)).dispose();
    block.zeroGrad();
    for (const p of block.parameters()) p.grad?.dispose();
    expect(sg.memory().liveTensors).toBe(before);
    models.disposeModel(block);
    x.dispose();
  });
});

describe('a small DenseNet in training mode against PyTorch float64', () => {
  for (const c of fixture.cases) {
    it(`memoryEfficient: ${c.memoryEfficient}: logits, loss, gradients, running statistics`, async () => {
      const { growthRate, blockConfig, numInitFeatures, bnSize, numClasses } = fixture.config;
      const model = new models.DenseNet(growthRate, blockConfig, numInitFeatures, bnSize, {
        numClasses,
        memoryEfficient: c.memoryEfficient,
      }).train();
      setHashed(model);
      const x = deterministicInput(fixture.input).requiresGrad_(true);
      const labels = sg.tensor(Int32Array.from(fixture.labels));
      const logits = model.forward(x);
      const loss = sg.crossEntropy(logits, labels);
      loss.backward();
      try {
        const tol = (want: number[]) => ({ rtol: 1e-3, atol: 1e-3 * maxAbs(want) });
        expectClose(await logits.data(), c.logits, 'logits', tol(c.logits));
        expectClose([await loss.item()], [c.loss], 'loss', { rtol: 1e-4 });
        const params = new Map(model.namedParameters());
        const sampled = [
          ...Object.entries(c.grads as Record<string, { index: number[]; values: number[] }>).map(
            ([name, want]) => [name, params.get(name)!.grad!, want] as const,
          ),
          ['input', x.grad!, c.inputGrad] as const,
        ];
        for (const [name, grad, want] of sampled) {
          const data = await grad.data();
          expectClose(
            want.index.map((i: number) => data[i]),
            want.values,
            `grad of ${name}`,
            tol(want.values),
          );
        }
        // Checkpointing runs norm1 twice in training mode, so its running statistics move twice (as PyTorch's).
        const state = model.stateDict();
        for (const [key, want] of Object.entries(c.stats as Record<string, number[]>))
          expectClose(Array.from(await state.get(key)!.data()), want, key, { rtol: 1e-4, atol: 1e-6 });
      } finally {
        for (const t of [x, x.grad!, labels, logits, loss]) t.dispose();
        models.disposeModel(model);
      }
    });
  }
});

describe("a dense block's memory grows linearly with its layers", () => {
  /** Bytes a block of `layers` layers holds after its forward (graph kept for backward), and its forward's peak under noGrad. */
  function measure(layers: number, memoryEfficient: boolean): { kept: number; peak: number } {
    const block = new models._DenseBlock(layers, 16, 4, 16, 0, memoryEfficient).train();
    const x = sg.randn([2, 16, 12, 12]);
    const start = sg.memory().bytesInUse;
    sg.resetPeakMemory();
    const out = sg.noGrad(() => block.forward(x));
    const peak = sg.memory().peakBytes - start;
    out.dispose();
    const input = x.detach().requiresGrad_(true);
    const y = block.forward(input);
    const kept = sg.memory().bytesInUse - start;
    for (const t of [y, input, x]) t.dispose();
    models.disposeModel(block);
    return { kept, peak };
  }

  it('forward under noGrad (each layer output copied once) and, with memoryEfficient, the activations kept for backward', () => {
    const [l4, l8, l16] = [4, 8, 16].map((layers) => measure(layers, true));
    const plain = [4, 8, 16].map((layers) => measure(layers, false));
    // The store is 16 + 16 L channels: doubling L from 8 to 16 doubles it (272 / 144 = 1.9); what
    // concatenation copies, sum over layers of 16 (i + 1), grows 3.8x.
    expect(l16.peak / l8.peak).toBeLessThan(2.1);
    expect(l8.peak / l4.peak).toBeLessThan(2.1);
    expect(l16.kept / l8.kept).toBeLessThan(2.1);
    expect(l8.kept / l4.kept).toBeLessThan(2.1);
    // Without checkpointing every layer keeps its normalised input (16 (i + 1) channels): quadratic.
    expect(plain[2].kept / plain[1].kept).toBeGreaterThan(2.5);
  });
});
