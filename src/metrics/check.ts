// Argument checks shared by the metrics: paired arrays of equal, non-zero length.
import { fail } from '../errors.js';

export function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, what: string): number {
  if (yTrue.length !== yPred.length) fail('ERR_BAD_SHAPE', `${what}: ${yTrue.length} true values but ${yPred.length} predictions`);
  if (yTrue.length === 0) fail('ERR_EMPTY', `${what}: no samples`);
  return yTrue.length;
}

export function checkClassIds(y: ArrayLike<number>, classes: number, what: string): void {
  if (!Number.isInteger(classes) || classes < 1) fail('ERR_BAD_ARGUMENT', `${what}: classes must be an integer ≥ 1, got ${classes}`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) fail('ERR_LABEL_RANGE', `${what}: label ${v} at index ${i} is not an integer in [0, ${classes})`);
  }
}
