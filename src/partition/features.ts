// Feature-group partitions (the seed's §4: x1..x_{n/2} | x_{n/2+1}..x_n): every expert sees
// every row, but only its own columns.
import { fail } from '../errors.js';
import { type CsrMatrix, selectCsrColumns } from '../data/csr.js';
import { type AnyDataset, selectColumns } from '../data/dataset.js';
import { type PartitionJSON, arraySplitSizes, checkCount, checkExpert } from './partition.js';

export interface FeatureGroupOptions {
  /** Let a column belong to several groups (default false: overlap → ERR_BAD_ARGUMENT). */
  allowOverlap?: boolean;
  /** Let a column belong to no group (default false: a missing column → ERR_BAD_ARGUMENT). */
  allowUnused?: boolean;
}

export class FeaturePartition {
  readonly kind = 'features' as const;

  constructor(
    /** Columns of the input the groups index into. */
    readonly cols: number,
    /** Column indices per expert, in the order the expert sees them. */
    readonly groups: readonly Int32Array[],
  ) {}

  get experts(): number {
    return this.groups.length;
  }

  /** Expert i's training set: all rows, its own columns. */
  subset<D extends AnyDataset>(ds: D, i: number): D {
    checkExpert(i, this.experts);
    if (ds.cols !== this.cols) fail('ERR_BAD_SHAPE', `the partition was made for ${this.cols} columns, the dataset has ${ds.cols}`);
    return selectColumns(ds, this.groups[i]);
  }

  /** Each expert's input for new rows: x (rows × cols, dense or CSR) cut to the expert's columns. */
  expertInputs<X extends Float32Array | CsrMatrix>(x: X, rows: number): X[] {
    if (!(x instanceof Float32Array)) return this.groups.map((g) => selectCsrColumns(x, g)) as X[];
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * this.cols) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${this.cols} features`);
    return this.groups.map((g) => {
      const out = new Float32Array(rows * g.length);
      for (let r = 0; r < rows; r++) for (let j = 0; j < g.length; j++) out[r * g.length + j] = x[r * this.cols + g[j]];
      return out as X;
    });
  }

  toJSON(): PartitionJSON {
    return { kind: 'features', cols: this.cols, groups: this.groups.map((g) => Array.from(g)) };
  }

  static fromJSON(json: PartitionJSON): FeaturePartition {
    if (json.kind !== 'features') fail('ERR_BAD_FILE', `not a feature partition: ${json.kind}`);
    return featureGroups(json.cols, json.groups, { allowOverlap: true, allowUnused: true });
  }
}

/**
 * `n` contiguous column groups of array_split sizes, or the explicit `groups` given. Each
 * group must be non-empty (ERR_EMPTY) with integer columns in [0, cols) (ERR_BAD_ARGUMENT).
 */
export function featureGroups(cols: number, groups: number | readonly (readonly number[] | Int32Array)[], options: FeatureGroupOptions = {}): FeaturePartition {
  if (!Number.isInteger(cols) || cols < 1) fail('ERR_EMPTY', `feature groups need an input with ≥ 1 column, got ${cols}`);
  if (typeof groups === 'number') {
    checkCount(cols, groups, 'columns');
    let start = 0;
    return new FeaturePartition(cols, arraySplitSizes(cols, groups).map((size) => Int32Array.from({ length: size }, () => start++)));
  }
  if (groups.length === 0) fail('ERR_EMPTY', 'feature groups: no groups given');
  const owner = new Int32Array(cols).fill(-1);
  const out = groups.map((g, i) => {
    if (g.length === 0) fail('ERR_EMPTY', `feature group ${i} has no columns`);
    const group = Int32Array.from(g);
    for (let j = 0; j < g.length; j++) {
      const c = g[j];
      if (!Number.isInteger(c) || c < 0 || c >= cols) fail('ERR_BAD_ARGUMENT', `feature group ${i}: column ${c} outside [0, ${cols})`);
      if (owner[c] === i) fail('ERR_BAD_ARGUMENT', `feature group ${i} lists column ${c} twice`);
      if (owner[c] >= 0 && !options.allowOverlap) fail('ERR_BAD_ARGUMENT', `column ${c} is in feature groups ${owner[c]} and ${i}; pass allowOverlap: true if that is intended`);
      owner[c] = i;
    }
    return group;
  });
  const unused = owner.indexOf(-1);
  if (unused >= 0 && !options.allowUnused) fail('ERR_BAD_ARGUMENT', `column ${unused} is in no feature group; pass allowUnused: true to drop it`);
  return new FeaturePartition(cols, out);
}
