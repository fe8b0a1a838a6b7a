// One entry point from a partition spec (what a model config names) to a partition, and
// back from the saved JSON.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { AnyDataset } from '../data/dataset.js';
import { type FeatureGroupOptions, FeaturePartition, featureGroups } from './features.js';
import { ClusterPartition, type KMeansOptions, kmeans } from './kmeans.js';
import type { PartitionJSON } from './partition.js';
import { IndexPartition, contiguousSplit, shuffledSplit, stratifiedSplit } from './row-split.js';

export type Partition = IndexPartition | ClusterPartition | FeaturePartition;

export type PartitionSpec =
  | { kind: 'contiguous'; experts: number }
  | { kind: 'shuffled'; experts: number; seed: number }
  | { kind: 'stratified'; experts: number; seed: number }
  | ({ kind: 'kmeans'; experts: number } & KMeansOptions)
  | ({ kind: 'features'; experts: number | readonly (readonly number[])[] } & FeatureGroupOptions);

/** Partition `ds` as `spec` says (k-means needs dense rows; stratified needs classes). */
export async function createPartition(ds: AnyDataset, spec: PartitionSpec): Promise<Partition> {
  switch (spec.kind) {
    case 'contiguous':
      return contiguousSplit(ds.rows, spec.experts);
    case 'shuffled':
      return shuffledSplit(ds.rows, spec.experts, spec.seed);
    case 'stratified':
      if (ds.classes === undefined) fail('ERR_BAD_ARGUMENT', 'a stratified partition needs a classification dataset (classes set)');
      return stratifiedSplit(ds.y, ds.classes, spec.experts, spec.seed);
    case 'kmeans':
      return kmeans(ds, spec.experts, spec);
    case 'features':
      return featureGroups(ds.cols, spec.experts, spec);
    default:
      return fail('ERR_BAD_ARGUMENT', `unknown partition kind '${String((spec as { kind: unknown }).kind)}'`);
  }
}

/** Rebuild a partition from toJSON() output; a k-means one routes with `backend` (default the library's). */
export async function partitionFromJSON(json: PartitionJSON, backend?: Backend): Promise<Partition> {
  switch (json?.kind) {
    case 'contiguous':
    case 'shuffled':
    case 'stratified':
      return IndexPartition.fromJSON(json);
    case 'kmeans':
      return ClusterPartition.fromJSON(json, backend ?? (await getBackend()));
    case 'features':
      return FeaturePartition.fromJSON(json);
    default:
      return fail('ERR_BAD_FILE', `unknown partition kind '${String((json as { kind?: unknown } | null)?.kind)}'`);
  }
}
