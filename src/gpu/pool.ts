/**
 * A size-bucketed pool of GPU buffers. Creating a buffer is slow and freeing it at the wrong
 * time is unsafe, so tensors borrow buffers from here and give them back.
 *
 * A buffer given back while commands that use it are still being recorded must not be handed
 * out again before those commands are submitted: a `queue.writeBuffer` into it would run before
 * the recorded commands. Released buffers therefore wait in `pending` until the next submit.
 */
import { gpuDevice, isInitialised } from './device.js';
import { forgetWrites } from './batch_errors.js';
import { forgetDependencies } from './asserts.js';

export const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
export const UNIFORM_USAGE = 0x40 | 0x08; // UNIFORM | COPY_DST
export const READBACK_USAGE = 0x01 | 0x08; // MAP_READ | COPY_DST

/** Buffers above this many pooled bytes are destroyed instead of kept. */
const MAX_POOLED_BYTES = 1 << 30;

/**
 * Trim policy: a pooled buffer not handed out again within this many submits is destroyed.
 * A training loop reuses the same buffers every step (one submit per step), so they stay; sizes
 * seen once (a last partial batch, an evaluation pass, start-up) leave the pool soon after.
 */
let trimAfterSubmits = 32;

/** Sets how many submits a pooled buffer may sit unused before it is destroyed (internal, tests). */
export function setPoolTrimAfter(submits: number): void {
  trimAfterSubmits = submits;
}

/**
 * Rounds a request up to its bucket: powers of two up to 64 KiB, then four buckets per power of
 * two, so no buffer is more than 25% larger than asked for.
 */
export function bucketSize(bytes: number, maxBufferSize = Infinity): number {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (size <= 65536) return 2 ** Math.ceil(Math.log2(size));
  const quarter = 2 ** (Math.floor(Math.log2(size - 1)) - 2);
  // Near the device's largest buffer, the exact size: rounding up would exceed it.
  return Math.min(Math.ceil(size / quarter) * quarter, Math.max(size, maxBufferSize));
}

/** A pooled buffer and the submit count when it was last given back. */
interface Idle {
  buffer: GPUBuffer;
  since: number;
}

interface PoolState {
  device: GPUDevice;
  free: Map<string, Idle[]>;
  pending: Array<[string, GPUBuffer]>;
  pooledBytes: number;
  inUseBytes: number;
  /** Submits so far (each calls `recycleReleased`). */
  submits: number;
  maxBufferSize: number;
}

let pool: PoolState | null = null;

/** The device each pooled buffer was made on (buffers die with their device at `sg.shutdown()`). */
const madeOn = new WeakMap<GPUBuffer, GPUDevice>();

/**
 * Throws if `buffer` belongs to an earlier device (a tensor made before `sg.shutdown()` and a
 * new `sg.init()`): its memory was freed with that device. `what` names the op.
 */
export function checkDevice(buffer: GPUBuffer, what: string): void {
  const device = madeOn.get(buffer);
  if (device && device !== gpuDevice())
    throw new Error(
      `shadergrad: ${what}: this tensor was made before sg.shutdown(); its memory was freed with that device, so it cannot be used with the new one`,
    );
}

function current(): PoolState {
  const device = gpuDevice();
  if (pool?.device !== device)
    pool = {
      device,
      free: new Map(),
      pending: [],
      pooledBytes: 0,
      inUseBytes: 0,
      submits: 0,
      maxBufferSize: device.limits.maxBufferSize,
    };
  return pool;
}

const key = (size: number, usage: number) => `${usage}:${size}`;

/** The bytes asked for when each buffer was last handed out (buffers are rounded up to buckets). */
const requested = new WeakMap<GPUBuffer, number>();

/** The bytes last asked for of a pooled buffer (its size for buffers from elsewhere): what the profiler counts as moved. */
export function requestedBytes(buffer: GPUBuffer): number {
  return requested.get(buffer) ?? buffer.size;
}

/** A buffer of at least `bytes` bytes. Its contents are whatever the last user left. */
export function acquireBuffer(bytes: number, usage = STORAGE_USAGE, label?: string): GPUBuffer {
  const p = current();
  const size = bucketSize(bytes, p.maxBufferSize);
  if (size > p.maxBufferSize) {
    throw new Error(
      `shadergrad: a buffer of ${bytes} bytes exceeds this device's maxBufferSize of ${p.maxBufferSize} bytes`,
    );
  }
  const reuse = p.free.get(key(size, usage))?.pop();
  p.inUseBytes += size;
  if (reuse) {
    p.pooledBytes -= size;
    forgetWrites(reuse.buffer);
    forgetDependencies(reuse.buffer);
    requested.set(reuse.buffer, bytes);
    return reuse.buffer;
  }
  const buffer = p.device.createBuffer({ size, usage, label });
  madeOn.set(buffer, p.device);
  requested.set(buffer, bytes);
  return buffer;
}

/** Gives a buffer back. It becomes reusable after the commands recorded so far are submitted. */
export function releaseBuffer(buffer: GPUBuffer): void {
  // After sg.shutdown() (or for a buffer of an earlier device) there is nothing to give back.
  if (!isInitialised() || madeOn.get(buffer) !== gpuDevice()) return;
  const p = current();
  p.inUseBytes -= buffer.size;
  p.pending.push([key(buffer.size, buffer.usage), buffer]);
}

/** Called right after a submit: buffers released before it may be handed out again. */
export function recycleReleased(): void {
  if (!pool) return;
  const p = pool;
  p.submits++;
  for (const [k, buffer] of p.pending.splice(0)) {
    if (p.pooledBytes + buffer.size > MAX_POOLED_BYTES) {
      buffer.destroy();
      continue;
    }
    let list = p.free.get(k);
    if (!list) p.free.set(k, (list = []));
    list.push({ buffer, since: p.submits });
    p.pooledBytes += buffer.size;
  }
  trimIdle(p);
}

/** Destroys pooled buffers unused for more than `trimAfterSubmits` submits (the oldest sit first in each list). */
function trimIdle(p: PoolState): void {
  for (const [k, list] of p.free) {
    let drop = 0;
    while (drop < list.length && p.submits - list[drop].since > trimAfterSubmits) drop++;
    if (drop === 0) continue;
    for (const idle of list.splice(0, drop)) {
      p.pooledBytes -= idle.buffer.size;
      idle.buffer.destroy();
    }
    if (list.length === 0) p.free.delete(k);
  }
}

/** Destroys every pooled (unused) buffer, like `torch.cuda.empty_cache()`. */
export function emptyCache(): void {
  if (!pool) return;
  for (const list of pool.free.values()) for (const idle of list) idle.buffer.destroy();
  pool.free.clear();
  pool.pooledBytes = 0;
}

export function poolStats(): { pooledBytes: number; inUseBytes: number } {
  if (!pool) return { pooledBytes: 0, inUseBytes: 0 };
  return { pooledBytes: pool.pooledBytes, inUseBytes: pool.inUseBytes };
}
