/**
 * ReduceLROnPlateau, as torch.optim.lr_scheduler's: the lr drops by `factor` when the metric
 * passed to `step(metric)` stops improving (re-exported by lr_scheduler.ts).
 */
import type { Optimizer } from './optimizer.js';
import { checkOptions, describeValue } from '../args.js';
import { checkLoadedState, checkOptimizer, positive, positiveInteger } from './scheduler_args.js';

/** Options of `ReduceLROnPlateau`, as torch's keyword arguments (`mode='min'`, `factor=0.1`, `patience=10`, `threshold=1e-4`, `threshold_mode='rel'`, `cooldown=0`, `min_lr=0`, `eps=1e-8`). */
export interface PlateauOptions {
  /** Whether the metric improves by going down (default 'min', e.g. a loss) or up ('max', e.g. accuracy). */
  mode: 'min' | 'max';
  /** lr = lr * factor on a plateau (default 0.1; must be < 1). */
  factor: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold: number;
  /** 'rel' (default): better than best * (1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown: number;
  /** The lr is never reduced below this (default 0), or one floor per parameter group. */
  minLr: number | number[];
  /** A reduction smaller than this is not applied (default 1e-8). */
  eps: number;
}

/**
 * Multiplies the lr by `factor` when the metric passed to `step(metric)` has not improved for
 * more than `patience` epochs, as torch.optim.lr_scheduler.ReduceLROnPlateau.
 */
export class ReduceLROnPlateau {
  /** The options, defaults filled in. */
  readonly options: PlateauOptions;
  /** The best metric so far (Infinity or -Infinity before the first step). */
  best: number;
  /** Epochs since the metric last improved. */
  numBadEpochs = 0;
  /** Epochs of cooldown left after a reduction. */
  cooldownCounter = 0;
  /** Calls to `step` so far. */
  lastEpoch = 0;

  /** `new ReduceLROnPlateau(optimizer, {mode, factor, patience, ...})`, as `ReduceLROnPlateau(optimizer, mode='min', factor=0.1, ...)`. */
  constructor(
    private readonly optimizer: Optimizer<{ lr: number }>,
    options: Partial<PlateauOptions> = {},
  ) {
    checkOptimizer('ReduceLROnPlateau', optimizer);
    checkOptions('ReduceLROnPlateau', options, {
      mode: ['min', 'max'],
      factor: 'number',
      patience: 'integer',
      threshold: 'number',
      thresholdMode: ['rel', 'abs'],
      cooldown: 'integer',
      minLr: 'number|number[]',
      eps: 'number',
    });
    this.options = {
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
      ...options,
    };
    checkPlateau(this.options, optimizer.paramGroups.length);
    this.best = this.options.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === 'rel' ? a > this.best * (threshold + 1) : a > this.best + threshold;
  }

  /** Ends an epoch with its `metric` (e.g. validation loss); after more than `patience` epochs without improvement, every lr becomes max(lr * factor, minLr). */
  step(metric: number): void {
    if (typeof metric !== 'number')
      throw new Error(
        `ReduceLROnPlateau.step: argument 'metric' must be a number (e.g. await loss.item()), got ${describeValue(metric)}`,
      );
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      for (const [i, g] of this.optimizer.paramGroups.entries()) {
        const { minLr } = this.options;
        const reduced = Math.max(g.options.lr * this.options.factor, Array.isArray(minLr) ? minLr[i] : minLr);
        if (g.options.lr - reduced > this.options.eps) g.options.lr = reduced;
      }
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
  }

  /** The learning rates now in use, one per group, as `get_last_lr()`. */
  getLastLr(): number[] {
    return this.optimizer.lrs;
  }

  /** The counters and the best metric so far, JSON-safe (an infinite best is kept as a string). */
  stateDict(): PlateauState {
    const best = Number.isFinite(this.best) ? this.best : String(this.best);
    return { best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch };
  }

  /** Restores the counters (the learning rates themselves live in the optimizer's state). */
  loadStateDict(state: PlateauState): void {
    checkLoadedState('ReduceLROnPlateau.loadStateDict', state, this.stateDict());
    this.best = Number(state.best);
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
    this.lastEpoch = state.lastEpoch;
  }
}

/** The counters of `ReduceLROnPlateau` as `stateDict()` returns them (JSON-safe). */
export interface PlateauState {
  best: number | string;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
}

/** PyTorch's checks of ReduceLROnPlateau's options (factor < 1), and the ranges that keep the lr sane. */
function checkPlateau(o: PlateauOptions, groups: number): void {
  const op = 'ReduceLROnPlateau';
  if (o.factor >= 1) throw new Error(`${op}: Factor should be < 1.0, got ${o.factor}`);
  positive(op, 'factor', o.factor, true);
  positiveInteger(op, 'patience', o.patience, true);
  positive(op, 'threshold', o.threshold, true);
  positiveInteger(op, 'cooldown', o.cooldown, true);
  positive(op, 'eps', o.eps, true);
  const floors = Array.isArray(o.minLr) ? o.minLr : [o.minLr];
  if (Array.isArray(o.minLr) && o.minLr.length !== groups)
    throw new Error(`${op}: expected ${groups} min_lrs (one per parameter group), got ${o.minLr.length}`);
  floors.forEach((m) => positive(op, 'minLr', m, true));
}
