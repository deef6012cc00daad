// The learning-rate schedulers' arguments: positional or as one options object (torch's
// keywords), every bad value refused before anything changes (a table of bad calls), and
// loadStateDict checking the state's fields as Checkpoint.restore does.
import { describe, it, expect, beforeAll } from 'vitest';
import * as sg from '../src/index.js';

const { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau } = sg.optim.lrScheduler;

let p: sg.nn.Parameter;
const sgd = (lr = 1) => new sg.optim.SGD([p], { lr });

beforeAll(async () => {
  await sg.init();
  p = new sg.nn.Parameter(sg.zeros(2));
});

/** The lr after each of `n` steps. */
function lrs(s: { step(): void; getLastLr(): number[] }, n: number): number[] {
  return Array.from({ length: n }, () => (s.step(), s.getLastLr()[0]));
}

describe('the two spellings', () => {
  it('an options object gives the same schedule as the positional arguments', () => {
    expect(lrs(new StepLR(sgd(), { stepSize: 2, gamma: 0.5 }), 5)).toEqual(lrs(new StepLR(sgd(), 2, 0.5), 5));
    expect(lrs(new StepLR(sgd(), { stepSize: 2 }), 3)).toEqual([1, 0.1, 0.1].map((x, i) => (i ? x : 1)));
    expect(lrs(new MultiStepLR(sgd(), { milestones: [1, 3, 3] }), 4)).toEqual(
      lrs(new MultiStepLR(sgd(), [1, 3, 3], 0.1), 4),
    );
    expect(lrs(new ExponentialLR(sgd(), { gamma: 0.5 }), 3)).toEqual([0.5, 0.25, 0.125]);
    expect(lrs(new CosineAnnealingLR(sgd(), { tMax: 4, etaMin: 0.5 }), 4)).toEqual(
      lrs(new CosineAnnealingLR(sgd(), 4, 0.5), 4),
    );
  });

  it('a repeated milestone decays twice, as torch.optim.lr_scheduler.MultiStepLR (a Counter)', () => {
    const got = lrs(new MultiStepLR(sgd(), [2, 2], 0.5), 3);
    expect(got).toEqual([1, 0.25, 0.25]);
  });

  it('ReduceLROnPlateau takes one minLr per parameter group', () => {
    const q = new sg.nn.Parameter(sg.zeros(1));
    const opt = new sg.optim.SGD([{ params: [p] }, { params: [q], lr: 0.5 }], { lr: 1 });
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.1, minLr: [0.3, 0.01] });
    for (let i = 0; i < 3; i++) s.step(1);
    expect(s.getLastLr()).toEqual([0.3, 0.01]); // 1 -> 0.3 (its floor), 0.5 -> 0.05 -> 0.01
  });
});

describe('bad calls', () => {
  const opt = () => sgd();
  const cases: [string, () => unknown, string | RegExp][] = [
    [
      'StepLR without an optimizer',
      () => new StepLR(undefined as never, 2),
      /^StepLR: argument 'optimizer' must be an Optimizer/,
    ],
    [
      'StepLR on a module',
      () => new StepLR(new sg.nn.Linear(2, 2) as never, 2),
      /^StepLR: argument 'optimizer' must be an Optimizer/,
    ],
    ['StepLR stepSize 0', () => new StepLR(opt(), 0), "StepLR: argument 'stepSize' must be an integer > 0, got 0"],
    ['StepLR stepSize -3', () => new StepLR(opt(), -3), "StepLR: argument 'stepSize' must be an integer > 0, got -3"],
    ['StepLR stepSize 1.5', () => new StepLR(opt(), 1.5), "StepLR: argument 'stepSize' must be an integer, got 1.5"],
    [
      'StepLR without stepSize',
      () => new StepLR(opt(), undefined as never),
      "StepLR: argument 'stepSize' must be an integer > 0, got undefined",
    ],
    ['StepLR gamma 0', () => new StepLR(opt(), 2, 0), "StepLR: argument 'gamma' must be a finite number > 0, got 0"],
    [
      'StepLR gamma -0.1',
      () => new StepLR(opt(), 2, -0.1),
      "StepLR: argument 'gamma' must be a finite number > 0, got -0.1",
    ],
    [
      'StepLR gamma NaN',
      () => new StepLR(opt(), 2, NaN),
      "StepLR: argument 'gamma' must be a finite number > 0, got NaN",
    ],
    [
      'StepLR gamma "0.1"',
      () => new StepLR(opt(), 2, '0.1' as never),
      'StepLR: argument \'gamma\' must be a number, got "0.1"',
    ],
    [
      'StepLR {step_size}',
      () => new StepLR(opt(), { step_size: 2 } as never),
      /^StepLR: unknown option 'step_size' \(did you mean 'stepSize'\?\)/,
    ],
    [
      'StepLR {stepSize, gama}',
      () => new StepLR(opt(), { stepSize: 2, gama: 0.5 } as never),
      /^StepLR: unknown option 'gama'; accepted options: stepSize, gamma/,
    ],
    [
      'StepLR {stepSize} then gamma',
      () => new StepLR(opt(), { stepSize: 2 }, 0.5),
      'StepLR: after an options object no positional argument may follow, got 0.5',
    ],
    [
      'MultiStepLR decreasing',
      () => new MultiStepLR(opt(), [5, 3]),
      'MultiStepLR: milestones must be increasing, got [5, 3] (3 after 5)',
    ],
    [
      'MultiStepLR negative',
      () => new MultiStepLR(opt(), [-1, 3]),
      'MultiStepLR: milestones must be epochs >= 0, got -1 at position 0',
    ],
    [
      'MultiStepLR fractional',
      () => new MultiStepLR(opt(), [1.5]),
      "MultiStepLR: argument 'milestones' must be a list of integers, got [1.5]",
    ],
    [
      'MultiStepLR a number',
      () => new MultiStepLR(opt(), 3 as never),
      "MultiStepLR: argument 'milestones' must be a list of integers, got 3",
    ],
    [
      'MultiStepLR gamma 0',
      () => new MultiStepLR(opt(), [3], 0),
      "MultiStepLR: argument 'gamma' must be a finite number > 0, got 0",
    ],
    [
      'ExponentialLR without gamma',
      () => new ExponentialLR(opt(), undefined as never),
      "ExponentialLR: argument 'gamma' must be a finite number > 0, got undefined",
    ],
    [
      'ExponentialLR gamma Infinity',
      () => new ExponentialLR(opt(), Infinity),
      "ExponentialLR: argument 'gamma' must be a finite number > 0, got Infinity",
    ],
    [
      'ExponentialLR {gamma, T_max}',
      () => new ExponentialLR(opt(), { gamma: 0.5, T_max: 3 } as never),
      /^ExponentialLR: unknown option 'T_max'/,
    ],
    [
      'CosineAnnealingLR tMax 0',
      () => new CosineAnnealingLR(opt(), 0),
      "CosineAnnealingLR: argument 'tMax' must be an integer > 0, got 0",
    ],
    [
      'CosineAnnealingLR {T_max}',
      () => new CosineAnnealingLR(opt(), { T_max: 10 } as never),
      /^CosineAnnealingLR: unknown option 'T_max' \(did you mean 'tMax'\?\)/,
    ],
    [
      'CosineAnnealingLR etaMin -1',
      () => new CosineAnnealingLR(opt(), 10, -1),
      "CosineAnnealingLR: argument 'etaMin' must be a finite number >= 0, got -1",
    ],
    [
      'ReduceLROnPlateau factor 1',
      () => new ReduceLROnPlateau(opt(), { factor: 1 }),
      'ReduceLROnPlateau: Factor should be < 1.0, got 1',
    ],
    [
      'ReduceLROnPlateau factor -0.5',
      () => new ReduceLROnPlateau(opt(), { factor: -0.5 }),
      "ReduceLROnPlateau: argument 'factor' must be a finite number >= 0, got -0.5",
    ],
    [
      'ReduceLROnPlateau patience -1',
      () => new ReduceLROnPlateau(opt(), { patience: -1 }),
      "ReduceLROnPlateau: argument 'patience' must be an integer >= 0, got -1",
    ],
    [
      'ReduceLROnPlateau cooldown 0.5',
      () => new ReduceLROnPlateau(opt(), { cooldown: 0.5 }),
      "ReduceLROnPlateau: option 'cooldown' must be an integer, got 0.5",
    ],
    [
      'ReduceLROnPlateau threshold -1',
      () => new ReduceLROnPlateau(opt(), { threshold: -1 }),
      "ReduceLROnPlateau: argument 'threshold' must be a finite number >= 0, got -1",
    ],
    [
      'ReduceLROnPlateau minLr per group, wrong count',
      () => new ReduceLROnPlateau(opt(), { minLr: [0, 0] }),
      'ReduceLROnPlateau: expected 1 min_lrs (one per parameter group), got 2',
    ],
    [
      'ReduceLROnPlateau thresholdMode',
      () => new ReduceLROnPlateau(opt(), { thresholdMode: 'relative' } as never),
      /^ReduceLROnPlateau: option 'thresholdMode' must be one of "rel", "abs"/,
    ],
    [
      'ReduceLROnPlateau {min_lr}',
      () => new ReduceLROnPlateau(opt(), { min_lr: 0.1 } as never),
      /^ReduceLROnPlateau: unknown option 'min_lr' \(did you mean 'minLr'\?\)/,
    ],
    [
      'ReduceLROnPlateau.step(tensor)',
      () => new ReduceLROnPlateau(opt()).step(sg.tensor(1) as never),
      "ReduceLROnPlateau.step: argument 'metric' must be a number (e.g. await loss.item()), got a tensor of shape []",
    ],
    [
      'StepLR.step(epoch)',
      () => (new StepLR(opt(), 2).step as (e: number) => void)(5),
      /^StepLR.step: takes no arguments/,
    ],
  ];
  it.each(cases)('%s', (_, call, message) => {
    if (typeof message === 'string') expect(call).toThrow(new Error(message));
    else expect(call).toThrow(message);
  });
});

describe('loadStateDict checks the state before changing anything', () => {
  const bad: [string, unknown, RegExp][] = [
    ['not an object', 5, /^StepLR.loadStateDict: the state must be an object/],
    ['no lastEpoch', {}, /^StepLR.loadStateDict: scheduler state has no field lastEpoch/],
    ['lastEpoch a string', { lastEpoch: 'abc' }, /field lastEpoch is 'abc', expected a finite number/],
    ['lastEpoch negative', { lastEpoch: -1 }, /lastEpoch is -1, not an integer >= 0/],
    ['lastEpoch fractional', { lastEpoch: 1.5 }, /lastEpoch is 1.5, not an integer >= 0/],
    ['an extra field', { lastEpoch: 1, last_epoch: 1 }, /has a field last_epoch that the live object does not have/],
  ];
  it.each(bad)('StepLR: %s', (_, state, message) => {
    const s = new StepLR(sgd(), 2, 0.5);
    s.step();
    expect(() => s.loadStateDict(state as never)).toThrow(message);
    expect([s.lastEpoch, s.getLastLr()[0]]).toEqual([1, 1]);
  });

  it('a good state round-trips (StepLR, ReduceLROnPlateau with an infinite best)', () => {
    const a = new StepLR(sgd(), 2, 0.5);
    lrs(a, 3);
    const b = new StepLR(sgd(), 2, 0.5);
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    expect([b.lastEpoch, b.getLastLr()]).toEqual([3, a.getLastLr()]);
    const c = new ReduceLROnPlateau(sgd());
    const d = new ReduceLROnPlateau(sgd());
    d.loadStateDict(JSON.parse(JSON.stringify(c.stateDict())));
    expect(d.best).toBe(Infinity);
    expect(() => d.loadStateDict({ ...c.stateDict(), numBadEpochs: -2 })).toThrow(
      /^ReduceLROnPlateau.loadStateDict: scheduler state numBadEpochs is -2/,
    );
    expect(() => d.loadStateDict({ ...c.stateDict(), best: 'lots' })).toThrow(/field best is 'lots'/);
  });
});
