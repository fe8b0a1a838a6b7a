// The small real sets the defaults are held to (test/moe-shapes.test.ts, test/small-data.test.ts):
// scikit-learn's fixtures on their stored splits, and the held-out score.
import { type Dataset, r2, takeRows } from '../../src/index.js';
import { loadSet, reference } from './linear-fixtures.js';

export interface Split {
  train: Dataset;
  test: Dataset;
}

/** A scikit-learn fixture on its stored split; diabetes as regression (its targets, 25–346). */
export function fixture(name: string): Split {
  let ds = loadSet(name);
  if (name === 'diabetes') {
    const { classes: _, ...rest } = ds;
    ds = { ...rest, y: Float32Array.from(ds.y) };
  }
  const s = reference.splits[name];
  return { train: takeRows(ds, s.train), test: takeRows(ds, s.test) };
}

/** Held-out accuracy, or R² for regression. */
export function score(ds: Dataset, p: ArrayLike<number>): number {
  if (ds.classes === undefined) return r2(ds.y, p);
  let hits = 0;
  for (let i = 0; i < ds.rows; i++) hits += p[i] === ds.y[i] ? 1 : 0;
  return hits / ds.rows;
}
