// Classification metrics from class ids: accuracy, confusion matrix, and precision /
// recall / F1 per class with macro, micro and support-weighted averages.
import { checkClassIds, checkPair } from './check.js';

export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred, 'accuracy');
  let hit = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / n;
}

/** matrix[t][p] = number of samples of true class t predicted as p. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): number[][] {
  const n = checkPair(yTrue, yPred, 'confusionMatrix');
  checkClassIds(yTrue, classes, 'confusionMatrix');
  checkClassIds(yPred, classes, 'confusionMatrix');
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

export interface Averaged {
  precision: number;
  recall: number;
  f1: number;
}

export interface PrecisionRecallF1 {
  /** Per class id (length classes). */
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of true samples of each class. */
  support: number[];
  /** Unweighted mean over the classes present in yTrue or yPred (as scikit-learn). */
  macro: Averaged;
  /** From the summed counts; for single-label data all three equal the accuracy. */
  micro: Averaged;
  /** Mean weighted by support. */
  weighted: Averaged;
}

/** a / b, with 0 when b is 0 (scikit-learn's zero_division=0): a class never predicted has precision 0. */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1Of(p: number, r: number): number {
  return ratio(2 * p * r, p + r);
}

export function precisionRecallF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): PrecisionRecallF1 {
  const m = confusionMatrix(yTrue, yPred, classes);
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  let tpSum = 0;
  let predSum = 0;
  let trueSum = 0;
  const macro = { precision: 0, recall: 0, f1: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0 };
  let present = 0;
  for (let c = 0; c < classes; c++) {
    const tp = m[c][c];
    let predicted = 0;
    let actual = 0;
    for (let k = 0; k < classes; k++) {
      predicted += m[k][c];
      actual += m[c][k];
    }
    precision.push(ratio(tp, predicted));
    recall.push(ratio(tp, actual));
    f1.push(f1Of(precision[c], recall[c]));
    support.push(actual);
    tpSum += tp;
    predSum += predicted;
    trueSum += actual;
    if (predicted + actual > 0) {
      present++;
      macro.precision += precision[c];
      macro.recall += recall[c];
      macro.f1 += f1[c];
    }
    weighted.precision += precision[c] * actual;
    weighted.recall += recall[c] * actual;
    weighted.f1 += f1[c] * actual;
  }
  for (const key of ['precision', 'recall', 'f1'] as const) {
    macro[key] /= present;
    weighted[key] /= trueSum;
  }
  const mp = ratio(tpSum, predSum);
  const mr = ratio(tpSum, trueSum);
  return { precision, recall, f1, support, macro, micro: { precision: mp, recall: mr, f1: f1Of(mp, mr) }, weighted };
}

export type Average = 'macro' | 'micro' | 'weighted';

export function precision(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number, average: Average = 'macro'): number {
  return precisionRecallF1(yTrue, yPred, classes)[average].precision;
}

export function recall(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number, average: Average = 'macro'): number {
  return precisionRecallF1(yTrue, yPred, classes)[average].recall;
}

export function f1Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number, average: Average = 'macro'): number {
  return precisionRecallF1(yTrue, yPred, classes)[average].f1;
}
