/**
 * Waiting for the GPU without stealing its CPU: in Node, Dawn polls for completion from a
 * `setImmediate` loop while a WebGPU promise is pending. `politeWait` spaces those polls by 1 ms
 * while we wait (used by readbacks, `sg.synchronize()` and `sg.throttle()`).
 */

let waiters = 0;
let savedSetImmediate: typeof setImmediate | null = null;
let polite = true;

/** Whether waits poll politely (see `politeWait`). On by default; for benchmarking the effect. Returns the previous setting. */
export function setPoliteWaiting(on: boolean): boolean {
  const previous = polite;
  polite = on;
  return previous;
}

/**
 * Awaits a WebGPU promise. In Node, Dawn polls for completion from a `setImmediate` loop while
 * a promise is pending, which keeps one CPU core busy; on a software driver that core is one
 * the GPU work needed. While we wait, its ticks are spaced by 1 ms timers instead.
 */
export async function politeWait<T>(promise: Promise<T>): Promise<T> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode || !polite) return promise;
  if (waiters++ === 0) {
    savedSetImmediate = globalThis.setImmediate;
    globalThis.setImmediate = ((fn: (...a: unknown[]) => void, ...args: unknown[]) =>
      setTimeout(fn, 1, ...args)) as unknown as typeof setImmediate;
  }
  try {
    return await promise;
  } finally {
    if (--waiters === 0) globalThis.setImmediate = savedSetImmediate!;
  }
}
