/**
 * Device-side asserts, as CUDA's in PyTorch: a kernel that meets data it cannot handle (an index
 * out of range that was computed on the GPU, so no check on the CPU could see it) records it in
 * a small buffer instead of writing NaN silently, and a later readback throws, naming the op and
 * the bad value.
 *
 * Which reads throw. Every launch that may assert gets an id (1, 2, ...). A buffer it writes, and
 * every buffer written by an op (or a copy) that reads such a buffer, carries the range [lo, hi]
 * of the assert ids it depends on. A readback also copies the assert buffer, so the launches
 * recorded before it are then known to have passed or failed; the readback throws when the
 * buffer it reads depends on a failed launch, and reads everything else normally: an unrelated
 * tensor is never poisoned. `sg.synchronize()` throws each failure once even if nothing
 * depending on it is read. A range can over-approximate (a buffer depending on launches 3 and 9
 * carries [3, 9], and throws if launch 5 failed), never the reverse. A buffer stays poisoned as
 * long as it lives (an in-place update does not clean it), as PyTorch's tensors after an assert.
 *
 * The buffer holds 8 u32: [0] the largest failed id (atomicMax), [1] ~(the smallest failed id)
 * (atomicMax of ~id; 0: none), [2] a flag taken by the first failure, which writes [3] its id,
 * [4] the bad value (i32 bits) and [5] the bound. A kernel raises one with
 *   atomicMax(&asserts[0], p.site); atomicMax(&asserts[1], ~p.site);
 *   if (atomicExchange(&asserts[2], 1u) == 0u) { atomicStore(&asserts[3], p.site); ... }
 */

/** STORAGE | COPY_SRC | COPY_DST (pool.ts's STORAGE_USAGE; the pool imports this file). */
const USAGE = 0x80 | 0x04 | 0x08;
/** Bytes of the assert buffer, copied with each readback while launches are unresolved. */
export const ASSERT_BYTES = 32;

/** How an op words a failed assert: the bad value and the bound it broke. */
export type AssertMessage = (value: number, bound: number) => string;

interface Failure {
  lo: number;
  hi: number;
  message: string;
  reported: boolean;
}

let device: GPUDevice | null = null;
let buffer: GPUBuffer | null = null;
/** The last assert id given out; ids up to `resolved` have been read back. */
let lastId = 0;
let resolved = 0;
/** How each unresolved launch words its failure. */
let wording = new Map<number, [string, AssertMessage]>();
let failures: Failure[] = [];
/** The assert ids each buffer's contents depend on. */
let taint = new WeakMap<GPUBuffer, [number, number]>();

function reset(dev: GPUDevice): void {
  device = dev;
  buffer = dev.createBuffer({ label: 'shadergrad asserts', size: ASSERT_BYTES, usage: USAGE });
  lastId = resolved = 0;
  wording = new Map();
  failures = [];
  taint = new WeakMap();
}

/**
 * A new assert id for the next launches of `op` (pass it as their `site` uniform) and the assert
 * buffer to bind as `array<atomic<u32>, 8>`. `message` words a failure.
 */
export function assertLaunch(dev: GPUDevice, op: string, message: AssertMessage): { site: number; buffer: GPUBuffer } {
  if (device !== dev || !buffer) reset(dev);
  wording.set(++lastId, [op, message]);
  return { site: lastId, buffer: buffer! };
}

const meets = (t: readonly [number, number], f: Failure) => t[0] <= f.hi && f.lo <= t[1];

/** `b`'s dependency range, narrowed to launches that are unresolved or failed (undefined: none). */
function live(b: GPUBuffer): [number, number] | undefined {
  const t = taint.get(b);
  if (!t || t[0] > resolved) return t;
  if (failures.some((f) => meets(t, f))) return t;
  if (t[1] <= resolved) {
    taint.delete(b);
    return undefined;
  }
  t[0] = resolved + 1;
  return t;
}

/**
 * Records that a launch (or a copy) reading `read` wrote `written`: the written buffers now
 * depend on the asserts their inputs depend on, and on the last assert id if the assert buffer
 * is among `read`. Called by the command layer for every dispatch and copy.
 */
export function noteDependencies(read: readonly GPUBuffer[], written: readonly GPUBuffer[]): void {
  if (!buffer) return;
  let lo = Infinity;
  let hi = 0;
  for (const b of read) {
    const t = b === buffer ? ([lastId, lastId] as const) : live(b);
    if (t) [lo, hi] = [Math.min(lo, t[0]), Math.max(hi, t[1])];
  }
  if (hi === 0) return;
  for (const w of written) {
    if (w === buffer) continue;
    const t = taint.get(w);
    taint.set(w, t ? [Math.min(t[0], lo), Math.max(t[1], hi)] : [lo, hi]);
  }
}

/** A buffer handed out again by the pool: its old contents' dependencies no longer matter. */
export function forgetDependencies(b: GPUBuffer): void {
  taint.delete(b);
}

/** The assert buffer to copy with a readback, and the last id it covers, or null when all are resolved. */
export function pendingAsserts(dev: GPUDevice): { buffer: GPUBuffer; upTo: number } | null {
  return device === dev && buffer && lastId > resolved ? { buffer, upTo: lastId } : null;
}

/**
 * After a readback of `read`: takes in the assert words copied with it (if any; they cover ids
 * up to `upTo`), then throws if `read` depends on a failed launch.
 */
export function checkAsserts(dev: GPUDevice, words: Uint32Array | null, upTo: number, read: GPUBuffer): void {
  if (device !== dev) return;
  if (words) resolve(dev, words, upTo);
  const t = live(read);
  const failure = t && failures.find((f) => meets(t, f));
  if (failure) {
    failure.reported = true;
    throw new Error(failure.message);
  }
}

function resolve(dev: GPUDevice, words: Uint32Array, upTo: number): void {
  if (words[0] !== 0) {
    // The first failure's wording is gone when the buffer was not cleared after it was seen.
    const wordedBy = wording.get(words[3]);
    const text = wordedBy
      ? `shadergrad: ${wordedBy[0]}: ${wordedBy[1](words[4] | 0, words[5])} (a device-side assert)`
      : (failures.at(-1)?.message ?? `shadergrad: a device-side assert (value ${words[4] | 0})`);
    failures.push({ lo: ~words[1] >>> 0, hi: words[0], message: text, reported: false });
    // Cleared only when no launch was recorded since the copy (one could have failed since);
    // otherwise the next readback sees these failures again, which only widens the range.
    if (lastId === upTo) dev.queue.writeBuffer(buffer!, 0, new Uint32Array(ASSERT_BYTES / 4));
  }
  for (const id of wording.keys()) if (id <= upTo) wording.delete(id);
  resolved = Math.max(resolved, upTo);
}

/** Throws the first failure no readback has thrown yet (for `sg.synchronize()`). */
export function throwUnreported(dev: GPUDevice): void {
  const failure = device === dev ? failures.find((f) => !f.reported) : undefined;
  if (!failure) return;
  failure.reported = true;
  throw new Error(failure.message);
}
