/**
 * Learning-rate schedules, as torch.optim.lr_scheduler's (closed forms where PyTorch's
 * recursive updates are equivalent). Call `step()` once per epoch after the optimiser's steps;
 * each scheduler rewrites the `lr` of every parameter group from that group's starting lr.
 */
import type { Optimizer } from './optimizer.js';
import { checkArg, checkOptions } from '../args.js';

/**
 * The base of the epoch-based schedules, as `torch.optim.lr_scheduler.LRScheduler`: each
 * `step()` sets every group's lr to a function of its starting lr and the epoch count.
 */
export abstract class LRScheduler {
  /** Epochs completed (PyTorch's last_epoch). */
  lastEpoch = 0;
  /** Each group's lr when the scheduler was made (PyTorch's base_lrs). */
  readonly baseLrs: number[];

  /** Records each group's current lr as its starting lr (`baseLrs`). */
  constructor(protected readonly optimizer: Optimizer<{ lr: number }>) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The learning rate of group `i` after `epoch` epochs. */
  protected abstract lrAt(epoch: number, baseLr: number, i: number): number;

  /** Ends an epoch: `lastEpoch += 1` and every group's lr is recomputed, as `scheduler.step()`. */
  step(): void {
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = this.lrAt(this.lastEpoch, this.baseLrs[i], i)));
  }

  /** The learning rates now in use, one per group (get_last_lr). */
  getLastLr(): number[] {
    return this.optimizer.lrs;
  }

  /** The epoch count (`lastEpoch`), as `scheduler.state_dict()` (the rest comes from the constructor). */
  stateDict(): { lastEpoch: number } {
    return { lastEpoch: this.lastEpoch };
  }

  /** Restores the epoch count and sets every group's lr to the schedule's value at it, as `scheduler.load_state_dict()`. */
  loadStateDict(state: { lastEpoch: number }): void {
    this.lastEpoch = state.lastEpoch;
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = this.lrAt(this.lastEpoch, this.baseLrs[i], i)));
  }
}

/** lr = base * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  /** `new StepLR(optimizer, stepSize, gamma = 0.1)`, as `StepLR(optimizer, step_size, gamma)`. */
  constructor(
    optimizer: Optimizer<{ lr: number }>,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    checkArg('StepLR', 'stepSize', stepSize, 'integer');
    checkArg('StepLR', 'gamma', gamma, 'number');
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = base * gamma^(number of milestones <= epoch). */
export class MultiStepLR extends LRScheduler {
  /** `new MultiStepLR(optimizer, milestones, gamma = 0.1)`, as `MultiStepLR(optimizer, milestones, gamma)`. */
  constructor(
    optimizer: Optimizer<{ lr: number }>,
    readonly milestones: number[],
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    checkArg('MultiStepLR', 'milestones', milestones, 'integer[]');
    checkArg('MultiStepLR', 'gamma', gamma, 'number');
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** this.milestones.filter((m) => m <= epoch).length;
  }
}

/** lr = base * gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  /** `new ExponentialLR(optimizer, gamma)`, as `ExponentialLR(optimizer, gamma)`. */
  constructor(
    optimizer: Optimizer<{ lr: number }>,
    readonly gamma: number,
  ) {
    super(optimizer);
    checkArg('ExponentialLR', 'gamma', gamma, 'number');
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** epoch;
  }
}

/** lr = etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2 (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  /** `new CosineAnnealingLR(optimizer, tMax, etaMin = 0)`, as `CosineAnnealingLR(optimizer, T_max, eta_min)`. */
  constructor(
    optimizer: Optimizer<{ lr: number }>,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    checkArg('CosineAnnealingLR', 'tMax', tMax, 'integer');
    checkArg('CosineAnnealingLR', 'etaMin', etaMin, 'number');
  }

  protected lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

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
  /** The lr is never reduced below this (default 0). */
  minLr: number;
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
    checkOptions('ReduceLROnPlateau', options, {
      mode: ['min', 'max'],
      factor: 'number',
      patience: 'integer',
      threshold: 'number',
      thresholdMode: ['rel', 'abs'],
      cooldown: 'integer',
      minLr: 'number',
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
    if (this.options.factor >= 1) throw new Error('ReduceLROnPlateau: factor should be < 1.0');
    this.best = this.options.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === 'rel' ? a > this.best * (threshold + 1) : a > this.best + threshold;
  }

  /** Ends an epoch with its `metric` (e.g. validation loss); after more than `patience` epochs without improvement, every lr becomes max(lr * factor, minLr). */
  step(metric: number): void {
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
      for (const g of this.optimizer.paramGroups) {
        const reduced = Math.max(g.options.lr * this.options.factor, this.options.minLr);
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
