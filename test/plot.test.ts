// The PNG plots (src/plot/, sg.plot): the font, the raster, and the three figures, decoded with pngjs and
// checked at pixels whose colour the data determines.
import { describe, it, expect } from 'vitest';
import { PNG } from 'pngjs';
import { Canvas } from '../src/plot/canvas.js';
import { ADVANCE, fitText, glyph, textWidth } from '../src/plot/font.js';
import { niceTicks, tickLabel } from '../src/plot/axes.js';
import { TRAIN, VAL, curvesPng } from '../src/plot/curves.js';
import { blues, confusionCsv, confusionPng, textColorOn } from '../src/plot/confusion.js';
import { CORRECT, WRONG, predictionGridPng } from '../src/plot/grid.js';

type Px = [number, number, number, number];
const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
const at = (png: PNG, x: number, y: number): Px => {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
};
const near = (p: ArrayLike<number>, c: ArrayLike<number>, tol = 40) =>
  [0, 1, 2].every((k) => Math.abs(p[k] - c[k]) <= tol);
/** Pixels in a box that are not (near) white. */
function inked(png: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (!near(at(png, x, y), [255, 255, 255], 30)) n++;
  return n;
}

describe('font', () => {
  it('has a distinct glyph for every printable ASCII character', () => {
    const seen = new Set<string>();
    for (let c = 33; c <= 126; c++) {
      const g = glyph(String.fromCharCode(c));
      expect(g.length).toBe(8);
      expect(g.flat().some(Boolean)).toBe(true);
      seen.add(JSON.stringify(g));
    }
    expect(seen.size).toBe(94);
    expect(glyph(' ').flat().some(Boolean)).toBe(false);
    expect(glyph('\u00e9')).toEqual(glyph('?'));
  });

  it('measures and shortens text', () => {
    expect(textWidth('abc')).toBe(3 * ADVANCE - 1);
    expect(textWidth('abc', 2)).toBe(2 * (3 * ADVANCE - 1));
    expect(fitText('sunflowers', 40)).toBe('sunf..');
    expect(textWidth(fitText('sunflowers', 40))).toBeLessThanOrEqual(40);
    expect(fitText('ants', 40)).toBe('ants');
  });
});

describe('canvas', () => {
  it('draws text pixel for pixel, at integer scales and rotated', () => {
    const c = new Canvas(40, 40);
    c.text(2, 3, 'T', [0, 0, 0], { scale: 2 });
    // 'T': a full top row of 5 font pixels, then the middle column.
    for (let x = 2; x < 12; x++) expect(c.pixel(x, 3)).toEqual([0, 0, 0, 255]);
    expect(c.pixel(6, 10)).toEqual([0, 0, 0, 255]);
    expect(c.pixel(2, 10)).toEqual([255, 255, 255, 255]);
    const v = new Canvas(20, 20);
    v.text(5, 15, 'T', [0, 0, 0], { vertical: true }); // reads upwards: the bar of the T is the left column
    for (let y = 10; y < 15; y++) expect(v.pixel(5, y)[0]).toBe(0);
    expect(v.pixel(6, 12)[0]).toBe(0);
    expect(v.pixel(6, 10)[0]).toBe(255);
  });

  it('anti-aliases lines by coverage and encodes a PNG', () => {
    const c = new Canvas(20, 10);
    c.line(0, 5, 20, 5, [0, 0, 0], 2); // covers rows 4 and 5 fully, 3 and 6 not at all
    expect(c.pixel(10, 4)).toEqual([0, 0, 0, 255]);
    expect(c.pixel(10, 5)).toEqual([0, 0, 0, 255]);
    expect(c.pixel(10, 3)).toEqual([255, 255, 255, 255]);
    c.line(0, 1.75, 20, 1.75, [0, 0, 0], 1); // centre 1.5 is 0.25 away: coverage 0.75
    expect(c.pixel(10, 1)[0]).toBe(Math.round(255 * 0.25));
    const png = decode(c.toPng());
    expect([png.width, png.height]).toEqual([20, 10]);
    expect(at(png, 10, 4)).toEqual([0, 0, 0, 255]);
  });

  it('scales images with a box filter', () => {
    const img = { data: new Uint8Array([0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]), height: 2, width: 2 };
    const c = new Canvas(3, 3);
    c.image(img, 1, 1, 1, 1); // 2x2 -> 1x1: the mean of two black and two white pixels
    expect(c.pixel(1, 1).slice(0, 3)).toEqual([128, 128, 128]);
    expect(() => c.image({ data: new Uint8Array(5), height: 2, width: 2 }, 0, 0, 1, 1)).toThrow(/5 bytes for 2x2x3/);
  });
});

describe('axes', () => {
  it('chooses ticks of 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 2, 5).ticks).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(0.26, 1.9, 5).ticks).toEqual([0, 0.5, 1, 1.5, 2]); // raw step 0.33 -> 0.5
    expect(niceTicks(0.26, 1.9, 9).ticks).toEqual([0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2]);
    expect(niceTicks(1, 8, 7).ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(tickLabel(0.5, 0.5)).toBe('0.5');
    expect(tickLabel(20, 20)).toBe('20');
  });
});

describe('curvesPng', () => {
  const epochs = [1, 2, 3, 4, 5];
  const png = decode(
    curvesPng({
      epochs,
      trainLoss: [2, 1.5, 1, 0.5, 0],
      valLoss: [2, 2, 2, 2, 2],
      trainAcc: [0.5, 0.6, 0.7, 0.8, 0.9],
      valAcc: [NaN, 0.5, 0.5, 0.5, 0.5],
      phases: [1, 1, 2, 2, 2],
    }),
  );

  it('has two panels whose curves pass through the data', () => {
    expect([png.width, png.height]).toEqual([1040, 440]);
    // Loss panel: box (80, 80, 410, 290), x 1..5, y 0..2 (nice ticks): train ends at loss 0.
    const px = (e: number) => Math.round(80 + ((e - 1) / 4) * 410);
    const py = (l: number) => Math.round(80 + 290 - (l / 2) * 290);
    expect(near(at(png, px(3), py(1)), TRAIN)).toBe(true);
    expect(near(at(png, px(5) - 1, py(0) - 1), TRAIN)).toBe(true);
    expect(near(at(png, px(4), py(2)), VAL)).toBe(true);
    // Accuracy panel: box (600, 80, 410, 290), y 50..100 %: train at 70% in epoch 3.
    const ay = (a: number) => Math.round(80 + 290 - ((a - 50) / 50) * 290);
    expect(near(at(png, 600 + 205, ay(70)), TRAIN)).toBe(true);
    expect(near(at(png, 600 + 307, ay(50)), VAL)).toBe(true);
  });

  it('draws the title, a legend and the phase marker', () => {
    expect(inked(png, 420, 10, 620, 30)).toBeGreaterThan(100); // 'Training curves' at scale 2
    expect(inked(png, 420, 0, 620, 8)).toBe(0);
    // The dashed marker halfway between epochs 2 and 3 of the loss panel, with its label.
    const x = Math.round(80 + (1.5 / 4) * 410);
    let dark = 0;
    for (let y = 90; y < 360; y++) if (near(at(png, x, y), [110, 110, 110], 60)) dark++;
    expect(dark).toBeGreaterThan(100);
    expect(dark).toBeLessThan(250);
    expect(inked(png, x + 4, 84, x + 60, 92)).toBeGreaterThan(20); // 'phase 2'
  });

  it('rejects mismatched lengths', () => {
    expect(() =>
      curvesPng({ epochs: [1, 2], trainLoss: [1], valLoss: [1, 2], trainAcc: [1, 1], valAcc: [1, 1] }),
    ).toThrow('curvesPng: trainLoss has 1 values for 2 epochs');
  });
});

describe('confusion', () => {
  const m = [
    [5, 1, 0],
    [2, 3, 0],
    [0, 4, 9],
  ];
  const classes = ['ants', 'bees', 'wasps'];

  it('colours cells by count with readable text', () => {
    const png = decode(confusionPng(m, classes));
    expect(textColorOn(blues(1))).toEqual([255, 255, 255]);
    expect(textColorOn(blues(0))).toEqual([20, 20, 20]);
    // Find the grid: the darkest cell is [2][2] (count 9), the lightest ones are 0.
    let darkest: [number, number] = [0, 0],
      best = 999;
    for (let y = 0; y < png.height; y++)
      for (let x = 0; x < png.width - 100; x++) {
        const p = at(png, x, y);
        if (near(p, blues(1), 2) && p[0] + p[1] + p[2] < best) {
          best = p[0] + p[1] + p[2];
          darkest = [x, y];
        }
      }
    expect(best).toBeLessThan(999);
    // The count 9 in white near the darkest cell, the title inked.
    const [dx, dy] = darkest;
    let white = 0;
    for (let y = dy - 40; y < dy + 40; y++)
      for (let x = dx - 40; x < dx + 40; x++) {
        if (x >= 0 && y >= 0 && x < png.width && y < png.height && near(at(png, x, y), [255, 255, 255], 5)) white++;
      }
    expect(white).toBeGreaterThan(5);
    expect(inked(png, 0, 10, png.width, 32)).toBeGreaterThan(200);
    expect(() => confusionPng([[1]], classes)).toThrow('confusionPng: matrix must be 3x3 for 3 classes, got 1x1');
  });

  it('writes CSV with quoted names', () => {
    expect(confusionCsv(m, classes)).toBe('true\\predicted,ants,bees,wasps\nants,5,1,0\nbees,2,3,0\nwasps,0,4,9\n');
    expect(
      confusionCsv(
        [
          [1, 0],
          [0, 1],
        ],
        ['a,b', 'say "x"'],
      ),
    ).toBe('true\\predicted,"a,b","say ""x"""\n"a,b",1,0\n"say ""x""",0,1\n');
  });
});

describe('predictionGridPng', () => {
  it('frames right predictions green and wrong ones red, images fitted into cells', () => {
    const red = { data: new Uint8Array(30 * 60 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0)), height: 30, width: 60 };
    const grey = { data: new Uint8Array(200 * 100).fill(50), height: 200, width: 100, channels: 1 };
    const png = decode(
      predictionGridPng(
        [
          { image: red, pred: 'ants', target: 'ants' },
          { image: grey, pred: 'bees', target: 'ants' },
        ],
        { columns: 2 },
      ),
    );
    // Layout: cells 96 + 2*3 frame, 10 px padding, top 40, centred under the title.
    const left = Math.floor((png.width - 2 * 112 + 10) / 2);
    expect(near(at(png, left + 1, 41), CORRECT, 2)).toBe(true);
    expect(near(at(png, left + 112 + 1, 41), WRONG, 2)).toBe(true);
    // The 60x30 red image is 96x48, centred vertically: red in the middle, background above.
    expect(near(at(png, left + 3 + 48, 40 + 3 + 48), [255, 0, 0], 2)).toBe(true);
    expect(near(at(png, left + 3 + 48, 40 + 3 + 10), [235, 235, 235], 2)).toBe(true);
    // The grey 100x200 image is 48x96, centred horizontally.
    expect(near(at(png, left + 112 + 3 + 48, 40 + 3 + 10), [50, 50, 50], 2)).toBe(true);
    expect(near(at(png, left + 112 + 3 + 10, 40 + 3 + 48), [235, 235, 235], 2)).toBe(true);
    // Captions under the frames; the wrong prediction in red.
    expect(inked(png, left, 40 + 102, left + 100, 40 + 102 + 24)).toBeGreaterThan(40);
    let redText = 0;
    for (let y = 142; y < 152; y++)
      for (let x = left + 112; x < left + 212; x++) if (near(at(png, x, y), WRONG, 2)) redText++;
    expect(redText).toBeGreaterThan(10);
    expect(() => predictionGridPng([])).toThrow('predictionGridPng: no samples to draw');
  });
});
