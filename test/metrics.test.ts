import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accuracy, confusionMatrix, f1Score, precision, precisionRecallF1, recall } from '../src/metrics/classification.js';
import { logLoss } from '../src/metrics/log-loss.js';
import { mae, mse, r2 } from '../src/metrics/regression.js';
import { classificationReport } from '../src/metrics/report.js';

const fails = (code: string) => (e: { code?: string }) => e.code === code;

function close(got: number, want: number, what: string): void {
  assert.ok(Math.abs(got - want) <= 1e-12 + 1e-12 * Math.abs(want), `${what}: got ${got}, want ${want}`);
}

function closeAll(got: number[], want: number[], what: string): void {
  assert.is(got.length, want.length, what);
  got.forEach((g, i) => close(g, want[i], `${what}[${i}]`));
}

// Worked by hand:  true 0 0 0 1 1 2 / pred 0 1 0 1 2 2
//   class 0: tp 2, predicted 2, actual 3 → P 1,   R 2/3, F1 0.8
//   class 1: tp 1, predicted 2, actual 2 → P 1/2, R 1/2, F1 1/2
//   class 2: tp 1, predicted 2, actual 1 → P 1/2, R 1,   F1 2/3
//   class 3: absent from both → 0s, support 0, left out of the macro mean
const T = [0, 0, 0, 1, 1, 2];
const P = [0, 1, 0, 1, 2, 2];

test('accuracy and confusion matrix', () => {
  close(accuracy(T, P), 4 / 6, 'accuracy');
  assert.is(accuracy([3], [3]), 1);
  assert.equal(confusionMatrix(T, P, 3), [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
});

test('precision / recall / F1 per class and averaged', () => {
  const r = precisionRecallF1(T, P, 4);
  closeAll(r.precision, [1, 0.5, 0.5, 0], 'precision');
  closeAll(r.recall, [2 / 3, 0.5, 1, 0], 'recall');
  closeAll(r.f1, [0.8, 0.5, 2 / 3, 0], 'f1');
  assert.equal(r.support, [3, 2, 1, 0]);
  close(r.macro.precision, 2 / 3, 'macro P');
  close(r.macro.recall, 13 / 18, 'macro R');
  close(r.macro.f1, 59 / 90, 'macro F1');
  close(r.weighted.precision, 0.75, 'weighted P');
  close(r.weighted.recall, 2 / 3, 'weighted R');
  close(r.weighted.f1, 61 / 90, 'weighted F1');
  for (const k of ['precision', 'recall', 'f1'] as const) close(r.micro[k], 4 / 6, `micro ${k}`);
  close(f1Score(T, P, 4), 59 / 90, 'f1Score macro');
  close(precision(T, P, 4, 'weighted'), 0.75, 'precision weighted');
  close(recall(T, P, 4, 'micro'), 4 / 6, 'recall micro');
});

test('zero division counts as 0: a class never predicted', () => {
  // true 0 1 / pred 0 0: class 1 never predicted → P 0 (0/0), R 0, F1 0; class 0: P 1/2, R 1, F1 2/3
  const r = precisionRecallF1([0, 1], [0, 0], 2);
  closeAll(r.precision, [0.5, 0], 'precision');
  closeAll(r.f1, [2 / 3, 0], 'f1');
  close(r.macro.precision, 0.25, 'macro P');
  close(r.macro.f1, 1 / 3, 'macro F1');
});

test('classification errors', () => {
  assert.throws(() => accuracy([0, 1], [0]), fails('ERR_BAD_SHAPE'));
  assert.throws(() => accuracy([], []), fails('ERR_EMPTY'));
  assert.throws(() => confusionMatrix([0, 3], [0, 0], 3), fails('ERR_LABEL_RANGE'));
  assert.throws(() => confusionMatrix([0, 1], [0, 0.5], 3), fails('ERR_LABEL_RANGE'));
  assert.throws(() => confusionMatrix([0], [0], 0), fails('ERR_BAD_ARGUMENT'));
});

test('classificationReport', () => {
  const rep = classificationReport(T, P, 3, ['cat', 'dog', 'bird']);
  assert.equal(rep.perClass.map((c) => c.name), ['cat', 'dog', 'bird']);
  close(rep.perClass[2].recall, 1, 'bird recall');
  close(rep.accuracy, 4 / 6, 'accuracy');
  close(rep.macro.f1, 59 / 90, 'macro F1');
  assert.equal(rep.confusion[0], [2, 1, 0]);
  const lines = rep.text.split('\n');
  assert.ok(/cat\s+1\.0000\s+0\.6667\s+0\.8000\s+3$/.test(lines[1]), lines[1]);
  assert.ok(lines.some((l) => /accuracy\s+0\.6667\s+6$/.test(l)), rep.text);
  assert.throws(() => classificationReport(T, P, 3, ['a']), fails('ERR_BAD_ARGUMENT'));
});

test('logLoss: hand values, clipping, errors', () => {
  // −(ln 0.8 + ln 0.6) / 2
  close(logLoss([0, 1], [0.8, 0.2, 0.4, 0.6]), (0.2231435513142097 + 0.5108256237659907) / 2, 'logLoss');
  close(logLoss([1], [1, 0]), 34.538776394910684, 'p = 0 clipped to 1e-15');
  close(logLoss([0], [1, 0]), -Math.log(1 - 1e-15), 'p = 1 clipped to 1 − 1e-15');
  close(logLoss([1], [1, 0], { eps: 1e-7 }), -Math.log(1e-7), 'eps');
  assert.throws(() => logLoss([0, 1], [0.5, 0.5, 0.5]), fails('ERR_BAD_SHAPE'));
  assert.throws(() => logLoss([2], [0.5, 0.5]), fails('ERR_LABEL_RANGE'));
  assert.throws(() => logLoss([0], [NaN, 1]), fails('ERR_NON_FINITE'));
  assert.throws(() => logLoss([], []), fails('ERR_EMPTY'));
});

test('mse, mae, r2 on a hand example; constant targets', () => {
  const t = [3, -0.5, 2, 7];
  const p = [2.5, 0, 2, 8];
  // residuals 0.5 0.5 0 1 → SS_res 1.5; mean 2.875 → SS_tot 29.1875
  close(mse(t, p), 0.375, 'mse');
  close(mae(t, p), 0.5, 'mae');
  close(r2(t, p), 1 - 1.5 / 29.1875, 'r2');
  close(r2([1], [1]), 1, 'r2 constant perfect');
  close(r2([1, 1], [1, 2]), 0, 'r2 constant imperfect');
  close(r2(t, [2.875, 2.875, 2.875, 2.875]), 0, 'r2 of the mean');
  assert.throws(() => mse([1], [1, 2]), fails('ERR_BAD_SHAPE'));
  assert.throws(() => mae([], []), fails('ERR_EMPTY'));
});

test.run();
