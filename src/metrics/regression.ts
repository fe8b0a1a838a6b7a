// Regression metrics: mean squared error, mean absolute error, coefficient of determination.
import { checkPair } from './check.js';

export function mse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred, 'mse');
  let s = 0;
  for (let i = 0; i < n; i++) s += (yTrue[i] - yPred[i]) ** 2;
  return s / n;
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred, 'mae');
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / n;
}

/**
 * R² = 1 − SS_res / SS_tot. With constant yTrue (SS_tot = 0) it is 1 for a perfect
 * prediction and 0 otherwise, as scikit-learn, instead of ±Infinity or NaN.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = checkPair(yTrue, yPred, 'r2');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (yTrue[i] - yPred[i]) ** 2;
    tot += (yTrue[i] - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}
