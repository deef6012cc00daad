/**
 * One panel of a line chart: a data range mapped onto a pixel box, "nice" ticks
 * (steps of 1, 2 or 5 times a power of ten), grid lines, tick labels, axis titles and a legend.
 */
import { Canvas, type Color } from './canvas.js';
import { textWidth } from './font.js';

export const INK: Color = [40, 40, 40];
export const GRID: Color = [226, 226, 226];
export const MUTED: Color = [110, 110, 110];

/** Ticks covering [lo, hi] with about `count` intervals: the step is 1, 2 or 5 x 10^k. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toFixed(12));
  if (ticks[ticks.length - 1] < hi - step * 1e-9) ticks.push(+(ticks[ticks.length - 1] + step).toFixed(12));
  return { ticks, step };
}

/** A tick label with as many decimals as the step needs. */
export function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

export interface Series {
  label: string;
  color: Color;
  /** [x, y] points; a NaN y leaves a gap. */
  points: [number, number][];
}

export interface PanelOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Formats a y tick (default: decimals from the step). */
  yFormat?: (v: number, step: number) => string;
  /** Forces the y range (otherwise: nice ticks around the data). */
  yRange?: [number, number];
  /** Integer x ticks only (epochs). */
  integerX?: boolean;
}

/** Maps data coordinates into the box (left, top, width, height) and draws into it. */
export class Panel {
  xTicks: number[] = [];
  yTicks: number[] = [];
  private x0 = 0;
  private x1 = 1;
  private y0 = 0;
  private y1 = 1;

  constructor(
    readonly canvas: Canvas,
    readonly left: number,
    readonly top: number,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Sets the ranges from the series (and options) and draws grid, axes, ticks and titles. */
  frame(series: Series[], o: PanelOptions): void {
    const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
    const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
    const xLo = xs.length ? Math.min(...xs) : 0,
      xHi = xs.length ? Math.max(...xs) : 1;
    let xt = niceTicks(xLo, xHi, Math.min(8, Math.max(1, xHi - xLo)));
    if (o.integerX && xt.step < 1) xt = { ticks: xt.ticks.filter(Number.isInteger), step: 1 };
    // Epoch axes start and end at the data; value axes at the outer ticks.
    [this.x0, this.x1] = xHi > xLo ? [xLo, xHi] : [xLo - 0.5, xHi + 0.5];
    this.xTicks = xt.ticks.filter((v) => v >= this.x0 - 1e-9 && v <= this.x1 + 1e-9);
    const yt = o.yRange
      ? niceTicks(o.yRange[0], o.yRange[1], 5)
      : niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5);
    this.yTicks = yt.ticks;
    [this.y0, this.y1] = o.yRange ?? [yt.ticks[0], yt.ticks[yt.ticks.length - 1]];
    this.yTicks = yt.ticks.filter((v) => v >= this.y0 - 1e-9 && v <= this.y1 + 1e-9);

    const c = this.canvas,
      L = this.left,
      T = this.top,
      W = this.width,
      H = this.height;
    for (const v of this.yTicks) c.rect(L, Math.round(this.py(v)), W, 1, GRID);
    for (const v of this.xTicks) c.rect(Math.round(this.px(v)), T, 1, H, GRID);
    c.rect(L, T + H, W + 1, 1, INK);
    c.rect(L, T, 1, H + 1, INK);
    const fmt = o.yFormat ?? tickLabel;
    let widest = 0;
    for (const v of this.yTicks) {
      const y = Math.round(this.py(v));
      c.rect(L - 4, y, 4, 1, INK);
      widest = Math.max(widest, c.text(L - 8, y, fmt(v, yt.step), INK, { align: 'right', baseline: 'middle' }));
    }
    for (const v of this.xTicks) {
      const x = Math.round(this.px(v));
      c.rect(x, T + H + 1, 1, 4, INK);
      c.text(x, T + H + 9, tickLabel(v, xt.step), INK, { align: 'center' });
    }
    c.text(L + W / 2, T - 22, o.title, INK, { scale: 2, align: 'center' });
    c.text(L + W / 2, T + H + 26, o.xLabel, INK, { align: 'center' });
    c.text(L - widest - 22, T + H / 2, o.yLabel, INK, { vertical: true, align: 'center', baseline: 'top' });
  }

  /** Pixel x of data x. */
  px(x: number): number {
    return this.left + ((x - this.x0) / (this.x1 - this.x0)) * this.width;
  }

  /** Pixel y of data y (up is larger). */
  py(y: number): number {
    return this.top + this.height - ((y - this.y0) / (this.y1 - this.y0)) * this.height;
  }

  /** Draws each series as a 2-pixel line with a disc at every point. */
  plot(series: Series[]): void {
    for (const s of series) {
      const pts = s.points.map(([x, y]) => [this.px(x), this.py(y)] as [number, number]);
      this.canvas.polyline(pts, s.color, 2);
      for (const [x, y] of pts) if (Number.isFinite(y)) this.canvas.circle(x, y, 3, s.color);
    }
  }

  /** A dashed vertical line at data x with a label beside its top. */
  marker(x: number, label: string, color: Color = MUTED): void {
    const px = Math.round(this.px(x)) + 0.5;
    this.canvas.line(px, this.top, px, this.top + this.height, color, 1.5, [6, 4]);
    this.canvas.text(px + 4, this.top + 4, label, color);
  }

  /**
   * A boxed legend with a line sample per series, in the corner where it covers the fewest
   * points of the curves (sampled every few pixels along each segment) unless `where` is given.
   */
  legend(series: Series[], where?: Corner): void {
    const c = this.canvas;
    const w = 40 + Math.max(...series.map((s) => textWidth(s.label)));
    const h = 8 + series.length * 14;
    const box = (k: Corner) =>
      [
        k.endsWith('left') ? this.left + 8 : this.left + this.width - w - 8,
        k.startsWith('top') ? this.top + 8 : this.top + this.height - h - 8,
      ] as const;
    const samples: [number, number][] = [];
    for (const s of series) {
      const pts = s.points.map(([x, y]) => [this.px(x), this.py(y)]).filter(([, y]) => Number.isFinite(y));
      for (let i = 0; i < pts.length; i++) {
        samples.push([pts[i][0], pts[i][1]]);
        if (i === 0) continue;
        const steps = Math.ceil(Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]) / 4);
        for (let t = 1; t < steps; t++)
          samples.push([
            pts[i - 1][0] + ((pts[i][0] - pts[i - 1][0]) * t) / steps,
            pts[i - 1][1] + ((pts[i][1] - pts[i - 1][1]) * t) / steps,
          ]);
      }
    }
    const covered = (k: Corner) => {
      const [x, y] = box(k);
      return samples.filter(([px, py]) => px >= x - 4 && px <= x + w + 4 && py >= y - 4 && py <= y + h + 4).length;
    };
    const corner = where ?? CORNERS.reduce((best, k) => (covered(k) < covered(best) ? k : best));
    const [x, y] = box(corner);
    c.rect(x, y, w, h, [255, 255, 255, 230]);
    c.strokeRect(x, y, w, h, [200, 200, 200]);
    series.forEach((s, i) => {
      const cy = y + 11 + i * 14;
      c.line(x + 6, cy, x + 26, cy, s.color, 2);
      c.circle(x + 16, cy, 3, s.color);
      c.text(x + 32, cy, s.label, INK, { baseline: 'middle' });
    });
  }
}

export type Corner = 'top-right' | 'bottom-right' | 'top-left' | 'bottom-left';
const CORNERS: Corner[] = ['top-right', 'bottom-right', 'top-left', 'bottom-left'];
