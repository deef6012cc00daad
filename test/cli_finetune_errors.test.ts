// finetune beyond the happy path: the tutorials' own scenario (an ImageNet architecture with a
// weight file, here AlexNet with random weights saved as the "pretrained" file, one short epoch
// at a small input size), and clear errors for an empty folder, a folder with one class, a
// corrupt JPEG and a weight file written for another model.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../src/index.js';
import { rng } from './helpers.js';

const { finetune } = sg.train;
const { encodeJpeg } = sg.data;

const root = mkdtempSync(join(tmpdir(), 'sg-finetune-'));
const quiet = { log: () => {}, stream: { write: () => true, isTTY: false }, numWorkers: 0 };

/** `count` JPEGs per class, each tinted by its class. */
function folder(name: string, classes: string[], count: number, size = 40): string {
  const next = rng(11);
  for (const [k, c] of classes.entries()) {
    mkdirSync(join(root, name, c), { recursive: true });
    for (let i = 0; i < count; i++) {
      const data = new Uint8Array(size * size * 3).map((_, j) => (j % 3 === k % 3 ? 160 : 0) + Math.floor(next() * 90));
      writeFileSync(join(root, name, c, `${i}.jpg`), encodeJpeg({ width: size, height: size, channels: 3, data }));
    }
  }
  return join(root, name);
}

beforeAll(async () => {
  await sg.init();
});

describe('finetune', () => {
  it('runs the tutorial scenario: alexnet from a weight file, features frozen, a new 2-class head', async () => {
    const data = folder('ants_bees', ['ants', 'bees'], 3, 72);
    const weights = join(root, 'alexnet-random.safetensors');
    sg.manualSeed(1);
    const m = await sg.models.get('alexnet');
    await sg.io.save(weights, m.stateDict());
    sg.models.disposeModel(m);
    const r = await finetune({
      ...quiet,
      data,
      val: data,
      model: 'alexnet',
      weights,
      freeze: 'features',
      epochs: 1,
      headEpochs: 1,
      batchSize: 3,
      imageSize: 64,
      out: join(root, 'alexnet-run'),
    });
    expect(r.classes).toEqual(['ants', 'bees']);
    expect(r.rows).toHaveLength(1);
    expect(Number.isFinite(r.rows[0].trainLoss)).toBe(true);
    expect(r.model.stateDict().get('classifier.6.weight')!.shape).toEqual([2, 4096]);
    expect(existsSync(join(root, 'alexnet-run', 'model.safetensors'))).toBe(true);
    sg.models.disposeModel(r.model);
  });

  it('refuses an empty folder, naming it', async () => {
    mkdirSync(join(root, 'empty'), { recursive: true });
    await expect(
      finetune({ ...quiet, data: join(root, 'empty'), model: 'cifar_resnet20', epochs: 1, out: join(root, 'o1') }),
    ).rejects.toThrow(/empty/);
  });

  it('refuses a folder with one class', async () => {
    const data = folder('one', ['ants'], 4);
    await expect(
      finetune({ ...quiet, data, model: 'cifar_resnet20', epochs: 1, out: join(root, 'o2') }),
    ).rejects.toThrow(/one class|2 classes|at least 2/);
  });

  it('names a corrupt JPEG', async () => {
    const data = folder('corrupt', ['ants', 'bees'], 3);
    const good = encodeJpeg({ width: 40, height: 40, channels: 3, data: new Uint8Array(40 * 40 * 3) });
    writeFileSync(join(data, 'bees', 'broken.jpg'), good.subarray(0, 200)); // a JPEG header, then nothing
    await expect(
      finetune({ ...quiet, data, val: data, model: 'cifar_resnet20', epochs: 1, batchSize: 2, out: join(root, 'o3') }),
    ).rejects.toThrow(/broken\.jpg/);
  });

  it('names the keys when the weight file is for another model', async () => {
    const data = folder('two', ['ants', 'bees'], 3);
    const weights = join(root, 'resnet20.safetensors');
    const m = await sg.models.get('cifar_resnet20');
    await sg.io.save(weights, m.stateDict());
    sg.models.disposeModel(m);
    await expect(
      finetune({ ...quiet, data, model: 'cifar_resnet32', weights, epochs: 1, out: join(root, 'o4') }),
    ).rejects.toThrow(/Missing key\(s\) in state_dict: "layer1\.3\./);
  });
});
