/**
 * A recorded profile: one record per kernel launch, and the averages by kernel or by module
 * that torch.profiler calls `key_averages()`. Self time is what ran in a module itself (outside
 * its children), total time includes its children; for a kernel they are the same. Rates are
 * GFLOP/s for the kernels counted by FLOPs (products, convolutions) and GB/s for the others,
 * with their share of the adapter's measured FMA or copy peak.
 */
import type { Peaks } from './peaks.js';
import { formatTable, type SortKey } from './table.js';

/** One kernel launch. */
export interface LaunchRecord {
  /** The kernel's name in the table (src/kernels.ts), e.g. 'conv2d_02_implicit_uniform_rows'. */
  kernel: string;
  /** The name without its version: 'conv2d'. */
  family: string;
  /** The version number in the name ('02'), or '' for unversioned kernels. */
  version: string;
  entryPoint: string;
  /** The innermost module running (`layer2.0.conv1`; '' for the top module), or null outside any module. */
  module: string | null;
  /** Its class name (`Conv2d`). */
  moduleType: string | null;
  /** Every module running, outermost first: its path and class. */
  modules: Array<{ path: string; type: string }>;
  /** The innermost module's input shapes, e.g. '[2, 64, 16, 16]'. */
  shapes: string;
  /** Workgroup counts. */
  grid: number[];
  /** GPU time, milliseconds. */
  ms: number;
  /** Floating-point operations (0 for kernels counted by bytes). */
  flops: number;
  /** Bytes of its storage bindings. */
  bytes: number;
}

/** Launches grouped under one key (a kernel name or a module path), as a row of `key_averages()`. */
export interface KeyAverage {
  /** The kernel name, or the module path (the top module by its class name). */
  name: string;
  /** The module's class (module rows), or the kernel's version (kernel rows). */
  detail: string;
  /** The input shapes seen (the first few). */
  shapes: string;
  calls: number;
  selfMs: number;
  totalMs: number;
  /** totalMs / calls. */
  meanMs: number;
  /** FLOPs and bytes of the launches counted in `totalMs`. */
  flops: number;
  bytes: number;
  /** GFLOP/s where FLOPs are counted, else null. */
  gflops: number | null;
  /** GB/s (bytes bound / time). */
  gbps: number;
  /** selfMs as a fraction of all launches' time. */
  shareOfTotal: number;
  /** The rate as a fraction of the adapter's FMA peak (FLOP rows) or copy peak (the others); null without peaks. */
  shareOfPeak: number | null;
}

/** What a profile says about how it was taken. */
export interface ProfileInfo {
  /** 'timestamp': GPU timestamp queries; 'sync': a submit and wait per launch. */
  timing: 'timestamp' | 'sync';
  adapter: string;
  peaks: Peaks | null;
  /** Wall-clock milliseconds from start to stop. */
  wallMs: number;
}

/** Options of `Profile.table`. */
export interface TableOptions {
  /** One row per kernel (default) or per module. */
  groupBy?: 'kernel' | 'module';
  /** The column to sort by, largest first ('name' ascending); default 'total' for kernels, 'self' for modules. */
  sortBy?: SortKey;
  /** At most this many rows (default all). */
  rowLimit?: number;
}

/** The result of `sg.profile`: the launches, their averages, and a printed table. */
export class Profile {
  constructor(
    /** Every launch, in order. */
    readonly launches: readonly LaunchRecord[],
    /** How it was timed, on what. */
    readonly info: ProfileInfo,
  ) {}

  /** Milliseconds of GPU time, all launches together. */
  get totalMs(): number {
    return this.launches.reduce((a, r) => a + r.ms, 0);
  }

  /** Averages per kernel or per module (`prof.key_averages()`), in first-seen order. */
  keyAverages(groupBy: 'kernel' | 'module' = 'kernel'): KeyAverage[] {
    const rows = new Map<
      string,
      { detail: string; shapes: Set<string>; calls: number; self: LaunchRecord[]; total: LaunchRecord[] }
    >();
    const row = (key: string, detail: string) => {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { detail, shapes: new Set(), calls: 0, self: [], total: [] }));
      return r;
    };
    const topType = this.launches.find((l) => l.modules[0]?.path === '')?.modules[0].type ?? '';
    for (const l of this.launches) {
      if (groupBy === 'kernel') {
        const r = row(l.kernel, l.version);
        r.calls++;
        r.shapes.add(l.shapes);
        r.self.push(l);
        r.total.push(l);
        continue;
      }
      const path = l.module ?? '(no module)';
      const own = row(path === '' ? topType : path, l.moduleType ?? '');
      own.self.push(l);
      for (const m of l.modules) row(m.path === '' ? topType : m.path, m.type).total.push(l);
      if (l.modules.length === 0) own.total.push(l);
    }
    if (groupBy === 'module') this.countModuleCalls(rows, topType);
    const all = this.totalMs;
    return [...rows].map(([name, r]) => this.average(name, r, all));
  }

  /** Module calls: each run of consecutive launches under the same module path is one call (a module run twice in a row counts once). */
  private countModuleCalls(rows: Map<string, { calls: number; shapes: Set<string> }>, topType: string): void {
    let previous: string[] = [];
    for (const l of this.launches) {
      const paths = l.modules.map((m) => m.path);
      for (const [i, p] of paths.entries()) {
        const r = rows.get(p === '' ? topType : p)!;
        if (i === paths.length - 1) r.shapes.add(l.shapes);
        if (previous[i] !== p || previous.length <= i) r.calls++;
      }
      previous = paths;
    }
  }

  private average(
    name: string,
    r: { detail: string; shapes: Set<string>; calls: number; self: LaunchRecord[]; total: LaunchRecord[] },
    all: number,
  ): KeyAverage {
    const sum = (rs: LaunchRecord[], f: (l: LaunchRecord) => number) => rs.reduce((a, l) => a + f(l), 0);
    const [selfMs, totalMs] = [sum(r.self, (l) => l.ms), sum(r.total, (l) => l.ms)];
    const [flops, bytes] = [sum(r.total, (l) => l.flops), sum(r.total, (l) => l.bytes)];
    const seconds = totalMs / 1000;
    const gflops = flops > 0 && seconds > 0 ? flops / seconds / 1e9 : null;
    const gbps = seconds > 0 ? bytes / seconds / 1e9 : 0;
    const peaks = this.info.peaks;
    const shareOfPeak = !peaks ? null : gflops !== null ? gflops / peaks.gflops : gbps / peaks.gbps;
    const shapes = [...r.shapes].filter(Boolean);
    return {
      name,
      detail: r.detail,
      shapes: shapes.slice(0, 2).join('; ') + (shapes.length > 2 ? '; ...' : ''),
      calls: r.calls,
      selfMs,
      totalMs,
      meanMs: r.calls ? totalMs / r.calls : 0,
      flops,
      bytes,
      gflops,
      gbps,
      shareOfTotal: all > 0 ? selfMs / all : 0,
      shareOfPeak,
    };
  }

  /** The averages as a text table sorted like `prof.key_averages().table(sort_by=..., row_limit=...)`. */
  table(options: TableOptions = {}): string {
    const groupBy = options.groupBy ?? 'kernel';
    if (groupBy !== 'kernel' && groupBy !== 'module')
      throw new Error(`Profile.table: groupBy must be 'kernel' or 'module', got '${String(groupBy)}'`);
    return formatTable(this.keyAverages(groupBy), {
      groupBy,
      sortBy: options.sortBy ?? (groupBy === 'kernel' ? 'total' : 'self'),
      rowLimit: options.rowLimit,
      info: this.info,
      totalMs: this.totalMs,
      launches: this.launches.length,
    });
  }

  /** The kernel table. */
  toString(): string {
    return this.table();
  }

  /** Everything, for `JSON.stringify`: how it was timed, the launches, and the averages by kernel and by module. */
  toJSON(): object {
    return {
      ...this.info,
      totalMs: this.totalMs,
      launches: this.launches,
      kernels: this.keyAverages('kernel'),
      modules: this.keyAverages('module'),
    };
  }
}
