/**
 * Classification metrics (as sklearn.metrics computes them) and the per-epoch log of a
 * training run, written as metrics.csv and metrics.json.
 *
 *   confusion[t][p] = #{i : target_i = t and pred_i = p}
 *   precision_c = C[c][c] / sum_t C[t][c]     (0 when class c is never predicted)
 *   recall_c    = C[c][c] / sum_p C[c][p]     (0 when class c never occurs)
 *   f1_c        = 2 P R / (P + R)             (0 when P + R = 0)
 * sklearn's classification_report with zero_division=0; macro = unweighted mean over classes,
 * weighted = mean weighted by support.
 */
import { csvField } from '../plot/confusion.js';
import { joinPath, writeAtomic } from './files.js';

/** The matrix C[true][pred] of counts for class indices in [0, numClasses). */
export function confusionMatrix(pred: ArrayLike<number>, target: ArrayLike<number>, numClasses: number): number[][] {
  if (pred.length !== target.length) {
    throw new Error(`confusionMatrix: ${pred.length} predictions for ${target.length} targets`);
  }
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i],
      t = target[i];
    if (!(Number.isInteger(p) && Number.isInteger(t) && p >= 0 && t >= 0 && p < numClasses && t < numClasses)) {
      throw new Error(`confusionMatrix: sample ${i} has pred ${p}, target ${t}; classes are 0..${numClasses - 1}`);
    }
    m[t][p]++;
  }
  return m;
}

/** Fraction of samples on the diagonal (0 for an empty matrix). */
export function accuracy(matrix: number[][]): number {
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : matrix.reduce((a, row, i) => a + row[i], 0) / total;
}

/** Precision, recall, F1 and support of one class (a row of sklearn's classification_report). */
export interface ClassScores {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true samples of the class. */
  support: number;
}

/** sklearn's classification_report: per-class scores, accuracy, macro and weighted averages. */
export interface ClassificationReport {
  classes: ClassScores[];
  accuracy: number;
  macro: Omit<ClassScores, 'name'>;
  weighted: Omit<ClassScores, 'name'>;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Per-class precision, recall, F1 and support, their macro and weighted averages, and accuracy. */
export function classificationReport(matrix: number[][], classes: string[]): ClassificationReport {
  if (matrix.length !== classes.length) {
    throw new Error(`classificationReport: ${matrix.length}x${matrix.length} matrix for ${classes.length} classes`);
  }
  const scores = classes.map((name, c) => {
    const tp = matrix[c][c];
    const predicted = matrix.reduce((a, row) => a + row[c], 0);
    const support = matrix[c].reduce((a, b) => a + b, 0);
    const precision = ratio(tp, predicted),
      recall = ratio(tp, support);
    return { name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const total = scores.reduce((a, s) => a + s.support, 0);
  const avg = (w: (s: ClassScores) => number, norm: number) => ({
    precision: ratio(
      scores.reduce((a, s) => a + w(s) * s.precision, 0),
      norm,
    ),
    recall: ratio(
      scores.reduce((a, s) => a + w(s) * s.recall, 0),
      norm,
    ),
    f1: ratio(
      scores.reduce((a, s) => a + w(s) * s.f1, 0),
      norm,
    ),
    support: total,
  });
  return {
    classes: scores,
    accuracy: accuracy(matrix),
    macro: avg(() => 1, scores.length),
    weighted: avg((s) => s.support, total),
  };
}

/** The report as sklearn's classification_report prints it (digits=2, same columns and spacing). */
export function formatReport(r: ClassificationReport): string {
  const w = Math.max('weighted avg'.length, ...r.classes.map((c) => c.name.length));
  const cols = (fields: string[]) => fields.map((f) => ` ${f.padStart(9)}`).join('');
  const row = (name: string, s: Omit<ClassScores, 'name'>) =>
    `${name.padStart(w)} ${cols([s.precision, s.recall, s.f1].map((v) => v.toFixed(2)).concat(String(s.support)))}\n`;
  return (
    `${''.padStart(w)} ${cols(['precision', 'recall', 'f1-score', 'support'])}\n\n` +
    r.classes.map((c) => row(c.name, c)).join('') +
    '\n' +
    `${'accuracy'.padStart(w)} ${cols(['', '', r.accuracy.toFixed(2), String(r.macro.support)])}\n` +
    row('macro avg', r.macro) +
    row('weighted avg', r.weighted)
  );
}

/** One epoch of a training run. */
export interface EpochRow {
  epoch: number;
  /** 1 = head only on frozen features, 2 = fine-tuning (or any name). */
  phase: number | string;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  /** Learning rate of every parameter group, in the optimizer's order. */
  lr: number[];
  /** Wall-clock seconds of the epoch (training and evaluation). */
  seconds: number;
}

/** Column names for `groups` parameter groups: lr_<name> when named, else lr_0, lr_1, ... */
function lrColumns(rows: EpochRow[], groupNames?: string[]): string[] {
  const n = Math.max(groupNames?.length ?? 0, ...rows.map((r) => r.lr.length));
  return Array.from({ length: n }, (_, i) => `lr_${groupNames?.[i] ?? i}`);
}

/** metrics.csv: epoch,phase,train_loss,train_acc,val_loss,val_acc,lr_...,seconds (empty for NaN). */
export function metricsCsv(rows: EpochRow[], groupNames?: string[]): string {
  const lrs = lrColumns(rows, groupNames);
  const v = (x: number) => (Number.isFinite(x) ? String(x) : '');
  const lines = [['epoch', 'phase', 'train_loss', 'train_acc', 'val_loss', 'val_acc', ...lrs, 'seconds'].join(',')];
  for (const r of rows) {
    lines.push(
      [
        String(r.epoch),
        csvField(String(r.phase)),
        v(r.trainLoss),
        v(r.trainAcc),
        v(r.valLoss),
        v(r.valAcc),
        ...lrs.map((_, i) => v(r.lr[i] ?? NaN)),
        v(r.seconds),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** metrics.json: an array of objects with the CSV's column names (null for NaN). */
export function metricsJson(rows: EpochRow[], groupNames?: string[]): string {
  const lrs = lrColumns(rows, groupNames);
  const v = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return (
    JSON.stringify(
      rows.map((r) => ({
        epoch: r.epoch,
        phase: r.phase,
        train_loss: v(r.trainLoss),
        train_acc: v(r.trainAcc),
        val_loss: v(r.valLoss),
        val_acc: v(r.valAcc),
        ...Object.fromEntries(lrs.map((name, i) => [name, v(r.lr[i])])),
        seconds: v(r.seconds),
      })),
      null,
      2,
    ) + '\n'
  );
}

/** Writes metrics.csv and metrics.json into `dir`. */
export function writeMetrics(dir: string, rows: EpochRow[], groupNames?: string[]): void {
  writeAtomic(joinPath(dir, 'metrics.csv'), metricsCsv(rows, groupNames));
  writeAtomic(joinPath(dir, 'metrics.json'), metricsJson(rows, groupNames));
}
