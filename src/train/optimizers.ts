/** The optimizer and learning-rate schedule of one training phase, chosen by name. */
import type { Parameter } from '../nn/parameter.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam, AdamW } from '../optim/adam.js';
import { CosineAnnealingLR, StepLR } from '../optim/lr_scheduler.js';

/** `sgd` (momentum 0.9), `adam` or `adamw` with their default hyper-parameters. */
export type OptimizerName = 'sgd' | 'adam' | 'adamw';
/** `step` (StepLR, gamma 0.1), `cosine` (CosineAnnealingLR over the phase) or `none`. */
export type SchedulerName = 'step' | 'cosine' | 'none';
/** The schedulers `makeScheduler` builds. */
export type Scheduler = StepLR | CosineAnnealingLR;

/** The optimizer over parameter groups, each with its learning rate (`torch.optim.SGD([{params, lr}, ...])`). */
export function makeOptimizer(
  kind: OptimizerName,
  groups: Array<{ params: Parameter[]; lr: number }>,
): Optimizer<{ lr: number }> {
  const specs = groups.map(({ params, lr }) => ({ params, lr }));
  if (kind === 'sgd') return new SGD(specs, { lr: specs[0].lr, momentum: 0.9 });
  if (kind === 'adam') return new Adam(specs, { lr: specs[0].lr });
  if (kind === 'adamw') return new AdamW(specs, { lr: specs[0].lr });
  throw new Error(`train: unknown optimizer '${kind as string}' (sgd, adam, adamw)`);
}

/** The phase's schedule: StepLR(opt, stepSize, 0.1), CosineAnnealingLR(opt, epochs) or null. */
export function makeScheduler(
  kind: SchedulerName,
  opt: Optimizer<{ lr: number }>,
  o: { stepSize: number; epochs: number },
): Scheduler | null {
  if (kind === 'step') return new StepLR(opt, o.stepSize, 0.1);
  if (kind === 'cosine') return new CosineAnnealingLR(opt, o.epochs);
  if (kind === 'none') return null;
  throw new Error(`train: unknown scheduler '${kind as string}' (step, cosine, none)`);
}

/** Frees an optimizer's GPU state (momentum, Adam moments) by loading an empty state. */
export function releaseState(opt: Optimizer<{ lr: number }>): void {
  opt.loadStateDict({
    state: opt.paramGroups.flatMap((g) => g.params.map(() => null)),
    groups: opt.paramGroups.map((g) => ({ ...g.options })),
  });
}
