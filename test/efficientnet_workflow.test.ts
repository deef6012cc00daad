// The tutorial's workflow with efficientnet_b0, at a tiny size: freeze the features, replace
// classifier[1], train the head (only it changes), unfreeze and fine-tune with two parameter
// groups (everything changes), predict; then `shadergrad finetune --model efficientnet_b0` on a
// few of the shipped ants-and-bees photos, and the head each new family's fine-tuning replaces.
import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { finetuneOptions } from '../tools/cli/finetune.js';

const { models, nn } = sg;
const { finetune, headPath, replaceHead } = sg.train;
const root = mkdtempSync(join(tmpdir(), 'sg-effnet-'));
const quiet = { log: () => {}, stream: { write: () => true, isTTY: false }, numWorkers: 0 };

/** Copies the first `count` shipped photos of each class (examples/data/hymenoptera/<split>). */
function hymenoptera(split: string, count: number): string {
  const dir = join(root, split);
  for (const cls of ['ants', 'bees']) {
    const from = join(__dirname, '..', 'examples', 'data', 'hymenoptera', split, cls);
    mkdirSync(join(dir, cls), { recursive: true });
    for (const f of readdirSync(from).sort().slice(0, count)) cpSync(join(from, f), join(dir, cls, f));
  }
  return dir;
}

const snapshot = async (ps: sg.nn.Parameter[]) => Promise.all(ps.map(async (p) => Array.from(await p.data())));
const changed = (a: number[][], b: number[][]) => a.map((v, i) => v.some((x, j) => x !== b[i][j]));
/** Frees an optimizer's moment tensors (optimizers have no dispose: loading an empty state drops them). */
function clearState(opt: sg.optim.Adam): void {
  opt.loadStateDict({
    state: opt.paramGroups.flatMap((g) => g.params.map(() => null)),
    groups: opt.paramGroups.map((g) => ({ ...g.options })),
  });
}

beforeAll(async () => {
  await sg.init();
});

describe("the tutorial's efficientnet_b0 workflow", () => {
  it('frozen features, a new head, head training, unfreezing, fine-tuning, predicting', async () => {
    const before = sg.memory().liveTensors;
    sg.manualSeed(0);
    const model = models.efficientnet_b0();
    const x = sg.tidy(() => sg.rand([4, 3, 32, 32]).mul(2).sub(1));
    const y = sg.tensor(Int32Array.from([0, 1, 1, 0]));
    try {
      model.features.requiresGrad_(false);
      for (const p of model.classifier[1].parameters()) p.dispose();
      model.classifier[1] = new nn.Linear(1280, 2);
      const features = model.features.parameters();
      const head = model.classifier.parameters();
      expect(head.map((p) => p.shape)).toEqual([[2, 1280], [2]]);
      expect(features.every((p) => !p.requiresGrad) && head.every((p) => p.requiresGrad)).toBe(true);
      const step = async (optimizer: sg.optim.Adam) =>
        sg.tidy(() => {
          const loss = sg.crossEntropy(model.forward(x), y);
          optimizer.zeroGrad();
          loss.backward();
          optimizer.step();
          return loss;
        });
      // Head training: the loss on this batch falls and only the head moves.
      model.train();
      const f0 = await snapshot(features);
      const h0 = await snapshot(head);
      const headOpt = new sg.optim.Adam(head, { lr: 1e-2 });
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const loss = await step(headOpt);
        losses.push(await loss.item());
        loss.dispose();
      }
      expect(losses[3]).toBeLessThan(losses[0]);
      expect(changed(await snapshot(features), f0).some(Boolean)).toBe(false);
      expect(changed(await snapshot(head), h0).every(Boolean)).toBe(true);
      expect(features.every((p) => p.grad === null)).toBe(true);
      clearState(headOpt);
      // Unfreezing and fine-tuning with two parameter groups: the features move too.
      model.requiresGrad_(true);
      const f1 = await snapshot(features);
      const fineOpt = new sg.optim.Adam([
        { params: head, lr: 1e-3 },
        { params: features, lr: 1e-4 },
      ]);
      (await step(fineOpt)).dispose();
      clearState(fineOpt);
      expect(changed(await snapshot(features), f1).filter(Boolean).length).toBeGreaterThan(features.length / 2);
      // Predicting: eval mode, probabilities over the two classes.
      model.eval();
      const probs = sg.noGrad(() => sg.tidy(() => sg.softmax(model.forward(x), 1)));
      const p = Array.from(await probs.data());
      probs.dispose();
      expect(p).toHaveLength(8);
      for (let i = 0; i < 4; i++) expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 5);
      model.zeroGrad();
    } finally {
      x.dispose();
      y.dispose();
      models.disposeModel(model);
    }
    expect(sg.memory().liveTensors).toBe(before);
  });

  it('shadergrad finetune --model efficientnet_b0 on shipped ants and bees photos (tiny: 32 px, 2 epochs)', async () => {
    const options = finetuneOptions([
      '--data',
      hymenoptera('train', 4),
      '--val',
      hymenoptera('val', 2),
      '--model',
      'efficientnet_b0',
      '--image-size',
      '32',
      '--epochs',
      '2',
      '--head-epochs',
      '1',
      '--batch-size',
      '4',
      '--optimizer',
      'adam',
      '--out',
      join(root, 'run'),
    ])!;
    const r = await finetune({ ...options, ...quiet });
    try {
      expect(r.classes).toEqual(['ants', 'bees']);
      expect(r.rows.map((row) => row.phase)).toEqual([1, 2]);
      expect(r.rows.every((row) => Number.isFinite(row.trainLoss))).toBe(true);
      expect(r.model.stateDict().get('classifier.1.weight')!.shape).toEqual([2, 1280]);
      expect(existsSync(join(root, 'run', 'model.safetensors'))).toBe(true);
    } finally {
      models.disposeModel(r.model);
    }
  });

  it('fine-tuning replaces classifier[1] (EfficientNet, MobileNet V2), classifier[3] (MobileNet V3), classifier[2] (ConvNeXt), heads.head (ViT)', () => {
    expect(
      ['efficientnet_b0', 'efficientnet_v2_s', 'mobilenet_v2', 'mobilenet_v3_small', 'convnext_tiny', 'vit_b_16'].map(
        headPath,
      ),
    ).toEqual(['classifier.1', 'classifier.1', 'classifier.1', 'classifier.3', 'classifier.2', 'heads.head']);
    const model = models.mobilenet_v3_small();
    try {
      const head = replaceHead(model, 'mobilenet_v3_small', 5) as sg.nn.Linear;
      expect(model.classifier[3]).toBe(head);
      expect([head.inFeatures, head.outFeatures]).toEqual([1024, 5]);
    } finally {
      models.disposeModel(model);
    }
  });
});
