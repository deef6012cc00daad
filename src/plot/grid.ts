/**
 * `predictionGridPng`: a grid of validation images, each scaled to fit a square cell (aspect
 * ratio kept, centred), framed green when the prediction is right and red when it is wrong, and
 * captioned "pred: X" / "true: Y" (the wrong prediction in red).
 */
import { Canvas, type RasterImage, hex } from './canvas.js';
import { INK } from './axes.js';
import { fitText, lineHeight, textWidth } from './font.js';
import { checkOptions } from '../args.js';

export const CORRECT = hex('#2ca02c');
export const WRONG = hex('#d62728');

/** One image of the grid with its predicted and true class names. */
export interface Prediction {
  /** Height x width x channels uint8 pixels (channels 3 by default, or 1 for grey). */
  image: RasterImage;
  pred: string;
  target: string;
}

/** Options of `predictionGridPng`. */
export interface GridOptions {
  /** Side of the square each image is fitted into (default 96). */
  cell?: number;
  /** Images per row (default: about square, at most 8). */
  columns?: number;
  /** Title; '(k/n correct)' is appended. */
  title?: string;
}

const FRAME = 3,
  PAD = 10,
  CAPTION = 2 * lineHeight() + 4;

/** PNG bytes of the captioned grid. */
export function predictionGridPng(samples: Prediction[], options: GridOptions = {}): Uint8Array {
  checkOptions('predictionGridPng', options, { cell: 'integer', columns: 'integer', title: 'string' });
  if (samples.length === 0) throw new Error('predictionGridPng: no samples to draw');
  const cell = options.cell ?? 96;
  const cols = options.columns ?? Math.min(8, Math.ceil(Math.sqrt(samples.length)));
  const rows = Math.ceil(samples.length / cols);
  const boxW = cell + 2 * FRAME,
    boxH = cell + 2 * FRAME + CAPTION;
  const top = 40;
  const correct = samples.filter((s) => s.pred === s.target).length;
  const title = `${options.title ?? 'Validation predictions'} (${correct}/${samples.length} correct)`;
  const width = Math.max(PAD + cols * (boxW + PAD), textWidth(title, 2) + 20);
  const canvas = new Canvas(width, top + rows * (boxH + PAD));
  canvas.text(width / 2, 12, title, INK, { scale: 2, align: 'center' });
  const left = Math.floor((width - cols * (boxW + PAD) + PAD) / 2);

  samples.forEach((s, k) => {
    const x = left + (k % cols) * (boxW + PAD),
      y = top + Math.floor(k / cols) * (boxH + PAD);
    const ok = s.pred === s.target;
    canvas.rect(x, y, boxW, cell + 2 * FRAME, ok ? CORRECT : WRONG);
    canvas.rect(x + FRAME, y + FRAME, cell, cell, [235, 235, 235]);
    // Fit the longer side to the cell; the shorter one keeps the aspect ratio.
    const { height: h, width: w } = s.image;
    const f = cell / Math.max(h, w);
    const dw = Math.max(1, Math.round(w * f)),
      dh = Math.max(1, Math.round(h * f));
    canvas.image(s.image, x + FRAME + Math.floor((cell - dw) / 2), y + FRAME + Math.floor((cell - dh) / 2), dw, dh);
    const ty = y + cell + 2 * FRAME + 4;
    canvas.text(x, ty, fitText(`pred: ${s.pred}`, boxW), ok ? INK : WRONG);
    canvas.text(x, ty + lineHeight(), fitText(`true: ${s.target}`, boxW), INK);
  });
  return canvas.toPng();
}
