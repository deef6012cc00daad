/**
 * A size-bucketed pool of GPU buffers. Creating a buffer is slow and freeing it at the wrong
 * time is unsafe, so tensors borrow buffers from here and give them back.
 *
 * A buffer given back while commands that use it are still being recorded must not be handed
 * out again before those commands are submitted: a `queue.writeBuffer` into it would run before
 * the recorded commands. Released buffers therefore wait in `pending` until the next submit.
 */
import { gpuDevice } from './device.js';

export const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
export const UNIFORM_USAGE = 0x40 | 0x08; // UNIFORM | COPY_DST
export const READBACK_USAGE = 0x01 | 0x08; // MAP_READ | COPY_DST

/** Buffers above this many pooled bytes are destroyed instead of kept. */
const MAX_POOLED_BYTES = 1 << 30;

/**
 * Rounds a request up to its bucket: powers of two up to 64 KiB, then four buckets per power of
 * two, so no buffer is more than 25% larger than asked for.
 */
export function bucketSize(bytes: number): number {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (size <= 65536) return 2 ** Math.ceil(Math.log2(size));
  const quarter = 2 ** (Math.floor(Math.log2(size - 1)) - 2);
  return Math.ceil(size / quarter) * quarter;
}

interface PoolState {
  device: GPUDevice;
  free: Map<string, GPUBuffer[]>;
  pending: Array<[string, GPUBuffer]>;
  pooledBytes: number;
  inUseBytes: number;
}

let pool: PoolState | null = null;

function current(): PoolState {
  const device = gpuDevice();
  if (pool?.device !== device) pool = { device, free: new Map(), pending: [], pooledBytes: 0, inUseBytes: 0 };
  return pool;
}

const key = (size: number, usage: number) => `${usage}:${size}`;

/** A buffer of at least `bytes` bytes. Its contents are whatever the last user left. */
export function acquireBuffer(bytes: number, usage = STORAGE_USAGE, label?: string): GPUBuffer {
  const p = current();
  const size = bucketSize(bytes);
  const reuse = p.free.get(key(size, usage))?.pop();
  p.inUseBytes += size;
  if (reuse) {
    p.pooledBytes -= size;
    return reuse;
  }
  return p.device.createBuffer({ size, usage, label });
}

/** Gives a buffer back. It becomes reusable after the commands recorded so far are submitted. */
export function releaseBuffer(buffer: GPUBuffer): void {
  const p = current();
  p.inUseBytes -= buffer.size;
  p.pending.push([key(buffer.size, buffer.usage), buffer]);
}

/** Called right after a submit: buffers released before it may be handed out again. */
export function recycleReleased(): void {
  if (!pool) return;
  const p = pool;
  for (const [k, buffer] of p.pending.splice(0)) {
    if (p.pooledBytes + buffer.size > MAX_POOLED_BYTES) {
      buffer.destroy();
      continue;
    }
    let list = p.free.get(k);
    if (!list) p.free.set(k, (list = []));
    list.push(buffer);
    p.pooledBytes += buffer.size;
  }
}

/** Destroys every pooled (unused) buffer, like `torch.cuda.empty_cache()`. */
export function emptyCache(): void {
  if (!pool) return;
  for (const list of pool.free.values()) for (const b of list) b.destroy();
  pool.free.clear();
  pool.pooledBytes = 0;
}

export function poolStats(): { pooledBytes: number; inUseBytes: number } {
  if (!pool) return { pooledBytes: 0, inUseBytes: 0 };
  return { pooledBytes: pool.pooledBytes, inUseBytes: pool.inUseBytes };
}
