/**
 * The console display of a training run, as `shadergrad finetune` and `npm run demo` show it:
 * a progress bar per epoch (images/s, loss, accuracy, ETA), then a one-line summary per epoch.
 */
import type { TrainEvents } from './fit.js';
import { ProgressBar, formatEpochSummary, type ProgressStream } from './progress.js';
import { checkOptions } from '../args.js';

/** Where the console reporter writes: lines to `log` (default console.log), the bar to `stream` (default stdout). */
export interface ReporterOptions {
  /** Receives each line (default console.log). */
  log?: (line: string) => void;
  /** Receives the progress bar (default stdout). */
  stream?: ProgressStream;
}

/** Listeners for `fit` that draw the progress bar and print the phase and epoch lines. */
export function consoleReporter(o: ReporterOptions = {}): TrainEvents {
  checkOptions('consoleReporter', o, { log: 'function', stream: 'object' });
  const log = o.log ?? ((line: string) => console.log(line));
  let bar: ProgressBar | null = null;
  return {
    log,
    epochStart: ({ epoch, epochs, samples }) => {
      bar = new ProgressBar({ total: samples, label: `epoch ${epoch}/${epochs}`, stream: o.stream });
    },
    batch: ({ seen, loss, acc }) => bar?.update(seen, { loss, acc }),
    epochTrained: () => {
      bar?.finish();
      bar = null;
    },
    epochEnd: (row, { epochs, best }) => log(formatEpochSummary(row, epochs, { best })),
  };
}

/** Listeners that call each of `all` in turn. */
export function combineEvents(...all: Array<TrainEvents | undefined>): TrainEvents {
  const each =
    <K extends keyof TrainEvents>(key: K) =>
    (...args: Parameters<NonNullable<TrainEvents[K]>>) => {
      for (const e of all) (e?.[key] as ((...a: typeof args) => void) | undefined)?.(...args);
    };
  return {
    log: each('log'),
    epochStart: each('epochStart'),
    batch: each('batch'),
    epochTrained: each('epochTrained'),
    epochEnd: async (row, e) => {
      for (const listener of all) await listener?.epochEnd?.(row, e);
    },
  };
}
