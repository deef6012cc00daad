/**
 * The studio's drawings, from plain data: loss and accuracy curves on a canvas, the confusion
 * matrix as a table, the grid of validation predictions and the top-5 bars.
 */
import type * as sg from '../../src/index.js';
import type { GridItem } from './protocol.js';

/** Loss points of the batches so far: x in epochs (fractional), y the running mean loss. */
export type BatchPoint = [number, number];

const COLORS = { train: '#2f6fb3', val: '#d9772b', batch: '#9bb7d6', phase: '#aaa' };

/** Draws two panels, loss and accuracy, per epoch, with the live batch loss and the phase change. */
export function drawCurves(
  canvas: HTMLCanvasElement,
  rows: sg.train.EpochRow[],
  batches: BatchPoint[],
  epochs: number,
): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const half = width / 2;
  const lossMax = Math.max(1e-6, ...batches.map((p) => p[1]), ...rows.flatMap((r) => [r.trainLoss, r.valLoss]));
  const phaseAt = rows.find((r, i) => i > 0 && r.phase !== rows[i - 1].phase)?.epoch;
  panel(ctx, 0, half, height, 'loss', lossMax, epochs, phaseAt, [
    { color: COLORS.batch, points: batches, dots: false },
    { color: COLORS.train, points: rows.map((r) => [r.epoch, r.trainLoss]), dots: true },
    { color: COLORS.val, points: rows.map((r) => [r.epoch, r.valLoss]), dots: true },
  ]);
  panel(ctx, half, half, height, 'accuracy', 1, epochs, phaseAt, [
    { color: COLORS.train, points: rows.map((r) => [r.epoch, r.trainAcc]), dots: true },
    { color: COLORS.val, points: rows.map((r) => [r.epoch, r.valAcc]), dots: true },
  ]);
  ctx.font = '12px sans-serif';
  ctx.fillStyle = COLORS.train;
  ctx.fillText('train', width - 120, 14);
  ctx.fillStyle = COLORS.val;
  ctx.fillText('validation', width - 80, 14);
}

interface Series {
  color: string;
  points: number[][];
  dots: boolean;
}

function panel(
  ctx: CanvasRenderingContext2D,
  x0: number,
  w: number,
  h: number,
  title: string,
  yMax: number,
  epochs: number,
  phaseAt: number | undefined,
  series: Series[],
): void {
  const [left, right, top, bottom] = [x0 + 40, x0 + w - 10, 22, h - 24];
  const X = (e: number) => left + ((right - left) * e) / Math.max(1, epochs);
  const Y = (v: number) => bottom - ((bottom - top) * Math.min(v, yMax)) / yMax;
  ctx.strokeStyle = '#444';
  ctx.fillStyle = '#222';
  ctx.font = '12px sans-serif';
  ctx.strokeRect(left, top, right - left, bottom - top);
  ctx.fillText(title, left, top - 6);
  ctx.fillText(yMax < 10 ? yMax.toFixed(2) : yMax.toFixed(0), x0 + 2, top + 10);
  ctx.fillText('0', x0 + 28, bottom);
  ctx.fillText(`epoch ${epochs}`, right - 50, bottom + 16);
  if (phaseAt !== undefined) {
    ctx.strokeStyle = COLORS.phase;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(X(phaseAt - 1), top);
    ctx.lineTo(X(phaseAt - 1), bottom);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  for (const s of series) {
    ctx.strokeStyle = ctx.fillStyle = s.color;
    ctx.lineWidth = s.dots ? 2 : 1;
    ctx.beginPath();
    s.points.forEach(([e, v], i) => (i ? ctx.lineTo(X(e), Y(v)) : ctx.moveTo(X(e), Y(v))));
    ctx.stroke();
    if (s.dots) for (const [e, v] of s.points) ctx.fillRect(X(e) - 2, Y(v) - 2, 4, 4);
  }
  ctx.lineWidth = 1;
}

/** The confusion matrix as a table: rows the true classes, columns the predictions, cells shaded by share of the row. */
export function confusionTable(matrix: number[][], classes: string[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'confusion';
  const head = table.insertRow();
  head.insertCell().textContent = 'true \\ predicted';
  for (const c of classes) head.insertCell().textContent = c;
  matrix.forEach((row, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = classes[i];
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, j) => {
      const td = tr.insertCell();
      td.textContent = String(v);
      const share = v / total;
      td.style.background = `rgba(${i === j ? '47,111,179' : '217,119,43'}, ${(0.1 + 0.8 * share).toFixed(2)})`;
    });
  });
  return table;
}

/** Thumbnails with their predicted class, green when right and red when wrong. */
export function predictionGrid(items: GridItem[]): HTMLElement {
  const grid = document.createElement('div');
  grid.className = 'grid';
  for (const it of items) {
    const cell = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = it.size;
    canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(it.rgba), it.size, it.size), 0, 0);
    const caption = document.createElement('figcaption');
    caption.textContent = it.pred === it.target ? it.pred : `${it.pred} (is ${it.target})`;
    caption.className = it.pred === it.target ? 'right' : 'wrong';
    cell.append(canvas, caption);
    grid.append(cell);
  }
  return grid;
}

/** The top classes with their probabilities as bars. */
export function topBars(top: Array<{ label: string; probability: number }>): HTMLElement {
  const list = document.createElement('ol');
  list.className = 'top5';
  for (const t of top) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="label"></span><span class="bar"><span></span></span><span class="p"></span>`;
    li.querySelector('.label')!.textContent = t.label;
    (li.querySelector('.bar span') as HTMLElement).style.width = `${(100 * t.probability).toFixed(1)}%`;
    li.querySelector('.p')!.textContent = `${(100 * t.probability).toFixed(1)}%`;
    list.append(li);
  }
  return list;
}
