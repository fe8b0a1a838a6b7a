// Cross-entropy of predicted class probabilities against the true classes.
import { fail } from '../errors.js';
import { checkClassIds } from './check.js';

/**
 * Mean −ln p[i][yTrue[i]] over rows of `probs` (rows × classes, row-major). Each
 * probability is clipped to [eps, 1 − eps] first so a confident miss costs −ln eps,
 * not Infinity; rows are not renormalised.
 */
export function logLoss(yTrue: ArrayLike<number>, probs: ArrayLike<number>, options: { eps?: number } = {}): number {
  const eps = options.eps ?? 1e-15;
  if (!(eps > 0 && eps < 0.5)) fail('ERR_BAD_ARGUMENT', `eps must be in (0, 0.5), got ${eps}`);
  const n = yTrue.length;
  if (n === 0) fail('ERR_EMPTY', 'logLoss: no samples');
  const classes = probs.length / n;
  if (!Number.isInteger(classes) || classes < 1) fail('ERR_BAD_SHAPE', `logLoss: ${probs.length} probabilities is not a whole number of rows for ${n} labels`);
  checkClassIds(yTrue, classes, 'logLoss');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i * classes + yTrue[i]];
    if (!Number.isFinite(p)) fail('ERR_NON_FINITE', `logLoss: probability at row ${i} is ${p}`);
    sum -= Math.log(Math.min(Math.max(p, eps), 1 - eps));
  }
  return sum / n;
}
