// k-fold cross-validation around a caller's fit-and-score function: the tool for choosing
// α, k or sparsity by held-out score (the seed's FAQ 2).
import { fail } from '../errors.js';
import { type AnyDataset, take } from '../data/dataset.js';
import { type Fold, kFold, stratifiedKFold } from '../data/split.js';

export type FoldScore = number | Record<string, number>;

export interface CrossValidateOptions {
  /** Keep class proportions in every fold (default: true for classification datasets). */
  stratified?: boolean;
  seed: number;
  /** Checked before each fold; a fired signal rejects with ERR_ABORTED. */
  signal?: AbortSignal;
}

export interface CrossValidation {
  /** Per metric name (a plain number score is named "score"): one value per fold. */
  scores: Record<string, number[]>;
  mean: Record<string, number>;
  /** Population standard deviation over the folds (ddof 0, as numpy's default). */
  std: Record<string, number>;
  /** The folds used, so a winning setting can be refit or inspected. */
  folds: Fold[];
}

/** Runs folds one after another: parallelism belongs inside fitAndScore (the worker pool). */
export async function crossValidate<D extends AnyDataset>(
  ds: D,
  k: number,
  fitAndScore: (train: D, test: D, fold: number) => Promise<FoldScore> | FoldScore,
  options: CrossValidateOptions,
): Promise<CrossValidation> {
  const stratified = options.stratified ?? ds.classes !== undefined;
  if (stratified && ds.classes === undefined) fail('ERR_BAD_ARGUMENT', 'stratified cross-validation needs a classification dataset (classes set)');
  const folds = stratified ? stratifiedKFold(ds.y, ds.classes!, k, { seed: options.seed }) : kFold(ds.rows, k, { seed: options.seed });
  const scores: Record<string, number[]> = {};
  for (let f = 0; f < folds.length; f++) {
    if (options.signal?.aborted) fail('ERR_ABORTED', `cross-validation aborted before fold ${f}`, options.signal.reason);
    const result = await fitAndScore(take(ds, folds[f].train), take(ds, folds[f].test), f);
    const named = typeof result === 'number' ? { score: result } : result;
    const keys = Object.keys(named);
    if (f > 0 && (keys.length !== Object.keys(scores).length || keys.some((key) => !(key in scores)))) {
      fail('ERR_BAD_ARGUMENT', `fold ${f} returned metrics ${keys.join(', ')} but fold 0 returned ${Object.keys(scores).join(', ')}`);
    }
    for (const key of keys) {
      if (!Number.isFinite(named[key])) fail('ERR_NON_FINITE', `fold ${f}: score ${key} is ${named[key]}`);
      (scores[key] ??= []).push(named[key]);
    }
  }
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const [key, values] of Object.entries(scores)) {
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
  }
  return { scores, mean, std, folds };
}
