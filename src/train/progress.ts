/**
 * The per-epoch progress display of a training run (`sg.train`, `shadergrad finetune`). On a terminal, one line redrawn in
 * place with `\r` (at most every `redrawMs`):
 *
 *   epoch 3/10 [=========>..........]  480/1000  35.2 img/s  loss 0.4123  acc 87.5%  ETA 0:14
 *
 * When stdout is not a terminal (a log file, CI), a plain line every `plainEverySeconds`
 * instead. `formatEpochSummary` is the line printed when an epoch ends. The clock is injectable
 * so that rates and ETAs are testable.
 */
import type { EpochRow } from './metrics.js';

/** Where the bar is written: process.stdout, or anything with write (and isTTY, columns): a browser page can pass its own. */
export interface ProgressStream {
  /** Writes text as it is (no newline added). */
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of `ProgressBar`. */
export interface ProgressOptions {
  /** Images (or samples) in the epoch. */
  total: number;
  /** Shown first, e.g. 'epoch 3/10'. */
  label?: string;
  stream?: ProgressStream;
  /** Milliseconds since some origin (default performance.now). */
  now?: () => number;
  /** Minimum time between terminal redraws (default 100 ms). */
  redrawMs?: number;
  /** Time between plain lines when not on a terminal (default 15 s). */
  plainEverySeconds?: number;
  /** Characters inside the brackets (default 24). */
  barWidth?: number;
}

/** Running statistics shown beside the bar. */
export interface ProgressStats {
  /** Mean loss so far. */
  loss?: number;
  /** Accuracy so far, as a fraction. */
  acc?: number;
}

/** Seconds as m:ss or h:mm:ss ('?' when unknown). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A rate with three significant figures: 352, 35.2, 3.52. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '?';
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

/** `[=====>....]` for the fraction done/total. */
export function formatBar(done: number, total: number, width: number): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.floor(f * width);
  const head = full < width && done > 0 ? '>' : '';
  return `[${'='.repeat(full)}${head}${'.'.repeat(width - full - head.length)}]`;
}

/**
 * One progress line: label, bar, count, throughput (done / elapsed), running loss and
 * accuracy, and the ETA (remaining / throughput).
 */
export function formatProgress(
  label: string,
  done: number,
  total: number,
  elapsedSeconds: number,
  stats: ProgressStats = {},
  barWidth = 24,
): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : NaN;
  const eta = done >= total ? 0 : rate > 0 ? (total - done) / rate : NaN;
  const parts = [
    label,
    formatBar(done, total, barWidth),
    `${String(done).padStart(String(total).length)}/${total}`,
    `${formatRate(rate)} img/s`,
  ];
  if (stats.loss !== undefined) parts.push(`loss ${stats.loss.toFixed(4)}`);
  if (stats.acc !== undefined) parts.push(`acc ${(100 * stats.acc).toFixed(1)}%`);
  parts.push(`ETA ${formatDuration(eta)}`);
  return parts.filter((p) => p !== '').join('  ');
}

/** A progress bar for one epoch: redrawn in place on a terminal, plain lines otherwise. */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = -Infinity;
  private lastPlain: number;
  private drawn = false;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? stdout();
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
    this.lastPlain = this.start;
  }

  /** Reports `done` images processed so far; redraws or prints when it is time. */
  update(done: number, stats: ProgressStats = {}): void {
    const t = this.now();
    const line = (bar = this.o.barWidth ?? 24) =>
      formatProgress(this.o.label ?? '', done, this.o.total, (t - this.start) / 1000, stats, bar);
    if (this.stream.isTTY) {
      if (t - this.lastDraw < (this.o.redrawMs ?? 100) && done < this.o.total) return;
      this.lastDraw = t;
      // A narrower bar when the terminal is narrow, so that the numbers stay visible.
      const cols = this.stream.columns ?? 120,
        bar = this.o.barWidth ?? 24;
      const over = line(bar).length - (cols - 1);
      this.stream.write(`\r${line(over > 0 ? Math.max(5, bar - over) : bar).slice(0, cols - 1)}\x1b[K`);
      this.drawn = true;
    } else if (t - this.lastPlain >= (this.o.plainEverySeconds ?? 15) * 1000) {
      this.lastPlain = t;
      this.stream.write(`${line()}\n`);
    }
  }

  /** Seconds since the bar was created. */
  elapsedSeconds(): number {
    return (this.now() - this.start) / 1000;
  }

  /** Clears the terminal line, so that the epoch summary takes its place. */
  finish(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/**
 * The line printed at the end of an epoch:
 *   epoch  3/10 [head]  train loss 0.4123 acc 87.5%  val loss 0.5012 acc 85.0%  lr 1e-3  42.1s  *best*
 */
export function formatEpochSummary(row: EpochRow, totalEpochs: number, options: { best?: boolean } = {}): string {
  const pct = (a: number) => (Number.isFinite(a) ? `${(100 * a).toFixed(1)}%` : '-');
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
  const lr = row.lr
    .filter(Number.isFinite)
    .map((v) => v.toExponential(1).replace(/\.0e/, 'e'))
    .join(', ');
  return [
    `epoch ${String(row.epoch).padStart(String(totalEpochs).length)}/${totalEpochs} [${typeof row.phase === 'number' ? `phase ${row.phase}` : row.phase}]`,
    `train loss ${num(row.trainLoss)} acc ${pct(row.trainAcc)}`,
    `val loss ${num(row.valLoss)} acc ${pct(row.valAcc)}`,
    `lr ${lr}`,
    `${row.seconds.toFixed(1)}s`,
    ...(options.best ? ['*best*'] : []),
  ].join('  ');
}

/** Node's process.stdout, or a sink that drops the text where there is none (browsers). */
export function stdout(): ProgressStream {
  const proc = (globalThis as { process?: { stdout?: ProgressStream } }).process;
  return proc?.stdout ?? { write: () => true };
}
