// Out-of-fold expert outputs, as scikit-learn's StackingClassifier builds its meta-learner's
// training set (cv = 5): every row's outputs come from experts that never trained on it, and
// every training row is used — not one small holdout.
import { fail } from '../errors.js';
import { type AnyDataset, take } from '../data/dataset.js';
import { type Fold, kFold, stratifiedKFold } from '../data/split.js';

/** Train the experts on `train`, return their outputs (one rows × width array each) on `held`. */
export type FitPredict = (train: AnyDataset, held: AnyDataset, fold: number) => Promise<readonly Float32Array[]>;

export interface OutOfFoldOptions {
  /** Number of folds (default 5; stratified by class for classification), or the folds themselves. */
  folds?: number | readonly Fold[];
  seed?: number;
}

/** Per expert, rows × width outputs for every row of ds, each predicted by experts fit on the other folds. */
export async function outOfFoldOutputs(ds: AnyDataset, fitPredict: FitPredict, options: OutOfFoldOptions = {}): Promise<Float32Array[]> {
  const folds = makeFolds(ds, options.folds ?? 5, options.seed ?? 0);
  let out: Float32Array[] | null = null, width = 0;
  for (let f = 0; f < folds.length; f++) {
    const { train, test } = folds[f];
    const outputs = await fitPredict(take(ds, train), take(ds, test), f);
    if (!out) {
      width = outputs[0]?.length / test.length;
      if (outputs.length === 0 || !Number.isInteger(width) || width < 1) fail('ERR_BAD_SHAPE', `fold ${f}: expected rows × width outputs for ${test.length} rows`);
      out = outputs.map(() => new Float32Array(ds.rows * width));
    }
    if (outputs.length !== out.length) fail('ERR_BAD_SHAPE', `fold ${f} gave ${outputs.length} experts' outputs, fold 0 gave ${out.length}`);
    outputs.forEach((o, e) => {
      if (o.length !== test.length * width) fail('ERR_BAD_SHAPE', `fold ${f}, expert ${e}: ${o.length} values for ${test.length} rows × ${width}`);
      for (let i = 0; i < test.length; i++) out![e].set(o.subarray(i * width, (i + 1) * width), test[i] * width);
    });
  }
  return out!;
}

/** Seeded (stratified) folds, or given ones checked to score every row exactly once. */
function makeFolds(ds: AnyDataset, folds: number | readonly Fold[], seed: number): readonly Fold[] {
  if (typeof folds !== 'number') {
    const scored = new Int32Array(ds.rows);
    for (const f of folds) for (const i of f.test) scored[i]++;
    if (folds.length < 2 || scored.some((n) => n !== 1)) fail('ERR_BAD_ARGUMENT', 'out-of-fold: the given folds must score every row exactly once');
    return folds;
  }
  if (!Number.isInteger(folds) || folds < 2) fail('ERR_BAD_ARGUMENT', `out-of-fold outputs need an integer number of folds ≥ 2, got ${folds}`);
  return ds.classes !== undefined ? stratifiedKFold(ds.y, ds.classes, folds, { seed }) : kFold(ds.rows, folds, { seed });
}
