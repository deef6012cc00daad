// predictions.png of a fine-tuning run shows the model it says it shows: the best checkpoint,
// restored before drawing. The shown images are re-classified here, one by one, by a fresh model
// loaded from model.safetensors: every caption matches, and the grid's count of right answers is
// that model's accuracy (in proportion) on those images; the title names the epoch.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as sg from '../src/index.js';
import { pickShown } from '../src/train/prediction_grid.js';
import { rng } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sg-grid-'));
const data = join(root, 'data');
const CLASSES = ['blue', 'green', 'red'];

/** 11 PNGs per class, each dominated by its colour channel, some only faintly (so some are missed). */
function makeFolder(): void {
  const next = rng(11);
  CLASSES.forEach((name, k) => {
    mkdirSync(join(data, name), { recursive: true });
    for (let i = 0; i < 11; i++) {
      const png = new PNG({ width: 20 + Math.floor(next() * 16), height: 20 + Math.floor(next() * 16) });
      const strength = 40 + 15 * i;
      for (let p = 0; p < png.width * png.height; p++) {
        for (let c = 0; c < 3; c++) png.data[p * 4 + c] = (c === 2 - k ? strength : 0) + next() * 120;
        png.data[p * 4 + 3] = 255;
      }
      writeFileSync(join(data, name, `${i}.png`), PNG.sync.write(png));
    }
  });
}

beforeAll(async () => {
  await sg.init();
  makeFolder();
});

describe('which images the grid shows', () => {
  const ev = (preds: number[], targets: number[]) => ({
    loss: 0,
    accuracy: preds.filter((p, i) => p === targets[i]).length / preds.length,
    preds,
    targets,
    indices: preds.map((_, i) => i),
  });

  it('right and wrong in the proportion of the whole set, spread over it, in order', () => {
    // 100 samples, the first 30 wrong: 24 shown, 17 right (round(24 * 0.7) = 16.8).
    const targets = new Array(100).fill(0);
    const preds = targets.map((_, i) => (i < 30 ? 1 : 0));
    const picks = pickShown(ev(preds, targets), 24);
    expect(picks.length).toBe(24);
    expect(picks.filter((k) => preds[k] === 0).length).toBe(17);
    expect([...picks].sort((a, b) => a - b)).toEqual(picks);
    expect(new Set(picks).size).toBe(24);
    expect(picks[0]).toBe(0);
    expect(picks.some((k) => k > 90)).toBe(true);
  });

  it('all of a small set; all right or all wrong when the model is', () => {
    expect(pickShown(ev([0, 1, 1], [0, 0, 1]), 24)).toEqual([0, 1, 2]);
    const right = pickShown(ev(new Array(40).fill(2), new Array(40).fill(2)), 24);
    expect(right.length).toBe(24);
    const wrong = pickShown(ev(new Array(40).fill(1), new Array(40).fill(2)), 24);
    expect(wrong.length).toBe(24);
  });
});

describe('predictions.png of sg.train.finetune', () => {
  it('comes from the best checkpoint: a fresh copy of it classifies every shown image as captioned', async () => {
    const out = join(root, 'run');
    const logs: string[] = [];
    const r = await sg.train.finetune({
      data,
      val: data,
      model: 'cifar_resnet20',
      epochs: 3,
      headEpochs: 0,
      freeze: 'none',
      batchSize: 11,
      headLr: 3e-3,
      optimizer: 'adam',
      out,
      numWorkers: 0,
      log: (l) => logs.push(l),
      stream: { write: () => true, isTTY: false },
    });
    sg.models.disposeModel(r.model);
    const shown = r.shown!;
    expect(shown.length).toBe(24);
    const n = 33;
    const right = shown.filter((s) => s.pred === s.target).length;
    expect(right).toBe(Math.min(shown.length, Math.round(24 * r.bestAcc)));
    expect(logs).toContain(
      `predictions.png: 24 of ${n} validation images as the best checkpoint (epoch ${r.bestEpoch}, ${(100 * r.bestAcc).toFixed(1)}% right) classifies them, ${right} right`,
    );

    // An independent check: the best checkpoint from disk, in a new model, one image at a time.
    const model = await sg.train.loadModel('cifar_resnet20', join(out, 'model.safetensors'), CLASSES.length);
    const folder = new sg.data.ImageFolder(data, { transform: sg.train.imageTransform(32, false) });
    for (const s of shown) {
      const [x, target] = folder.get(s.index) as [sg.data.HostTensor, number];
      expect(folder.samples[s.index][0]).toBe(s.file);
      expect(CLASSES[target]).toBe(s.target);
      const probs = await sg.train.classify(model, x);
      expect(CLASSES[sg.train.topK(probs, 1)[0]], s.file).toBe(s.pred);
    }
    sg.models.disposeModel(model);

    const csv = readFileSync(join(out, 'predictions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('index,file,target,pred,correct');
    expect(csv.length).toBe(25);
    expect(csv.filter((l) => l.endsWith(',true')).length).toBe(right);
    const png = PNG.sync.read(readFileSync(join(out, 'predictions.png')));
    expect(png.width).toBeGreaterThan(600);
  });
});
