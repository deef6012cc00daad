// The fuzz harness: runs one file through one reader and judges the outcome. A case passes when
// the reader loads the file (and the case allows that) or throws an Error that names the file
// and matches the expected problem, within a time bound, without growing the process's peak
// memory past a bound. Used by test/fuzz/*.test.ts (fixed seeds) and tools/fuzz.ts (longer runs).
import * as sg from '../../src/index.js';

/** The readers under test: sg.io.load / inspect / readCheckpoint, sg.load (checkpoints), image decoding. */
export type Reader = 'load' | 'inspect' | 'readCheckpoint' | 'checkpoint' | 'image';

/** One hostile (or mutated) file and what must happen. */
export interface Case {
  /** What the case is, for reports; also the file name given to the reader (errors must contain it). */
  name: string;
  reader: Reader;
  bytes: Uint8Array;
  /** The problem the error must describe; 'ok' when the file must load; 'either' for random mutations. */
  expect: RegExp | 'ok' | 'either';
  /** Options passed to the reader (e.g. maxTensorBytes, maxImagePixels). */
  options?: Record<string, unknown>;
}

/**
 * How long one case may take, and how much it may raise the process's peak memory. Generous
 * for a loaded 2-core machine: a bomb that is not defused takes minutes to hours, or gigabytes.
 */
export const BOUNDS = { ms: 10_000, peakBytes: 300 * 2 ** 20 };

/** Runs `bytes` through `reader`, naming the source `name`; GPU tensors made are disposed. */
export async function read(reader: Reader, bytes: Uint8Array, name: string, options: Record<string, unknown> = {}) {
  switch (reader) {
    case 'load': {
      const state = await sg.io.load(bytes, { name, ...options });
      for (const t of state.values()) t.dispose();
      return state.size;
    }
    case 'inspect':
      return (await sg.io.inspect(bytes, { name })).length;
    case 'readCheckpoint':
      return sg.io.readCheckpoint(bytes, { name, ...options });
    case 'checkpoint':
      return sg.load(bytes, { name });
    case 'image': {
      // Mutated headers often land between the pixel limit and twice it: a warning, not a failure.
      const warn = console.warn;
      console.warn = () => {};
      try {
        return sg.data.decodeImage(bytes, name, options);
      } finally {
        console.warn = warn;
      }
    }
  }
}

/** What happened: the error (if any), the time taken and how much the peak RSS grew. */
export interface Outcome {
  error: unknown;
  ms: number;
  peakGrowth: number;
}

export async function run(c: Case): Promise<Outcome> {
  const peak = () => process.resourceUsage().maxRSS * 1024;
  const before = peak();
  const t0 = performance.now();
  let error: unknown = null;
  try {
    await read(c.reader, c.bytes, c.name, c.options);
  } catch (e) {
    error = e;
  }
  return { error, ms: performance.now() - t0, peakGrowth: peak() - before };
}

/** Why an outcome breaks the rules, or null when it is fine. */
export function judge(c: Case, o: Outcome): string | null {
  if (o.ms > BOUNDS.ms) return `took ${o.ms.toFixed(0)} ms (bound ${BOUNDS.ms})`;
  if (o.peakGrowth > BOUNDS.peakBytes) return `raised the peak memory by ${(o.peakGrowth / 2 ** 20).toFixed(0)} MiB`;
  if (o.error === null) return c.expect === 'ok' || c.expect === 'either' ? null : `loaded; expected ${c.expect}`;
  if (!(o.error instanceof Error)) return `threw a non-Error: ${String(o.error)}`;
  const msg = o.error.message;
  if (c.expect === 'ok') return `expected a clean load, got: ${msg}`;
  if (!msg.includes(c.name)) return `the error does not name the file: ${msg}`;
  if (/Maximum call stack|is not a function|Cannot read propert|is not iterable|Invalid array length/.test(msg))
    return `an internal error leaked: ${msg}`;
  if (c.expect instanceof RegExp && !c.expect.test(msg))
    return `error ${JSON.stringify(msg)} does not match ${c.expect}`;
  return null;
}
