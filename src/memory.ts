/**
 * Deterministic GPU memory: `tidy(fn)` disposes every tensor created inside `fn` except what it
 * returns (and tensors kept with `keep`), and `memory()` reports what is alive.
 */
import type { Tensor } from './tensor.js';
import { poolStats } from './gpu/pool.js';
import { ValuesIndices } from './values_indices.js';

/** The tensors created in each open `tidy` scope, innermost last. */
const scopes: Set<Tensor>[] = [];
let liveTensors = 0;
let liveBytes = 0;
let peakBytes = 0;

/** Called by Tensor: adjusts the counts of live tensors and of bytes held by live storages. */
export function countLive(tensors: number, bytes: number): void {
  liveTensors += tensors;
  liveBytes += bytes;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
}

/** Starts a new peak measurement for `memory().peakBytes` from the bytes live now (`torch.cuda.reset_peak_memory_stats`). */
export function resetPeakMemory(): void {
  peakBytes = liveBytes;
}

export function trackTensor(t: Tensor): void {
  scopes.at(-1)?.add(t);
}

export function untrackTensor(t: Tensor): void {
  for (const scope of scopes) scope.delete(t);
}

/** Exempts a tensor from disposal by every enclosing `tidy` (e.g. a parameter's `.grad`). */
export function keep<T extends Tensor>(t: T): T {
  untrackTensor(t);
  return t;
}

/**
 * Runs `fn` and disposes every tensor it created except those in its result (a tensor, or
 * arrays/objects of tensors), which move to the enclosing scope. Works with async `fn` too.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope(scope, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    throw new Error('shadergrad: tidy() takes a synchronous function; use tidyAsync() for async work');
  }
  endScope(scope, result);
  return result;
}

/** `tidy` for async functions. Scopes must not interleave: await one before starting another. */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    endScope(scope, undefined);
    throw e;
  }
  endScope(scope, result);
  return result;
}

/**
 * The scope of one module's forward under `noGrad` (nn/forward_scope.ts): `tidy`, except that a
 * result it cannot see into (a Map, a class instance, a Promise) keeps every tensor made inside.
 */
export function tidyForward<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope(scope, undefined);
    throw e;
  }
  endScope(scope, isTransparent(result) ? result : [...scope]);
  return result;
}

/** Whether `t` belongs to the innermost open scope: made there (or returned into it) and not kept. */
export function inInnermostScope(t: Tensor): boolean {
  return scopes.at(-1)?.has(t) ?? false;
}

/** Whether `collectTensors` sees every tensor `value` holds. */
function isTransparent(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isTransparent);
  if (value instanceof ValuesIndices) return true;
  if ('storage' in value && 'shape' in value && 'dispose' in value) return true;
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isTransparent);
}

function endScope(scope: Set<Tensor>, result: unknown): void {
  const index = scopes.lastIndexOf(scope);
  if (index !== scopes.length - 1)
    throw new Error('shadergrad: tidy scopes ended out of order (interleaved async tidy?)');
  scopes.pop();
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  for (const t of scope) {
    if (survivors.has(t)) scopes.at(-1)?.add(t);
    else t.dispose();
  }
}

function collectTensors(value: unknown, out: Set<Tensor>): void {
  if (value === null || typeof value !== 'object') return;
  if ('storage' in value && 'shape' in value && 'dispose' in value) {
    out.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out);
  else if (value instanceof ValuesIndices) for (const v of value) collectTensors(v, out);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collectTensors(v, out);
}

/** GPU memory held by tensors and the pool, as `sg.memory()` returns it (`torch.cuda.memory_stats` in spirit). */
export interface MemoryInfo {
  /** Tensors not yet disposed. */
  liveTensors: number;
  /** Bytes of GPU buffers held by live tensors (as requested; buffers are rounded up to buckets). */
  bytesInUse: number;
  /** Bytes of GPU buffers held by the pool for reuse. */
  pooledBytes: number;
  /** The most `bytesInUse` has been since start or the last `resetPeakMemory()` (`torch.cuda.max_memory_allocated`). */
  peakBytes: number;
}

/** What GPU memory tensors hold now, and at most since `resetPeakMemory()`. */
export function memory(): MemoryInfo {
  return { liveTensors, bytesInUse: liveBytes, pooledBytes: poolStats().pooledBytes, peakBytes };
}
