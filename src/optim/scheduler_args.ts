/**
 * The argument checks of the learning-rate schedulers (lr_scheduler.ts), before anything
 * changes: the optimizer, the sizes and factors of each schedule (PyTorch's own checks, and the
 * values that would silently give NaN or negative learning rates: a step size of 0, a
 * non-positive gamma, T_max 0), and the state dicts they load.
 */
import { checkArg, checkOptions, describeValue, isPlainObject, type OptionSpec } from '../args.js';
import { checkSchedulerState } from '../io/restore_checks.js';
import type { Optimizer } from './optimizer.js';

/** The optimizer a scheduler drives: an `sg.optim` optimiser whose every group has a numeric `lr`. */
export function checkOptimizer(op: string, optimizer: unknown): Optimizer<{ lr: number }> {
  const groups = (optimizer as { paramGroups?: unknown } | null)?.paramGroups;
  if (typeof optimizer !== 'object' || optimizer === null || !Array.isArray(groups))
    throw new Error(
      `${op}: argument 'optimizer' must be an Optimizer (sg.optim.SGD, Adam, ...), got ${describeValue(optimizer)}`,
    );
  groups.forEach((g: { options?: { lr?: unknown } }, i) => {
    if (typeof g?.options?.lr !== 'number')
      throw new Error(`${op}: parameter group ${i} of the optimizer has no numeric 'lr'`);
  });
  return optimizer as Optimizer<{ lr: number }>;
}

/** A number that must be finite and `> 0` (or `>= 0` with `orZero`); its name in errors. */
export function positive(op: string, name: string, v: unknown, orZero = false): number {
  checkArg(op, name, v, 'number');
  if (!(Number.isFinite(v) && ((v as number) > 0 || (orZero && v === 0))))
    throw new Error(
      `${op}: argument '${name}' must be a ${orZero ? 'finite number >= 0' : 'finite number > 0'}, got ${describeValue(v)}`,
    );
  return v as number;
}

/** An integer that must be `> 0` (or `>= 0` with `orZero`). */
export function positiveInteger(op: string, name: string, v: unknown, orZero = false): number {
  checkArg(op, name, v, 'integer');
  if (!((v as number) > 0 || (orZero && v === 0)))
    throw new Error(`${op}: argument '${name}' must be an integer ${orZero ? '>= 0' : '> 0'}, got ${describeValue(v)}`);
  return v as number;
}

/** MultiStepLR's milestones: integers >= 0 in increasing order (a repeated one counts twice, as torch's Counter). */
export function checkMilestones(op: string, milestones: unknown): number[] {
  checkArg(op, 'milestones', milestones, 'integer[]');
  if (!Array.isArray(milestones)) throw new Error(`${op}: missing argument 'milestones' (a list of epochs)`);
  const list = milestones as number[];
  list.forEach((m, i) => {
    if (m < 0) throw new Error(`${op}: milestones must be epochs >= 0, got ${m} at position ${i}`);
    if (i > 0 && m < list[i - 1])
      throw new Error(`${op}: milestones must be increasing, got ${describeValue(list)} (${m} after ${list[i - 1]})`);
  });
  return [...list];
}

/**
 * A schedule's arguments given positionally (`StepLR(opt, 30, 0.1)`) or as one options object
 * (`StepLR(opt, {stepSize: 30, gamma: 0.1})`, torch's keywords): the object, checked against `spec`.
 */
export function scheduleArgs<T extends object>(
  op: string,
  first: unknown,
  rest: unknown[],
  names: (keyof T)[],
  spec: OptionSpec<T>,
): Partial<T> {
  if (isPlainObject(first)) {
    if (rest.some((r) => r !== undefined))
      throw new Error(
        `${op}: after an options object no positional argument may follow, got ${describeValue(rest.find((r) => r !== undefined))}`,
      );
    return checkOptions<T>(op, first as T, spec);
  }
  const args = [first, ...rest];
  return Object.fromEntries(names.map((n, i) => [n, args[i]]).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A scheduler state dict checked against the live scheduler's own (same fields, same kinds), as Checkpoint.restore does. */
export function checkLoadedState(op: string, state: unknown, live: object): void {
  if (!isPlainObject(state))
    throw new Error(`${op}: the state must be an object as stateDict() returns, got ${describeValue(state)}`);
  checkSchedulerState(op, state, live);
}
