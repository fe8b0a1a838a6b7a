// Choosing α, k or sparsity by k-fold cross-validation (the seed's FAQ 2): every candidate
// is scored on the same folds, and the one with the best mean wins.
import { fail } from '../errors.js';
import type { AnyDataset } from '../data/dataset.js';
import type { Fold } from '../data/split.js';
import { crossValidate } from '../metrics/cross-validate.js';

export interface ChoiceOptions {
  /** Folds (default 5). */
  folds?: number;
  seed: number;
  /** 'max' for accuracy-like scores, 'min' for losses. */
  goal: 'max' | 'min';
  /** Keep class proportions in every fold (default: true for classification datasets). */
  stratified?: boolean;
  signal?: AbortSignal;
}

export interface Choice<C> {
  candidates: C[];
  /** scores[c][f]: candidate c's score on fold f. */
  scores: number[][];
  mean: number[];
  /** Population standard deviation over the folds. */
  std: number[];
  bestIndex: number;
  best: C;
  folds: Fold[];
}

/** Ties go to the earlier candidate: list simpler settings first. */
export async function crossValidateChoice<D extends AnyDataset, C>(
  ds: D,
  candidates: readonly C[],
  score: (train: D, test: D, candidate: C, fold: number) => Promise<number> | number,
  options: ChoiceOptions,
): Promise<Choice<C>> {
  if (candidates.length === 0) fail('ERR_EMPTY', 'crossValidateChoice: no candidates to choose from');
  if (options.goal !== 'max' && options.goal !== 'min') fail('ERR_BAD_ARGUMENT', `goal must be 'max' or 'min', got ${String(options.goal)}`);
  const scores: number[][] = [], mean: number[] = [], std: number[] = [];
  let folds: Fold[] = [];
  for (const candidate of candidates) {
    // The same seed gives every candidate the same folds.
    const cv = await crossValidate(ds, options.folds ?? 5, (train, test, f) => score(train, test, candidate, f), options);
    scores.push(cv.scores.score);
    mean.push(cv.mean.score);
    std.push(cv.std.score);
    folds = cv.folds;
  }
  let bestIndex = 0;
  for (let c = 1; c < candidates.length; c++) if (options.goal === 'max' ? mean[c] > mean[bestIndex] : mean[c] < mean[bestIndex]) bestIndex = c;
  return { candidates: [...candidates], scores, mean, std, bestIndex, best: candidates[bestIndex], folds };
}
