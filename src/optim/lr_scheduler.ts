/**
 * Learning-rate schedules, as torch.optim.lr_scheduler's (closed forms where PyTorch's
 * recursive updates are equivalent). Call `step()` once per epoch after the optimiser's steps;
 * each scheduler rewrites the `lr` of every parameter group from that group's starting lr.
 */
import type { Optimizer } from './optimizer.js';
import {
  checkLoadedState,
  checkMilestones,
  checkOptimizer,
  positive,
  positiveInteger,
  scheduleArgs,
} from './scheduler_args.js';

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
    checkOptimizer(new.target.name, optimizer);
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The learning rate of group `i` after `epoch` epochs. */
  protected abstract lrAt(epoch: number, baseLr: number, i: number): number;

  /** Ends an epoch: `lastEpoch += 1` and every group's lr is recomputed, as `scheduler.step()`. */
  step(...args: []): void {
    if (args.length)
      throw new Error(
        `${this.constructor.name}.step: takes no arguments (PyTorch's step(epoch) is deprecated), got ${String((args as unknown[])[0])}`,
      );
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
    checkLoadedState(`${this.constructor.name}.loadStateDict`, state, this.stateDict());
    this.lastEpoch = state.lastEpoch;
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = this.lrAt(this.lastEpoch, this.baseLrs[i], i)));
  }
}

/** StepLR's arguments as one object (torch's keywords `step_size`, `gamma`). */
export interface StepLROptions {
  /** Epochs between decays (an integer > 0). */
  stepSize: number;
  /** The decay factor (> 0; default 0.1). */
  gamma?: number;
}

/** lr = base * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The decay factor. */
  readonly gamma: number;

  /**
   * `new StepLR(optimizer, stepSize, gamma = 0.1)` or `new StepLR(optimizer, {stepSize, gamma})`,
   * as `StepLR(optimizer, step_size, gamma)`; stepSize an integer > 0, gamma > 0.
   */
  constructor(optimizer: Optimizer<{ lr: number }>, stepSize: number | StepLROptions, gamma?: number) {
    super(optimizer);
    const o = scheduleArgs<StepLROptions>('StepLR', stepSize, [gamma], ['stepSize', 'gamma'], {
      stepSize: 'integer',
      gamma: 'number',
    });
    this.stepSize = positiveInteger('StepLR', 'stepSize', o.stepSize);
    this.gamma = positive('StepLR', 'gamma', o.gamma ?? 0.1);
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** MultiStepLR's arguments as one object (torch's keywords `milestones`, `gamma`). */
export interface MultiStepLROptions {
  /** Epochs at which the lr decays: integers >= 0, increasing (a repeated one decays twice). */
  milestones: number[];
  /** The decay factor (> 0; default 0.1). */
  gamma?: number;
}

/** lr = base * gamma^(number of milestones <= epoch). */
export class MultiStepLR extends LRScheduler {
  /** Epochs at which the lr decays. */
  readonly milestones: number[];
  /** The decay factor. */
  readonly gamma: number;

  /** `new MultiStepLR(optimizer, milestones, gamma = 0.1)` or `(optimizer, {milestones, gamma})`, as `MultiStepLR(optimizer, milestones, gamma)`. */
  constructor(optimizer: Optimizer<{ lr: number }>, milestones: number[] | MultiStepLROptions, gamma?: number) {
    super(optimizer);
    const o = scheduleArgs<MultiStepLROptions>('MultiStepLR', milestones, [gamma], ['milestones', 'gamma'], {
      milestones: 'integer[]',
      gamma: 'number',
    });
    this.milestones = checkMilestones('MultiStepLR', o.milestones);
    this.gamma = positive('MultiStepLR', 'gamma', o.gamma ?? 0.1);
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** this.milestones.filter((m) => m <= epoch).length;
  }
}

/** ExponentialLR's arguments as one object (torch's keyword `gamma`). */
export interface ExponentialLROptions {
  /** The factor per epoch (> 0). */
  gamma: number;
}

/** lr = base * gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  /** The factor per epoch. */
  readonly gamma: number;

  /** `new ExponentialLR(optimizer, gamma)` or `(optimizer, {gamma})`, as `ExponentialLR(optimizer, gamma)`; gamma > 0. */
  constructor(optimizer: Optimizer<{ lr: number }>, gamma: number | ExponentialLROptions) {
    super(optimizer);
    const o = scheduleArgs<ExponentialLROptions>('ExponentialLR', gamma, [], ['gamma'], { gamma: 'number' });
    this.gamma = positive('ExponentialLR', 'gamma', o.gamma);
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** epoch;
  }
}

/** CosineAnnealingLR's arguments as one object (torch's keywords `T_max`, `eta_min`). */
export interface CosineAnnealingLROptions {
  /** Epochs of the half cosine (an integer > 0). */
  tMax: number;
  /** The smallest lr (>= 0; default 0). */
  etaMin?: number;
}

/** lr = etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2 (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of the half cosine. */
  readonly tMax: number;
  /** The smallest lr. */
  readonly etaMin: number;

  /** `new CosineAnnealingLR(optimizer, tMax, etaMin = 0)` or `(optimizer, {tMax, etaMin})`, as `CosineAnnealingLR(optimizer, T_max, eta_min)`; tMax an integer > 0. */
  constructor(optimizer: Optimizer<{ lr: number }>, tMax: number | CosineAnnealingLROptions, etaMin?: number) {
    super(optimizer);
    const o = scheduleArgs<CosineAnnealingLROptions>('CosineAnnealingLR', tMax, [etaMin], ['tMax', 'etaMin'], {
      tMax: 'integer',
      etaMin: 'number',
    });
    this.tMax = positiveInteger('CosineAnnealingLR', 'tMax', o.tMax);
    this.etaMin = positive('CosineAnnealingLR', 'etaMin', o.etaMin ?? 0, true);
  }

  protected lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

export { ReduceLROnPlateau, type PlateauOptions, type PlateauState } from './plateau.js';
