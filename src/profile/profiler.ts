/**
 * The profiler: `sg.profile(fn)` (or `sg.profiler.start()` ... `await sg.profiler.stop()`) runs
 * work with every kernel launch observed (gpu/launch_observer.ts) and returns a `Profile`: one
 * record per launch (kernel name and version from the table in src/kernels.ts, the module path
 * and input shapes it ran under, its GPU time, FLOPs or bytes), grouped and printed like
 * torch.profiler's `key_averages().table()`.
 *
 * Timing is by GPU timestamps where the adapter has `timestamp-query`, else synchronised
 * (profile/timers.ts); the profile says which. Timing each launch apart (its own pass, or its own
 * submit) costs a little, so a profiled run is slower than an unprofiled one; the shares are
 * what to read.
 */
import { synchronize } from '../gpu/commands.js';
import { deviceInfo, hasFeature } from '../gpu/device.js';
import { setLaunchObserver, type Launch } from '../gpu/launch_observer.js';
import { launchBytes, launchFlops, kernelVersion } from './costs.js';
import { moduleFrames, trackModulePaths } from './module_stack.js';
import { adapterPeaks, type Peaks } from './peaks.js';
import { Profile, type LaunchRecord } from './profile.js';
import { SyncTimer, TimestampTimer, type LaunchTimer } from './timers.js';

/** How `profile` runs. */
export interface ProfileOptions {
  /** 'timestamp' (GPU timestamp queries), 'sync' (a submit and wait per launch), or 'auto' (the default): timestamps where the adapter has them. */
  timing?: 'auto' | 'timestamp' | 'sync';
  /** Report shares of the adapter's measured peaks (measured once per device, about a second; default true), or the peaks to use. */
  peaks?: boolean | Peaks;
}

interface Session {
  timer: LaunchTimer;
  pending: Array<Omit<LaunchRecord, 'ms'>>;
  peaks: Peaks | null;
  start: number;
}

let session: Session | null = null;

/** Describes one launch with the modules running around it. */
function describe(launch: Launch): Omit<LaunchRecord, 'ms'> {
  const frames = moduleFrames();
  const top = frames.at(-1);
  return {
    kernel: launch.kernel.name,
    ...kernelVersion(launch.kernel.name),
    entryPoint: launch.kernel.entryPoint ?? 'main',
    module: top?.path ?? null,
    moduleType: top?.type ?? null,
    modules: frames.map(({ path, type }) => ({ path, type })),
    shapes: top?.shapes ?? '',
    grid: [...launch.grid],
    flops: launchFlops(launch),
    bytes: launchBytes(launch),
  };
}

/** Starts observing launches (after the work recorded so far has finished). */
async function start(options: ProfileOptions = {}): Promise<void> {
  if (session) throw new Error('shadergrad profiler: already running (stop() it first)');
  const timing = options.timing ?? 'auto';
  const stamps = hasFeature('timestamp-query');
  if (timing === 'timestamp' && !stamps)
    throw new Error(
      "shadergrad profiler: timing 'timestamp' needs the adapter feature 'timestamp-query', which this adapter lacks",
    );
  if (!['auto', 'timestamp', 'sync'].includes(timing))
    throw new Error(`shadergrad profiler: timing must be 'auto', 'timestamp' or 'sync', got '${String(timing)}'`);
  const peaks =
    options.peaks === false
      ? null
      : options.peaks === true || options.peaks === undefined
        ? await adapterPeaks()
        : options.peaks;
  await synchronize();
  const timer: LaunchTimer = timing === 'sync' || !stamps ? new SyncTimer() : new TimestampTimer();
  const s: Session = { timer, pending: [], peaks, start: performance.now() };
  timer.onLaunch = (launch) => s.pending.push(describe(launch));
  session = s;
  setLaunchObserver(timer);
  trackModulePaths(true);
}

/** Stops observing, waits for the GPU, and returns the profile of everything since `start()`. */
async function stop(): Promise<Profile> {
  const s = session;
  if (!s) throw new Error('shadergrad profiler: not running (call start() first)');
  session = null;
  setLaunchObserver(null);
  trackModulePaths(false);
  const times = await s.timer.finish();
  const wallMs = performance.now() - s.start;
  const launches = s.pending.map((r, i) => ({ ...r, ms: times[i] ?? 0 }));
  return new Profile(launches, { timing: s.timer.mode, adapter: deviceInfo().adapterName, peaks: s.peaks, wallMs });
}

/** `torch.profiler.profile` as a start/stop pair: `await sg.profiler.start(); ...; const p = await sg.profiler.stop();`. */
export const profiler = {
  /** Starts recording (after the work recorded so far has finished); `options` as for `sg.profile`. */
  start,
  /** Stops recording, waits for the GPU, and returns the `Profile` of everything since `start()`. */
  stop,
  /** Whether a profile is being recorded. */
  get running(): boolean {
    return session !== null;
  },
};

/**
 * Runs `fn` (sync or async) with every kernel launch timed and returns its `Profile`, as
 * `with torch.profiler.profile() as prof: fn()`; print `profile.table({sortBy: 'total'})`
 * (`prof.key_averages().table(sort_by=...)`). If `fn` throws, profiling stops and the error is rethrown.
 */
export async function profile(fn: () => unknown, options: ProfileOptions = {}): Promise<Profile> {
  await start(options);
  try {
    await fn();
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return stop();
}
