/**
 * `curvesPng`: the training curves of a fine-tuning run as a PNG, two panels side by side
 * (loss, accuracy in percent) over epochs, train vs validation, with a dashed marker where a new
 * phase starts (e.g. phase 2, fine-tuning the whole network after training only the head).
 */
import { Canvas, hex } from './canvas.js';
import { INK, Panel, type Series } from './axes.js';

/** Train is blue, validation orange (matplotlib's first two colours). */
export const TRAIN = hex('#1f77b4');
export const VAL = hex('#ff7f0e');

/** The per-epoch losses and accuracies (and phases) of a training run that `curvesPng` draws. */
export interface Curves {
  /** Epoch numbers (1-based, as printed). */
  epochs: number[];
  trainLoss: number[];
  valLoss: number[];
  /** Accuracies as fractions in [0, 1]; NaN where unknown. */
  trainAcc: number[];
  valAcc: number[];
  /** The phase of every epoch (1, 2 or names such as 'head', 'finetune'); a marker at each change. */
  phases?: (number | string)[];
  /** Title above both panels (default 'Training curves'). */
  title?: string;
}

const WIDTH = 1040,
  HEIGHT = 440;

/** PNG bytes of the two-panel training curves. */
export function curvesPng(c: Curves): Uint8Array {
  const n = c.epochs.length;
  for (const [name, arr] of Object.entries({
    trainLoss: c.trainLoss,
    valLoss: c.valLoss,
    trainAcc: c.trainAcc,
    valAcc: c.valAcc,
  })) {
    if (arr.length !== n) throw new Error(`curvesPng: ${name} has ${arr.length} values for ${n} epochs`);
  }
  if (c.phases && c.phases.length !== n)
    throw new Error(`curvesPng: phases has ${c.phases.length} values for ${n} epochs`);
  const canvas = new Canvas(WIDTH, HEIGHT);
  canvas.text(WIDTH / 2, 14, c.title ?? 'Training curves', INK, { scale: 2, align: 'center' });

  const pts = (ys: number[]) => c.epochs.map((e, i) => [e, ys[i]] as [number, number]);
  const loss: Series[] = [
    { label: 'train', color: TRAIN, points: pts(c.trainLoss) },
    { label: 'val', color: VAL, points: pts(c.valLoss) },
  ];
  const acc: Series[] = [
    { label: 'train', color: TRAIN, points: pts(c.trainAcc.map((a) => a * 100)) },
    { label: 'val', color: VAL, points: pts(c.valAcc.map((a) => a * 100)) },
  ];
  const accValues = acc.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const accLo = accValues.length ? Math.max(0, Math.floor(Math.min(...accValues) / 10) * 10) : 0;

  const panels: [Panel, Series[], string][] = [
    [new Panel(canvas, 80, 80, 410, 290), loss, 'Loss'],
    [new Panel(canvas, 600, 80, 410, 290), acc, 'Accuracy (%)'],
  ];
  for (const [panel, series, title] of panels) {
    panel.frame(series, {
      title,
      xLabel: 'epoch',
      yLabel: title === 'Loss' ? 'cross-entropy' : 'accuracy (%)',
      integerX: true,
      yRange: series === acc ? [accLo, 100] : undefined,
      yFormat: series === acc ? (v) => v.toFixed(0) : undefined,
    });
    if (c.phases) {
      for (let i = 1; i < n; i++) {
        if (c.phases[i] === c.phases[i - 1]) continue;
        const label = typeof c.phases[i] === 'number' ? `phase ${c.phases[i]}` : String(c.phases[i]);
        panel.marker((c.epochs[i - 1] + c.epochs[i]) / 2, label);
      }
    }
    panel.plot(series);
    panel.legend(series);
  }
  return canvas.toPng();
}
