/**
 * The printed form of a profile, laid out as torch.profiler's `key_averages().table()`: a rule,
 * the header, a rule, one row per key, a rule, then the totals and how the time was measured.
 */
import type { KeyAverage, ProfileInfo } from './profile.js';

/** Columns a table can be sorted by (largest first; 'name' ascending). */
export type SortKey = 'total' | 'self' | 'mean' | 'calls' | 'flops' | 'bytes' | 'name';

const SORT: Record<SortKey, (r: KeyAverage) => number | string> = {
  total: (r) => -r.totalMs,
  self: (r) => -r.selfMs,
  mean: (r) => -r.meanMs,
  calls: (r) => -r.calls,
  flops: (r) => -r.flops,
  bytes: (r) => -r.bytes,
  name: (r) => r.name,
};

/** The sort keys, for messages and the command line. */
export const SORT_KEYS = Object.keys(SORT) as SortKey[];

interface Layout {
  groupBy: 'kernel' | 'module';
  sortBy: SortKey;
  rowLimit?: number;
  info: ProfileInfo;
  totalMs: number;
  launches: number;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

/** Rows sorted and cut, then printed in columns. */
export function formatTable(rows: KeyAverage[], layout: Layout): string {
  const key = SORT[layout.sortBy];
  if (!key)
    throw new Error(`Profile.table: sortBy must be one of ${SORT_KEYS.join(', ')}, got '${String(layout.sortBy)}'`);
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const shown = layout.rowLimit !== undefined ? sorted.slice(0, layout.rowLimit) : sorted;
  const header = [
    'Name',
    layout.groupBy === 'kernel' ? 'Ver' : 'Type',
    'Self ms',
    'Self %',
    'Total ms',
    'Mean ms',
    'Calls',
    'GFLOP',
    'GFLOP/s',
    'GB/s',
    '% peak',
    'Input shapes',
  ];
  const cells = shown.map((r) => [
    r.name,
    r.detail,
    ms(r.selfMs),
    pct(r.shareOfTotal),
    ms(r.totalMs),
    ms(r.meanMs),
    String(r.calls),
    r.flops ? (r.flops / 1e9).toFixed(3) : '-',
    r.gflops === null ? '-' : r.gflops.toFixed(2),
    r.gbps.toFixed(2),
    pct(r.shareOfPeak),
    r.shapes,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i < 2 || i === c.length - 1 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const { info } = layout;
  const timing = info.timing === 'timestamp' ? 'GPU timestamp queries' : 'synchronised (a submit and wait per launch)';
  const peaks = info.peaks
    ? `; % peak of the measured FMA peak ${info.peaks.gflops.toFixed(1)} GFLOP/s (FLOP rows) or copy peak ${info.peaks.gbps.toFixed(2)} GB/s (the others)`
    : '';
  return [
    rule,
    line(header),
    rule,
    ...cells.map(line),
    rule,
    `Self GPU time total: ${ms(layout.totalMs)} ms in ${layout.launches} launches (wall ${ms(info.wallMs)} ms)`,
    `Timing: ${timing} on ${info.adapter}${peaks}`,
  ].join('\n');
}
