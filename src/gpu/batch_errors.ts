/**
 * Errors the device reports about a command batch, never silent. Ops are validated before they
 * are recorded (src/gpu/validate.ts), but the device may still refuse a batch (out of memory,
 * a driver limit): WebGPU then drops the whole command buffer, including the valid work recorded
 * before the bad command, and the buffers it should have written keep stale contents.
 *
 * Each batch is recorded inside error scopes (validation, out-of-memory, internal) that are
 * popped right after its submit. Every buffer remembers the batch that last wrote it. When a
 * batch fails, it and the batches submitted after it up to now (they may have read its lost
 * results) are marked failed: a readback of a buffer they wrote throws naming the batch's ops and
 * the device's message, an op reading such a buffer throws before it is recorded, and the next
 * sync point (`flush`, readback, `sg.synchronize()`) throws the message once.
 */
import { reportError } from './device.js';

/** The device the bookkeeping below belongs to. */
let batchDevice: GPUDevice | null = null;
/** The batch being recorded (ids start at 1; 0 means "written outside any batch"). */
let openBatch = 1;
let scopeOpen = false;
/** The batch that last wrote each buffer. */
let lastWrite = new WeakMap<GPUBuffer, number>();
/** Failed batches and what the device said. */
const failed = new Map<number, string>();
/** Pops of submitted batches not yet resolved. */
const checks = new Set<Promise<void>>();
/** Kernel names recorded in the open batch (for messages). */
let ops = new Set<string>();

/** Called when a batch starts recording on `device`: its errors go to this batch's scopes. */
export function beginBatch(device: GPUDevice): void {
  if (batchDevice !== device) resetBatchErrors(device);
  if (scopeOpen) return;
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  scopeOpen = true;
}

/** Notes that the open batch runs `op` and writes `buffers`. */
export function noteWrites(op: string, buffers: readonly GPUBuffer[]): void {
  ops.add(op);
  for (const b of buffers) lastWrite.set(b, openBatch);
}

/** Called right after the open batch was submitted: pops its scopes and starts a new batch. */
export function endBatch(device: GPUDevice): void {
  if (!scopeOpen || batchDevice !== device) return;
  scopeOpen = false;
  const id = openBatch++;
  const names = [...ops];
  ops = new Set();
  const pops = [device.popErrorScope(), device.popErrorScope(), device.popErrorScope()];
  const check = Promise.all(pops).then(
    (errors) => {
      const error = errors.find((e) => e !== null);
      if (error) markFailed(id, names, error.message);
    },
    () => undefined,
  );
  checks.add(check);
  void check.finally(() => checks.delete(check));
}

function markFailed(id: number, names: string[], message: string): void {
  const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? ', ...' : '');
  const text = `a command batch was refused by the device and its results were lost (ops: ${shown}): ${message}`;
  // The batches submitted after it, and the one being recorded if it holds work, may have read
  // its lost results; work recorded from now on is checked before it is recorded.
  const last = ops.size > 0 ? openBatch : openBatch - 1;
  for (let b = id; b <= last; b++) if (!failed.has(b)) failed.set(b, text);
  reportError(text);
}

/** Resolves when every submitted batch's scopes were popped (its failure, if any, is known). */
export async function settleBatchChecks(): Promise<void> {
  while (checks.size) await Promise.all([...checks]);
}

/** The id of the batch being recorded. */
export function currentBatch(): number {
  return openBatch;
}

/** Throws if `buffer`'s contents were lost in a failed batch (`what` names the reader). */
export function throwIfLost(buffer: GPUBuffer, what: string): void {
  const message = failed.get(lastWrite.get(buffer) ?? 0);
  if (message) throw new Error(`shadergrad: ${what}: its input was lost: ${message}`);
}

/** Throws if batch `id` failed (`what` names the readback). */
export function throwIfBatchFailed(id: number, what: string): void {
  const message = failed.get(id);
  if (message) throw new Error(`shadergrad: ${what}: ${message}`);
}

/** A buffer handed out again by the pool: its old writer no longer matters. */
export function forgetWrites(buffer: GPUBuffer): void {
  lastWrite.delete(buffer);
}

function resetBatchErrors(device: GPUDevice): void {
  batchDevice = device;
  scopeOpen = false;
  lastWrite = new WeakMap();
  failed.clear();
  checks.clear();
  ops = new Set();
}
