// Seeded, deterministic splits: train/test, k-fold and stratified k-fold indices, and
// the stratified sampler behind them (exact part sizes, class shares kept to ±1 row).
import { fail } from '../errors.js';
import { type AnyDataset, take } from './dataset.js';
import { Rng } from './prng.js';

export interface Fold {
  /** Sorted row indices to train on. */
  readonly train: Int32Array;
  /** Sorted row indices to score on (the complement of train). */
  readonly test: Int32Array;
}

/**
 * Split `total` into integer parts proportional to `weights` by largest remainder
 * (Hamilton): parts sum to `total` exactly and each is ⌊quota⌋ or ⌈quota⌉; ties go
 * to the lower index. Integer arithmetic only.
 */
export function apportion(total: number, weights: ArrayLike<number>): number[] {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
  const parts: number[] = [];
  const rest: number[] = [];
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const a = total * weights[i];
    let q = sum === 0 ? 0 : Math.floor(a / sum);
    if (q * sum > a) q--;
    parts.push(q);
    rest.push(a - q * sum);
    given += q;
  }
  const order = parts.map((_, i) => i).sort((i, j) => rest[j] - rest[i] || i - j);
  for (let n = 0; n < total - given; n++) parts[order[n]]++;
  return parts;
}

function checkLabels(y: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) fail('ERR_LABEL_RANGE', `label ${v} at row ${i} is not an integer in [0, ${classes})`);
    counts[v]++;
  }
  return counts;
}

function byClass(y: ArrayLike<number>, classes: number, rng: Rng): Int32Array[] {
  const counts = checkLabels(y, classes);
  const lists = counts.map((n) => new Int32Array(n));
  const fill = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) lists[y[i]][fill[y[i]]++] = i;
  for (const list of lists) rng.shuffle(list);
  return lists;
}

/**
 * Disjoint stratified samples of the given sizes (their sum ≤ rows): each part holds
 * every class in proportion to its share of y (within one row), rows in shuffled order.
 */
export function stratifiedSample(y: ArrayLike<number>, classes: number, sizes: readonly number[], rng: Rng): Int32Array[] {
  let used = 0;
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 0) fail('ERR_BAD_ARGUMENT', `sample sizes must be integers ≥ 0, got ${s}`);
    used += s;
  }
  if (used > y.length) fail('ERR_BAD_ARGUMENT', `sample sizes add up to ${used} but only ${y.length} rows are available`);
  const lists = byClass(y, classes, rng);
  // First how many rows of each class to use at all, then each part's share of those.
  const left = apportion(used, lists.map((l) => l.length));
  const next = new Array<number>(classes).fill(0);
  return sizes.map((size) => {
    const share = apportion(size, left);
    const part = new Int32Array(size);
    let p = 0;
    for (let c = 0; c < classes; c++) {
      part.set(lists[c].subarray(next[c], next[c] + share[c]), p);
      p += share[c];
      next[c] += share[c];
      left[c] -= share[c];
    }
    return rng.shuffle(part);
  });
}

export interface TrainTestOptions {
  /** Test share in (0, 1); the test set gets ⌈fraction·rows⌉ rows (as scikit-learn). */
  testFraction?: number;
  /** Exact number of test rows (instead of testFraction). */
  testSize?: number;
  seed: number;
  /** Keep class proportions in both parts (classification datasets only). */
  stratify?: boolean;
}

export interface TrainTestSplit<D extends AnyDataset> {
  readonly train: D;
  readonly test: D;
  readonly trainIndices: Int32Array;
  readonly testIndices: Int32Array;
}

export function trainTestSplit<D extends AnyDataset>(ds: D, options: TrainTestOptions): TrainTestSplit<D> {
  const { trainIndices, testIndices } = trainTestIndices(ds, options);
  return { train: take(ds, trainIndices), test: take(ds, testIndices), trainIndices, testIndices };
}

/** The rows trainTestSplit would put in each part, without copying them. */
export function trainTestIndices(ds: Pick<AnyDataset, 'rows' | 'y' | 'classes'>, options: TrainTestOptions): { trainIndices: Int32Array; testIndices: Int32Array } {
  const { testFraction, testSize, seed, stratify = false } = options;
  if ((testFraction === undefined) === (testSize === undefined)) fail('ERR_BAD_ARGUMENT', 'give exactly one of testFraction or testSize');
  const nTest = testSize ?? Math.ceil(testFraction! * ds.rows);
  if (testFraction !== undefined && !(testFraction > 0 && testFraction < 1)) fail('ERR_BAD_ARGUMENT', `testFraction must be in (0, 1), got ${testFraction}`);
  if (!Number.isInteger(nTest) || nTest < 1 || nTest > ds.rows - 1) {
    fail('ERR_BAD_ARGUMENT', `the test set would have ${nTest} of ${ds.rows} rows; both parts need at least one row`);
  }
  const rng = new Rng(seed);
  let trainIndices: Int32Array;
  let testIndices: Int32Array;
  if (stratify) {
    if (ds.classes === undefined) fail('ERR_BAD_ARGUMENT', 'stratify needs a classification dataset (classes set)');
    [trainIndices, testIndices] = stratifiedSample(ds.y, ds.classes, [ds.rows - nTest, nTest], rng);
  } else {
    const perm = rng.permutation(ds.rows);
    testIndices = perm.slice(0, nTest);
    trainIndices = perm.slice(nTest);
  }
  return { trainIndices, testIndices };
}

function checkK(rows: number, k: number): void {
  if (!Number.isInteger(k) || k < 2) fail('ERR_BAD_ARGUMENT', `k must be an integer ≥ 2, got ${k}`);
  if (k > rows) fail('ERR_BAD_ARGUMENT', `k = ${k} folds need at least ${k} rows, got ${rows}`);
}

function foldsFrom(rows: number, foldOf: Int32Array, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < rows; i++) (foldOf[i] === f ? test : train).push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

/** k folds of a shuffled 0..rows−1 (unshuffled with shuffle: false); sizes differ by at most 1. */
export function kFold(rows: number, k: number, options: { seed: number; shuffle?: boolean }): Fold[] {
  checkK(rows, k);
  const order = options.shuffle === false ? Int32Array.from({ length: rows }, (_, i) => i) : new Rng(options.seed).permutation(rows);
  const foldOf = new Int32Array(rows);
  const small = Math.floor(rows / k);
  const big = rows % k; // the first `big` folds get one extra row
  let p = 0;
  for (let f = 0; f < k; f++) for (let n = f < big ? small + 1 : small; n > 0; n--) foldOf[order[p++]] = f;
  return foldsFrom(rows, foldOf, k);
}

/**
 * k folds that keep class proportions: each class, shuffled, is dealt round-robin over
 * the folds (continuing from class to class), so every fold holds each class to within
 * one row and fold sizes differ by at most 1.
 */
export function stratifiedKFold(y: ArrayLike<number>, classes: number, k: number, options: { seed: number }): Fold[] {
  checkK(y.length, k);
  const lists = byClass(y, classes, new Rng(options.seed));
  const foldOf = new Int32Array(y.length);
  let n = 0;
  for (const list of lists) for (const i of list) foldOf[i] = n++ % k;
  return foldsFrom(y.length, foldOf, k);
}
