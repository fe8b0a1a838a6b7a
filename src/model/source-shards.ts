// A source's way through the model's fit: held-out rows split off by index (and read into
// memory, for the combiner), and each expert's part handed on by reference when the source
// can be reopened where the expert trains, else read into memory as that expert's shard.
import { fail } from '../errors.js';
import type { Dataset, DenseX } from '../data/dataset.js';
import { type RowSource, readAll, sourceLabels, subsetSource } from '../data/source.js';
import { trainTestIndices } from '../data/split.js';
import { type ResolvedOptions, outOfFoldFolds } from './options.js';
import type { SourcePart } from './train-task.js';

export interface SourceHoldout {
  /** The training rows, streamed. */
  train: RowSource;
  /** Their indices in the source (ascending). */
  trainRows: Int32Array;
  test: Dataset<DenseX>;
}

/** trainTestSplit's rows of a source (ascending in each part): the held-out share read into memory. */
export async function holdOutSource(src: RowSource, testFraction: number, seed: number, stratify: boolean): Promise<SourceHoldout> {
  const y = await sourceLabels(src);
  const { trainIndices, testIndices } = trainTestIndices({ rows: src.rows, y, classes: src.classes }, { testFraction, seed, stratify });
  const trainRows = trainIndices.sort();
  return { train: subsetSource(src, trainRows), trainRows, test: await readAll(subsetSource(src, testIndices.sort())) };
}

/** Each part (row indices into `train`, ascending) as an expert's shard. */
export async function sourceShards(src: RowSource, holdout: SourceHoldout | null, parts: readonly Int32Array[]): Promise<(SourcePart | Dataset<DenseX>)[]> {
  const train = holdout?.train ?? src;
  return Promise.all(parts.map(async (part, i) => {
    if (part.length === 0) fail('ERR_EMPTY', `expert ${i} got no training rows: use fewer experts or another partition`);
    if (!src.ref) return readAll(subsetSource(train, part));
    // Indices into the source itself: what a worker that reopens it can read.
    const rows = holdout ? part.map((r) => holdout.trainRows[r]) : part;
    return { source: src.ref, rows };
  }));
}

/** The options a fit on a source cannot honour, refused before any pass over it. */
export function checkStreamable(o: ResolvedOptions): void {
  if (o.scale) fail('ERR_BAD_ARGUMENT', `scale '${o.scale}' fits a scaler on rows in memory: with a source, leave scale unset and scale the rows as the source yields them`);
  if (outOfFoldFolds(o.combine) !== null) fail('ERR_BAD_ARGUMENT', 'out-of-fold stacking refits the model per fold on rows in memory: with a source, use a combiner that learns from held-out rows');
}
