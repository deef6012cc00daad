/**
 * The download progress bar: bytes received of the total, percent, rate and time left, as
 * torch.hub's tqdm bar shows them. On a terminal one line is redrawn (`\r`) at most 10 times a
 * second; elsewhere (logs, CI) only the final line is written.
 */

/** Where a download stands; `total` is null when the server sent no Content-Length. */
export interface DownloadProgress {
  url: string;
  received: number;
  total: number | null;
  /** Seconds since the request was sent. */
  elapsed: number;
  /** Bytes per second so far. */
  rate: number;
  /** Seconds left at the current rate (null without a total). */
  eta: number | null;
}

/** What `progress` options accept: false (silent), true (a bar on stderr) or a callback. */
export type ProgressOption = boolean | ((p: DownloadProgress) => void);

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> '1.5 KiB'. */
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) [n, i] = [n / 1024, i + 1];
  return `${i === 0 ? n : n.toFixed(1)} ${UNITS[i]}`;
}

/** 125 -> '2:05', 3725 -> '1:02:05'. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** `'45%|█████     | 20.1 MiB/44.7 MiB [0:03<0:04, 6.2 MiB/s]'`, tqdm's layout. */
export function formatProgress(p: DownloadProgress, width = 20): string {
  const rate = `${formatBytes(p.rate)}/s`;
  if (p.total === null) return `${formatBytes(p.received)} [${formatSeconds(p.elapsed)}, ${rate}]`;
  const frac = p.total > 0 ? Math.min(1, p.received / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + ' '.repeat(width - filled);
  const eta = p.eta === null ? '?' : formatSeconds(p.eta);
  return `${String(Math.floor(frac * 100)).padStart(3)}%|${bar}| ${formatBytes(p.received)}/${formatBytes(p.total)} [${formatSeconds(p.elapsed)}<${eta}, ${rate}]`;
}

/**
 * A reporter for one download: call it with the bytes received so far, and with `done` at the
 * end. It computes rate and ETA and passes them to the callback, or draws the bar on stderr.
 */
export function progressReporter(
  url: string,
  total: number | null,
  option: ProgressOption | undefined,
): (received: number, done?: boolean) => void {
  if (option === false) return () => {};
  const start = Date.now();
  const stderr = (globalThis as { process?: { stderr?: { isTTY?: boolean; write(s: string): void } } }).process?.stderr;
  let last = 0;
  return (received, done = false) => {
    const elapsed = (Date.now() - start) / 1000;
    const rate = elapsed > 0 ? received / elapsed : 0;
    const eta = total === null ? null : rate > 0 ? (total - received) / rate : null;
    const p: DownloadProgress = { url, received, total, elapsed, rate, eta };
    if (typeof option === 'function') return option(p);
    if (!stderr) return;
    const now = Date.now();
    if (stderr.isTTY && (done || now - last >= 100)) {
      last = now;
      stderr.write(`\r${formatProgress(p)}${done ? '\n' : ''}`);
    } else if (!stderr.isTTY && done) stderr.write(`${formatProgress(p)}\n`);
  };
}
