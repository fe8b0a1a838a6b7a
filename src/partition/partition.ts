// What every partitioner returns: which rows (or which columns) each expert trains on,
// how a new input is routed, and plain data to save it with the model.
import { fail } from '../errors.js';
import type { CsrMatrix } from '../data/csr.js';
import { type AnyDataset, take } from '../data/dataset.js';

export type { PartitionKind, RowPartitionKind } from './registry.js';
import type { RowPartitionKind } from './registry.js';

/** Row partitions: expert i trains on rows parts[i] (sorted ascending, disjoint, covering all rows). */
export abstract class RowParts {
  abstract readonly kind: RowPartitionKind;
  constructor(
    /** Rows of the dataset the partition was made from. */
    readonly rows: number,
    /** Sorted row indices per expert (disjoint, except k-means with overlap > 0). */
    readonly parts: readonly Int32Array[],
  ) {}

  get experts(): number {
    return this.parts.length;
  }

  /** Each expert's input for new rows: all of x, for every expert. */
  expertInputs<X extends Float32Array | CsrMatrix>(x: X, _rows: number): X[] {
    return this.parts.map(() => x);
  }

  /** Expert i's training set. */
  subset<D extends AnyDataset>(ds: D, i: number): D {
    checkExpert(i, this.experts);
    if (ds.rows !== this.rows) fail('ERR_BAD_SHAPE', `the partition was made for ${this.rows} rows, the dataset has ${ds.rows}`);
    return take(ds, this.parts[i]);
  }

  abstract toJSON(): PartitionJSON;
}

/** The JSON form of any partition (typed arrays as number arrays; JSON.stringify-safe). */
export type PartitionJSON =
  | { kind: 'contiguous' | 'shuffled' | 'stratified'; rows: number; parts: number[][]; seed?: number }
  | { kind: 'kmeans'; rows: number; parts: number[][]; dims: number; centroids: number[]; mean: number[]; inertia: number; iterations: number; converged: boolean; reseeded: number; seed: number }
  | { kind: 'features'; cols: number; groups: number[][] };

/** numpy.array_split sizes: the first `total % n` parts get one extra element. */
export function arraySplitSizes(total: number, n: number): number[] {
  checkCount(total, n, 'rows');
  const small = Math.floor(total / n), big = total % n;
  return Array.from({ length: n }, (_, i) => (i < big ? small + 1 : small));
}

/**
 * k must be an integer (ERR_BAD_ARGUMENT); k < 1 or k > total would leave an expert with
 * nothing to train on (ERR_EMPTY).
 */
export function checkCount(total: number, k: number, what: string): void {
  if (!Number.isInteger(k)) fail('ERR_BAD_ARGUMENT', `the number of experts must be an integer, got ${k}`);
  if (k < 1) fail('ERR_EMPTY', `the number of experts must be ≥ 1, got ${k}`);
  if (k > total) fail('ERR_EMPTY', `${k} experts need at least ${k} ${what}, got ${total}: some expert would get no ${what}`);
}

export function checkExpert(i: number, experts: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= experts) fail('ERR_BAD_ARGUMENT', `expert index ${i} outside [0, ${experts})`);
}

export function toLists(parts: readonly Int32Array[]): number[][] {
  return parts.map((p) => Array.from(p));
}

/** Parts read back from JSON: sorted, covering 0..rows−1, none empty; disjoint unless `overlapping`. */
export function fromLists(lists: unknown, rows: number, overlapping = false): Int32Array[] {
  if (!Array.isArray(lists) || !Number.isInteger(rows) || rows < 1) fail('ERR_BAD_FILE', 'partition JSON needs `rows` and an array of `parts`');
  const seen = new Uint8Array(rows);
  let covered = 0;
  const parts = lists.map((list: unknown, i) => {
    if (!Array.isArray(list) || list.length === 0) fail('ERR_BAD_FILE', `partition part ${i} is empty or not an array`);
    const part = Int32Array.from(list as number[]);
    for (let j = 0; j < part.length; j++) {
      const r = part[j];
      if (r !== (list as number[])[j] || r < 0 || r >= rows || (seen[r] && !overlapping)) fail('ERR_BAD_FILE', `partition part ${i}: row ${String((list as unknown[])[j])} is out of range or repeated`);
      if (j > 0 && part[j - 1] >= r) fail('ERR_BAD_FILE', `partition part ${i} is not sorted`);
      if (!seen[r]) covered++;
      seen[r] = 1;
    }
    return part;
  });
  if (covered !== rows) fail('ERR_BAD_FILE', `partition parts cover ${covered} of ${rows} rows`);
  return parts;
}
