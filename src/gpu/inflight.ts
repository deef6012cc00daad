/**
 * Bounding the work in flight. Ops are synchronous: they record commands and return, and a
 * training step submits its command buffer without waiting (`optimizer.step()` → `flush()`).
 * Left alone, recording outruns the GPU, and Dawn keeps every submitted command buffer and bind
 * group until it learns that the GPU finished them. It learns that only when it is ticked, and
 * in Node it ticks only from the event loop while some WebGPU promise is pending: a loop that
 * never reads a value back never lets it, host memory grows without end and the driver
 * eventually fails (lavapipe: a crash in `createBindGroup` after a few thousand steps).
 *
 * JavaScript cannot block, so the bound lives at the points where a loop already awaits:
 * - every submit asks `queue.onSubmittedWorkDone()`, so Dawn ticks (and frees finished work)
 *   whenever the event loop turns, and we count the batches not yet finished;
 * - `waitForRoom()` resolves once at most `maxInFlight` batches are unfinished; the data
 *   loader awaits it before handing out each batch, `sg.throttle()` exposes it for loops over
 *   tensors already on the GPU, and readbacks and `sg.synchronize()` wait for everything;
 * - a loop that never awaits cannot be helped by any library (nothing can tick Dawn); past
 *   `WARN_AT` unfinished batches it gets one warning saying where to put an `await`, and at
 *   `REFUSE_AT` the next submit throws (after submitting: no work is lost), a clear error in
 *   place of the driver's crash (lavapipe: SIGSEGV after 1,200-2,700 steps of a small CNN).
 *
 * Why nothing can tick Dawn synchronously (checked on webgpu 0.6.2, Dawn's node bindings):
 * GPU, GPUDevice and GPUQueue expose no processEvents/tick/waitAny method, `create([...])` takes
 * only Dawn toggles and backend/adapter names, and the native `wgpuInstanceProcessEvents` is
 * called only from `AsyncRunner::ScheduleProcessEvents`, a task on Node's event loop queued
 * while a WebGPU promise is pending. A blocking wait (Atomics.wait) would block that loop too.
 */
import { politeWait } from './wait.js';

/** Unfinished batches `waitForRoom()` allows: the GPU works on one while the next is recorded. */
let maxInFlight = 2;
/** Unfinished batches at which a loop that never yields is warned (once). */
const WARN_AT = 256;
/** Unfinished batches at which such a loop is stopped with an error. */
const REFUSE_AT = 1024;

interface InFlight {
  device: GPUDevice;
  /** Completion promises of the unfinished batches, oldest first. */
  done: Array<Promise<void>>;
  warned: boolean;
  /** Whether this run-away episode was already stopped (so the readback that follows can flush). */
  refused: boolean;
}
let state: InFlight | null = null;

/** Records one submit on `device`; its completion is counted when Dawn reports it. */
export function trackSubmit(device: GPUDevice): void {
  if (state?.device !== device) state = { device, done: [], warned: false, refused: false };
  const s = state;
  const done: Promise<void> = device.queue.onSubmittedWorkDone().then(
    () => settle(s, done),
    () => settle(s, done),
  );
  s.done.push(done);
  if (s.done.length >= WARN_AT && !s.warned) {
    s.warned = true;
    const message =
      `shadergrad: ${s.done.length} submitted command batches are unfinished and the program has not ` +
      'yielded to the event loop: the GPU cannot keep up and finished work cannot be freed. ' +
      'Await something in the loop: `await sg.throttle()` each step, a readback, or a DataLoader.';
    // Written at once: process.emitWarning delivers on process.nextTick, which a loop that
    // never yields never reaches (the warning appeared only after the crash, that is never).
    console.warn(message);
  }
}

/**
 * Throws when `REFUSE_AT` submitted batches are unfinished: the program has recorded far ahead of
 * the GPU without ever yielding, and would next exhaust the driver. Called by `flush()` after its
 * submit, so the work recorded so far still runs and reads back once the loop awaits; once per
 * episode (until the GPU catches up), so that the readback after the error can flush.
 */
export function refuseRunaway(): void {
  const s = state;
  if (!s || s.done.length < REFUSE_AT || s.refused) return;
  s.refused = true;
  const pending = s.done.length;
  throw new Error(
    `shadergrad: ${pending} submitted command batches are unfinished and the program has not yielded to ` +
      'the event loop, so finished work cannot be freed and the driver would run out of memory. ' +
      'Await something in the loop: `await sg.throttle()` each step, a readback, or a DataLoader.',
  );
}

function settle(s: InFlight, done: Promise<void>): void {
  const i = s.done.indexOf(done);
  if (i >= 0) s.done.splice(i, 1);
  if (s.done.length === 0) s.warned = s.refused = false;
}

/** How many submitted command batches the GPU has not yet finished (as far as Dawn has reported). */
export function pendingBatches(): number {
  return state?.done.length ?? 0;
}

/** Waits (politely) until at most `max` submitted batches are unfinished. */
export async function waitForRoom(max = maxInFlight): Promise<void> {
  const s = state;
  while (s && s.done.length > max) await politeWait(s.done[0]);
}

/** Sets how many unfinished batches `waitForRoom()` allows (at least 1); returns the previous value. */
export function setMaxInFlight(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`shadergrad: setMaxInFlight takes an integer >= 1, got ${n}`);
  const old = maxInFlight;
  maxInFlight = n;
  return old;
}
