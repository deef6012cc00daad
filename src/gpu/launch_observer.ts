/**
 * A hook into every kernel launch, for the profiler (src/profile/). While an observer is set,
 * `encodeDispatch` puts each launch in a compute pass of its own, so that the pass's
 * `timestampWrites` bracket exactly that launch, and tells the observer after recording it (the
 * synchronised timer submits there). With no observer set, launches share one pass as usual.
 */
import type { Kernel } from './pipelines.js';

/** A binding: a whole buffer, or a byte range of one. */
export type BufferBinding = GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

/** What the observer learns about one launch. */
export interface Launch {
  /** The resolved kernel: its table name, entry point, override constants. */
  readonly kernel: Kernel;
  /** The uniform fields by name (empty for launches outside the kernel table). */
  readonly uniforms: Readonly<Record<string, number | readonly number[]>>;
  /** The uniform's bytes, if the kernel has one. */
  readonly params: ArrayBuffer | null;
  /** The storage bindings, in order. */
  readonly buffers: readonly BufferBinding[];
  /** Workgroup counts. */
  readonly grid: readonly number[];
}

/** Watches launches one by one. */
export interface LaunchObserver {
  /** Called before the launch is recorded; returns the timestamp writes for its own pass, if any. */
  beginLaunch(launch: Launch): GPUComputePassTimestampWrites | undefined;
  /** Called once the launch is recorded and its pass ended. */
  endLaunch(): void;
}

let observer: LaunchObserver | null = null;

/** Sets (or with null, removes) the one launch observer. */
export function setLaunchObserver(o: LaunchObserver | null): void {
  observer = o;
}

/** The launch observer, if one is set. */
export function launchObserver(): LaunchObserver | null {
  return observer;
}
