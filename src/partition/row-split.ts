// Row partitions without a model of the data: numpy's array_split (the seed's code),
// a seeded shuffle, and a stratified split that keeps class proportions in every part.
import { fail } from '../errors.js';
import { Rng } from '../data/prng.js';
import { stratifiedSample } from '../data/split.js';
import { type PartitionJSON, RowParts, arraySplitSizes, fromLists, toLists } from './partition.js';

export class IndexPartition extends RowParts {
  constructor(
    readonly kind: 'contiguous' | 'shuffled' | 'stratified',
    rows: number,
    parts: readonly Int32Array[],
    /** The seed of a shuffled or stratified split. */
    readonly seed?: number,
  ) {
    super(rows, parts);
  }

  toJSON(): PartitionJSON {
    return { kind: this.kind, rows: this.rows, parts: toLists(this.parts), ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }

  static fromJSON(json: PartitionJSON): IndexPartition {
    if (json.kind !== 'contiguous' && json.kind !== 'shuffled' && json.kind !== 'stratified') fail('ERR_BAD_FILE', `not an index partition: ${json.kind}`);
    return new IndexPartition(json.kind, json.rows, fromLists(json.parts, json.rows), json.seed);
  }
}

/** Cut `order` into n consecutive chunks of array_split sizes, each sorted ascending. */
function chunks(order: Int32Array, n: number): Int32Array[] {
  let start = 0;
  return arraySplitSizes(order.length, n).map((size) => {
    const part = order.slice(start, (start += size));
    return part.sort();
  });
}

/** np.array_split(range(rows), n): consecutive rows, the first rows % n parts one row longer. */
export function contiguousSplit(rows: number, n: number): IndexPartition {
  return new IndexPartition('contiguous', rows, chunks(Int32Array.from({ length: Math.max(rows, 0) }, (_, i) => i), n));
}

/** array_split of a seeded random permutation: same sizes as contiguousSplit, random rows. */
export function shuffledSplit(rows: number, n: number, seed: number): IndexPartition {
  arraySplitSizes(rows, n); // check n before drawing
  return new IndexPartition('shuffled', rows, chunks(new Rng(seed).permutation(rows), n), seed);
}

/** array_split sizes, each part holding every class in proportion to its share of y (within one row). */
export function stratifiedSplit(y: ArrayLike<number>, classes: number, n: number, seed: number): IndexPartition {
  const sizes = arraySplitSizes(y.length, n);
  const parts = stratifiedSample(y, classes, sizes, new Rng(seed)).map((p) => p.sort());
  return new IndexPartition('stratified', y.length, parts, seed);
}
