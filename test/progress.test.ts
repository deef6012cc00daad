// The progress bar with an injected clock: rates, ETAs, redraw throttling on a terminal, plain
// lines otherwise, and the epoch summary line.
import { describe, it, expect } from 'vitest';
import {
  ProgressBar,
  formatBar,
  formatDuration,
  formatEpochSummary,
  formatProgress,
  formatRate,
} from '../src/train/progress.js';

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 200, write: (s: string) => out.push(s) } };
}

describe('progress formatting', () => {
  it('formats durations, rates and bars', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75.4)).toBe('1:15');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(NaN)).toBe('?');
    expect(formatRate(352.4)).toBe('352');
    expect(formatRate(35.24)).toBe('35.2');
    expect(formatRate(3.524)).toBe('3.52');
    expect(formatBar(0, 10, 10)).toBe('[..........]');
    expect(formatBar(5, 10, 10)).toBe('[=====>....]');
    expect(formatBar(10, 10, 10)).toBe('[==========]');
  });

  it('computes throughput and ETA from elapsed time', () => {
    // 200 of 1000 images in 8 s: 25 img/s, 800 left -> 32 s.
    expect(formatProgress('epoch 3/10', 200, 1000, 8, { loss: 0.41234, acc: 0.875 }, 10)).toBe(
      'epoch 3/10  [==>.......]   200/1000  25.0 img/s  loss 0.4123  acc 87.5%  ETA 0:32',
    );
    expect(formatProgress('e', 0, 10, 0, {}, 4)).toBe('e  [....]   0/10  ? img/s  ETA ?');
    expect(formatProgress('e', 10, 10, 2, {}, 4)).toBe('e  [====]  10/10  5.00 img/s  ETA 0:00');
  });
});

describe('ProgressBar', () => {
  it('redraws one line on a terminal, at most every redrawMs, and clears it at the end', () => {
    let t = 1000;
    const { out, stream } = fakeStream(true);
    const bar = new ProgressBar({ total: 100, label: 'ep', stream, now: () => t, barWidth: 4 });
    t += 500;
    bar.update(10, { loss: 1 });
    t += 50;
    bar.update(20, { loss: 1 }); // within 100 ms: skipped
    t += 450;
    bar.update(40, { loss: 0.5, acc: 0.5 });
    t += 10;
    bar.update(100, {}); // the last update always draws
    bar.finish();
    expect(out).toEqual([
      '\rep  [>...]   10/100  20.0 img/s  loss 1.0000  ETA 0:05\x1b[K',
      '\rep  [=>..]   40/100  40.0 img/s  loss 0.5000  acc 50.0%  ETA 0:02\x1b[K',
      '\rep  [====]  100/100  99.0 img/s  ETA 0:00\x1b[K',
      '\r\x1b[K',
    ]);
    expect(bar.elapsedSeconds()).toBeCloseTo(1.01, 9);
  });

  it('narrows the bar to fit a narrow terminal', () => {
    const out: string[] = [];
    const stream = { isTTY: true, columns: 70, write: (s: string) => out.push(s) };
    let t = 0;
    const bar = new ProgressBar({ total: 100, label: 'epoch 1/2', stream, now: () => t });
    t = 2000;
    bar.update(50, { loss: 0.5 });
    // With the 24-wide bar the line has 81 characters, 12 more than 69: the bar shrinks to 12.
    expect(out).toEqual(['\repoch 1/2  [======>.....]   50/100  25.0 img/s  loss 0.5000  ETA 0:02\x1b[K']);
  });

  it('prints plain lines every plainEverySeconds when not on a terminal', () => {
    let t = 0;
    const { out, stream } = fakeStream(false);
    const bar = new ProgressBar({ total: 100, label: 'ep', stream, now: () => t, barWidth: 4, plainEverySeconds: 10 });
    for (let i = 1; i <= 25; i++) {
      t = i * 1000;
      bar.update(i * 4);
    }
    bar.finish();
    expect(out).toEqual(['ep  [=>..]   40/100  4.00 img/s  ETA 0:15\n', 'ep  [===>]   80/100  4.00 img/s  ETA 0:05\n']);
  });
});

describe('formatEpochSummary', () => {
  it('prints losses, accuracies, learning rates, time and the best marker', () => {
    const row = {
      epoch: 3,
      phase: 'finetune',
      trainLoss: 0.41234,
      trainAcc: 0.875,
      valLoss: 0.5,
      valAcc: 0.85,
      lr: [1e-3, 2.5e-4],
      seconds: 42.06,
    };
    expect(formatEpochSummary(row, 10, { best: true })).toBe(
      'epoch  3/10 [finetune]  train loss 0.4123 acc 87.5%  val loss 0.5000 acc 85.0%  lr 1e-3, 2.5e-4  42.1s  *best*',
    );
    expect(formatEpochSummary({ ...row, valLoss: NaN, valAcc: NaN }, 9)).toBe(
      'epoch 3/9 [finetune]  train loss 0.4123 acc 87.5%  val loss - acc -  lr 1e-3, 2.5e-4  42.1s',
    );
  });
});
