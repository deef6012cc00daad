// sg.data.ImageFiles (an ImageFolder held in memory, as the browser studio has it) against
// ImageFolder on the shipped ants/bees sample, and sg.train.finetune from files in memory with
// keepBest (what the studio runs): the same split, rows and best weights as from the folder.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as sg from '../src/index.js';

const ROOT = 'examples/data/hymenoptera';
const quiet = { log: () => {}, stream: { write: () => true, isTTY: false }, numWorkers: 0 };

function filesUnder(dir: string): sg.data.ImageFile[] {
  const out: sg.data.ImageFile[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else out.push({ path: relative(dir, p), bytes: new Uint8Array(readFileSync(p)) });
    }
  };
  visit(dir);
  return out.reverse(); // any order in, ImageFolder's order out
}

describe('sg.data.ImageFiles', () => {
  beforeAll(async () => {
    await sg.init();
  });

  it("has ImageFolder's classes, sample order and targets", () => {
    for (const split of ['train', 'val']) {
      const folder = new sg.data.ImageFolder(join(ROOT, split));
      const files = new sg.data.ImageFiles(filesUnder(join(ROOT, split)));
      expect(files.classes).toEqual(folder.classes);
      expect(files.classToIdx).toEqual(folder.classToIdx);
      expect(files.samples.map(([p, t]) => [p, t])).toEqual(
        folder.samples.map(([p, t]) => [relative(join(ROOT, split), p), t]),
      );
      expect(files.targets).toEqual(folder.targets);
      const k = Math.floor(files.length / 3);
      expect(files.loadImage(k)).toEqual(folder.loadImage(k));
    }
  });

  it('sorts nested folders as os.walk does, skips invalid files when asked, and names problems', () => {
    const jpeg = new Uint8Array(readFileSync(join(ROOT, 'train/ants', readdirSync(join(ROOT, 'train/ants'))[0])));
    const files = [
      { path: 'b/z.jpg', bytes: jpeg },
      { path: 'b/sub/a.jpg', bytes: jpeg },
      { path: 'a/y.jpg', bytes: jpeg },
      { path: 'a/.hidden.jpg', bytes: jpeg },
      { path: 'a/notes.txt', bytes: new TextEncoder().encode('hello') },
      { path: 'top.jpg', bytes: jpeg },
    ];
    expect(() => new sg.data.ImageFiles(files)).toThrow(/ImageFiles: 1 file .*a\/notes\.txt: not a JPEG or PNG/);
    const ds = new sg.data.ImageFiles(files, { skipInvalid: true });
    expect(ds.classes).toEqual(['a', 'b']);
    expect(ds.samples).toEqual([
      ['a/y.jpg', 0],
      ['b/z.jpg', 1],
      ['b/sub/a.jpg', 1],
    ]);
    expect(ds.skippedFiles).toEqual(['a/notes.txt']);
    // onBadImage 'skip', as finetune passes it for in-memory files, does the same.
    expect(new sg.data.ImageFiles(files, { onBadImage: 'skip' }).skippedFiles).toEqual(['a/notes.txt']);
    expect(() => new sg.data.ImageFiles([{ path: 'a/y.jpg', bytes: jpeg }], { minClasses: 2 })).toThrow(
      /ImageFiles: 1 files has 1 class folder \(a\); at least 2 are needed/,
    );
    expect(() => new sg.data.ImageFiles([])).toThrow(/couldn't find any class folder/);
  });

  it('gives folderSplit the same split from files as from the folder', () => {
    const a = sg.train.folderSplit(join(ROOT, 'train'), undefined, 0.25, 32, 5);
    const b = sg.train.folderSplit(filesUnder(join(ROOT, 'train')), undefined, 0.25, 32, 5);
    expect(b.classes).toEqual(a.classes);
    expect([b.train.length, b.val.length]).toEqual([a.train.length, a.val.length]);
    for (const k of [0, 7, b.val.length - 1]) {
      expect(b.val.get(k)).toEqual(a.val.get(k));
      expect(b.image(k)).toEqual(a.image(k));
    }
  });

  it('finetunes from files in memory, and keepBest leaves the best weights in the model', async () => {
    // 12 images per class and split keep it short.
    const pick = (split: string) => {
      const all = filesUnder(join(ROOT, split)).reverse();
      return ['ants', 'bees'].flatMap((c) => all.filter((f) => f.path.startsWith(`${c}/`)).slice(0, 12));
    };
    const train = pick('train'),
      val = pick('val');
    const common = {
      ...quiet,
      model: 'cifar_resnet20',
      weights: 'examples/weights/resnet20-12fca82f.th',
      epochs: 2,
      headEpochs: 1,
      batchSize: 8,
      optimizer: 'adam' as const,
      headLr: 1e-2,
    };
    const live = sg.memory().liveTensors;
    const r = await sg.train.finetune({ ...common, data: train, val, keepBest: true });
    expect(r.classes).toEqual(['ants', 'bees']);
    expect(r.rows.map((x) => x.phase)).toEqual([1, 2]);
    expect(r.evaluation?.preds.length).toBe(24);
    expect(r.confusion!.flat().reduce((s, v) => s + v, 0)).toBe(24);
    // The model holds the best epoch's weights: its accuracy is the best row's.
    const best = r.rows.find((x) => x.epoch === r.bestEpoch)!;
    expect(r.evaluation!.accuracy).toBeCloseTo(best.valAcc, 6);
    expect(r.valImage(r.evaluation!.indices[0]).channels).toBe(3);
    sg.models.disposeModel(r.model);
    expect(sg.memory().liveTensors).toBe(live);
  }, 300_000);
});
