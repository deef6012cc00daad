// Classification metrics against hand-computed values (sklearn's definitions, zero_division=0),
// and the shape of metrics.csv / metrics.json.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  formatReport,
  metricsCsv,
  metricsJson,
  writeMetrics,
  type EpochRow,
} from '../src/train/metrics.js';

// 8 samples, 3 classes; class 2 is never predicted.
const target = [0, 0, 0, 1, 1, 2, 2, 2];
const pred = [0, 0, 1, 0, 1, 0, 1, 1];

describe('classification metrics', () => {
  it('counts the confusion matrix as C[true][pred]', () => {
    expect(confusionMatrix(pred, target, 3)).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [1, 2, 0],
    ]);
    expect(accuracy(confusionMatrix(pred, target, 3))).toBe(3 / 8);
    expect(accuracy([[0]])).toBe(0);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(
      'confusionMatrix: sample 1 has pred 3, target 1; classes are 0..2',
    );
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow('confusionMatrix: 1 predictions for 2 targets');
  });

  it('computes precision, recall, F1 and their averages; a never-predicted class scores 0', () => {
    const r = classificationReport(confusionMatrix(pred, target, 3), ['a', 'b', 'c']);
    const close = (got: number, want: number) => expect(got).toBeCloseTo(want, 12);
    // precision = tp / predicted: 2/4, 1/4, 0/0 -> 0; recall = tp / support: 2/3, 1/2, 0/3.
    [
      [1 / 2, 2 / 3, 4 / 7, 3],
      [1 / 4, 1 / 2, 1 / 3, 2],
      [0, 0, 0, 3],
    ].forEach(([p, rc, f, n], c) => {
      close(r.classes[c].precision, p);
      close(r.classes[c].recall, rc);
      close(r.classes[c].f1, f);
      expect(r.classes[c].support).toBe(n);
    });
    close(r.macro.precision, 0.25);
    close(r.macro.recall, 7 / 18);
    close(r.macro.f1, 19 / 63);
    close(r.weighted.precision, 0.25);
    close(r.weighted.recall, 3 / 8);
    close(r.weighted.f1, 25 / 84);
    close(r.accuracy, 3 / 8);
    expect(r.macro.support).toBe(8);
  });

  it('prints the table as sklearn does', () => {
    const r = classificationReport(confusionMatrix(pred, target, 3), ['ants', 'bees', 'wasps']);
    expect(formatReport(r)).toBe(
      '              precision    recall  f1-score   support\n\n' +
        '        ants       0.50      0.67      0.57         3\n' +
        '        bees       0.25      0.50      0.33         2\n' +
        '       wasps       0.00      0.00      0.00         3\n\n' +
        '    accuracy                           0.38         8\n' +
        '   macro avg       0.25      0.39      0.30         8\n' +
        'weighted avg       0.25      0.38      0.30         8\n',
    );
  });
});

describe('metrics.csv and metrics.json', () => {
  const rows: EpochRow[] = [
    { epoch: 1, phase: 1, trainLoss: 1.25, trainAcc: 0.5, valLoss: 1.5, valAcc: 0.25, lr: [1e-3], seconds: 2.5 },
    { epoch: 2, phase: 2, trainLoss: 0.75, trainAcc: 0.75, valLoss: NaN, valAcc: NaN, lr: [1e-3, 1e-4], seconds: 3 },
  ];

  it('has one column per parameter group and empty/null for missing values', () => {
    expect(metricsCsv(rows, ['head', 'backbone'])).toBe(
      'epoch,phase,train_loss,train_acc,val_loss,val_acc,lr_head,lr_backbone,seconds\n' +
        '1,1,1.25,0.5,1.5,0.25,0.001,,2.5\n' +
        '2,2,0.75,0.75,,,0.001,0.0001,3\n',
    );
    const json = JSON.parse(metricsJson(rows));
    expect(json).toEqual([
      {
        epoch: 1,
        phase: 1,
        train_loss: 1.25,
        train_acc: 0.5,
        val_loss: 1.5,
        val_acc: 0.25,
        lr_0: 0.001,
        lr_1: null,
        seconds: 2.5,
      },
      {
        epoch: 2,
        phase: 2,
        train_loss: 0.75,
        train_acc: 0.75,
        val_loss: null,
        val_acc: null,
        lr_0: 0.001,
        lr_1: 0.0001,
        seconds: 3,
      },
    ]);
  });

  it('writes both files atomically (no temporary files left)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-metrics-'));
    writeMetrics(dir, rows);
    expect(readdirSync(dir).sort()).toEqual(['metrics.csv', 'metrics.json']);
    expect(readFileSync(join(dir, 'metrics.csv'), 'utf8').split('\n')[0]).toBe(
      'epoch,phase,train_loss,train_acc,val_loss,val_acc,lr_0,lr_1,seconds',
    );
    expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'))).toHaveLength(2);
  });
});
