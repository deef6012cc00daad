/**
 * predictions.png and predictions.csv of a fine-tuning run: validation images as one model (the
 * best checkpoint, restored before evaluating) classifies them. The images shown are right and
 * wrong in the proportion of the whole validation set, each group spread evenly over it, so the
 * grid's "(k/24 correct)" matches the accuracy it is drawn for; the title names the epoch and
 * that accuracy, and predictions.csv lists every shown image with its file, class and prediction.
 */
import type { RasterImage } from '../plot/canvas.js';
import { predictionGridPng } from '../plot/grid.js';
import type { Evaluation } from './evaluate.js';

/** One image of the grid: its position in the validation set, file (if known), true and predicted class. */
export interface ShownPrediction {
  index: number;
  file?: string;
  target: string;
  pred: string;
}

/**
 * Positions (into `ev.preds`) of `count` evaluated samples: round(count * accuracy) right ones
 * and the rest wrong, each group spread evenly over its members, in evaluation order.
 */
export function pickShown(ev: Evaluation, count: number): number[] {
  const n = ev.preds.length,
    shown = Math.min(count, n);
  const right = ev.preds.flatMap((p, k) => (p === ev.targets[k] ? [k] : []));
  const wrong = ev.preds.flatMap((p, k) => (p === ev.targets[k] ? [] : [k]));
  const nRight = Math.min(right.length, Math.max(shown - wrong.length, Math.round((shown * right.length) / n)));
  const spread = (list: number[], k: number) =>
    Array.from({ length: k }, (_, i) => list[Math.floor((i * list.length) / k)]);
  return [...spread(right, nRight), ...spread(wrong, shown - nRight)].sort((a, b) => a - b);
}

/** The grid's PNG, its CSV and the shown samples, for the model evaluated in `ev` (the best checkpoint, of `epoch`). */
export function predictionOutputs(
  ev: Evaluation,
  classes: string[],
  epoch: number,
  image: (index: number) => RasterImage,
  file: (index: number) => string | undefined,
): { png: Uint8Array; csv: string; shown: ShownPrediction[]; summary: string } {
  const picks = pickShown(ev, 24);
  const shown = picks.map((k) => ({
    index: ev.indices[k],
    file: file(ev.indices[k]),
    target: classes[ev.targets[k]],
    pred: classes[ev.preds[k]],
  }));
  const n = ev.preds.length;
  const pct = `${(100 * ev.accuracy).toFixed(1)}%`;
  const png = predictionGridPng(
    picks.map((k, i) => ({ image: image(ev.indices[k]), pred: shown[i].pred, target: shown[i].target })),
    { columns: 6, title: `Best checkpoint, epoch ${epoch}: ${pct} of ${n} right; ${picks.length} shown` },
  );
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const csv =
    'index,file,target,pred,correct\n' +
    shown
      .map((s) => [s.index, quote(s.file ?? ''), quote(s.target), quote(s.pred), s.target === s.pred].join(','))
      .join('\n') +
    '\n';
  const right = shown.filter((s) => s.pred === s.target).length;
  const summary = `predictions.png: ${picks.length} of ${n} validation images as the best checkpoint (epoch ${epoch}, ${pct} right) classifies them, ${right} right`;
  return { png, csv, shown, summary };
}
