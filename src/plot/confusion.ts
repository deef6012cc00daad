/**
 * The confusion matrix of a classifier: `confusionPng` draws it as a heat map (rows: true
 * class, columns: predicted class, as sklearn's confusion_matrix), counts in the cells in white on
 * dark cells and black on light ones, a colour bar, and the accuracy in the title;
 * `confusionCsv` writes it as a table.
 */
import { Canvas, type Color, hex } from './canvas.js';
import { INK, MUTED } from './axes.js';
import { CAP_H, fitText, textWidth } from './font.js';
import { checkOptions } from '../args.js';

/** matplotlib's 'Blues' colour map, sampled at five stops from 0 to 1. */
const BLUES = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'].map(hex);

/** The 'Blues' colour at t in [0, 1] (linear between stops). */
export function blues(t: number): Color {
  const u = Math.max(0, Math.min(1, t)) * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(u)),
    f = u - i;
  return [0, 1, 2].map((k) => BLUES[i][k] + (BLUES[i + 1][k] - BLUES[i][k]) * f) as unknown as Color;
}

/** Black or white, whichever reads better on `bg` (perceived luminance, ITU-R BT.601). */
export function textColorOn(bg: Color): Color {
  return 0.299 * bg[0] + 0.587 * bg[1] + 0.114 * bg[2] < 150 ? [255, 255, 255] : [20, 20, 20];
}

function checkMatrix(op: string, matrix: number[][], classes: string[]): void {
  const n = classes.length;
  if (matrix.length !== n || matrix.some((row) => row.length !== n)) {
    throw new Error(`${op}: matrix must be ${n}x${n} for ${n} classes, got ${matrix.length}x${matrix[0]?.length ?? 0}`);
  }
}

/** Options of `confusionPng`. */
export interface ConfusionPngOptions {
  /** Title prefix (default 'Confusion matrix'); the accuracy is appended. */
  title?: string;
}

/** PNG bytes of the heat map of `matrix` (matrix[true][pred] = count). */
export function confusionPng(matrix: number[][], classes: string[], options: ConfusionPngOptions = {}): Uint8Array {
  checkOptions('confusionPng', options, { title: 'string' });
  checkMatrix('confusionPng', matrix, classes);
  const n = classes.length;
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const correct = matrix.reduce((a, row, i) => a + row[i], 0);
  const max = Math.max(1, ...matrix.flat());
  const title =
    `${options.title ?? 'Confusion matrix'}: accuracy ${total ? ((100 * correct) / total).toFixed(1) : '-'}%` +
    ` (${correct}/${total})`;

  // Cells shrink with the number of classes but always fit the widest count.
  const countW = textWidth(String(max), 1) + 10;
  const cell = Math.max(countW, 22, Math.min(90, Math.floor(560 / n)));
  const names = classes.map((c) => fitText(c, 140));
  const nameW = Math.max(...names.map((s) => textWidth(s)));
  const verticalNames = nameW > cell - 6; // column names rotated when they do not fit
  const grid = cell * n,
    top = 56;
  const bottom = (verticalNames ? nameW : CAP_H) + 44;
  const content = 44 + nameW + grid + 94; // 'true class', names, grid, colour bar
  const width = Math.max(content, textWidth(title, 2) + 40);
  const margin = Math.floor((width - content) / 2); // centres the figure under a wide title
  const left = margin + 44 + nameW,
    barX = left + grid + 24;
  const canvas = new Canvas(width, top + grid + bottom);

  canvas.text(width / 2, 16, title, INK, { scale: 2, align: 'center' });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j],
        bg = blues(v / max);
      const x = left + j * cell,
        y = top + i * cell;
      canvas.rect(x, y, cell, cell, bg);
      canvas.text(x + cell / 2, y + cell / 2, String(v), textColorOn(bg), { align: 'center', baseline: 'middle' });
    }
  }
  canvas.strokeRect(left - 1, top - 1, grid + 2, grid + 2, INK);
  names.forEach((name, i) => {
    const mid = i * cell + cell / 2;
    canvas.text(left - 8, top + mid, name, INK, { align: 'right', baseline: 'middle' });
    if (verticalNames)
      canvas.text(left + mid, top + grid + 8, name, INK, { vertical: true, align: 'right', baseline: 'middle' });
    else canvas.text(left + mid, top + grid + 8, name, INK, { align: 'center' });
  });
  canvas.text(left + grid / 2, top + grid + bottom - 20, 'predicted class', INK, { align: 'center' });
  canvas.text(margin + 10, top + grid / 2, 'true class', INK, { vertical: true, align: 'center' });

  // Colour bar: 0 at the bottom, the largest count at the top.
  for (let y = 0; y < grid; y++) canvas.rect(barX, top + y, 14, 1, blues(1 - y / Math.max(1, grid - 1)));
  canvas.strokeRect(barX - 1, top - 1, 16, grid + 2, MUTED);
  canvas.text(barX + 20, top, String(max), INK, { baseline: 'middle' });
  canvas.text(barX + 20, top + grid, '0', INK, { baseline: 'middle' });
  return canvas.toPng();
}

/** CSV quoting (RFC 4180): fields with commas, quotes or newlines are quoted, quotes doubled. */
export const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The matrix as CSV: a header `true\predicted,<class>...`, then one row per true class
 * starting with its name.
 */
export function confusionCsv(matrix: number[][], classes: string[]): string {
  checkMatrix('confusionCsv', matrix, classes);
  const lines = [['true\\predicted', ...classes].map(csvField).join(',')];
  matrix.forEach((row, i) => lines.push([csvField(classes[i]), ...row.map(String)].join(',')));
  return lines.join('\n') + '\n';
}
