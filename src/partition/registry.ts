// Every partition kind, one entry each: how to make it from a spec and a dataset, and how to
// restore it from its JSON. A new kind is its own file, its test, and one entry here.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { AnyDataset } from '../data/dataset.js';
import { type RowSource, isSource, sourceLabels } from '../data/source.js';
import { type FeatureGroupOptions, FeaturePartition, featureGroups } from './features.js';
import { ClusterPartition, type KMeansOptions, kmeans } from './kmeans.js';
import { kmeansSource } from './kmeans-stream.js';
import type { PartitionJSON } from './partition.js';
import { IndexPartition, contiguousSplit, shuffledSplit, stratifiedSplit } from './row-split.js';

export type Partition = IndexPartition | ClusterPartition | FeaturePartition;

/** What any partition may be told; each kind reads its own fields. */
export interface PartitionSpec extends Omit<KMeansOptions, 'seed'>, FeatureGroupOptions {
  /** k-means on a source: rows its k-means++ seeding samples (see kmeansSource). */
  sampleRows?: number;
  kind: PartitionKind;
  /** Number of experts, or (features) the column groups themselves. */
  experts: number | readonly (readonly number[])[];
  seed?: number;
}

/** What a partition is made from: the rows' sizes and labels; only k-means reads their features. */
export type PartitionInput = Pick<AnyDataset, 'rows' | 'cols' | 'y' | 'classes'> & { readonly x?: AnyDataset['x'] };

interface PartitionEntry {
  /** From rows in memory (their labels alone unless readsFeatures) or a source (read in passes). */
  create(ds: PartitionInput | RowSource, spec: PartitionSpec): Partition | Promise<Partition>;
  /** It reads the rows' features (x), not only their labels. */
  readonly readsFeatures?: boolean;
  fromJSON(json: PartitionJSON, backend?: Backend): Partition | Promise<Partition>;
}

const rowsOnly = (spec: PartitionSpec): number => {
  if (typeof spec.experts !== 'number') fail('ERR_BAD_ARGUMENT', `partition '${spec.kind}' splits rows: experts must be a number, got column groups`);
  return spec.experts;
};

const PARTITIONS = {
  contiguous: { create: (ds, spec) => contiguousSplit(ds.rows, rowsOnly(spec)), fromJSON: (json) => IndexPartition.fromJSON(json) },
  shuffled: { create: (ds, spec) => shuffledSplit(ds.rows, rowsOnly(spec), spec.seed ?? 0), fromJSON: (json) => IndexPartition.fromJSON(json) },
  stratified: {
    create: async (ds, spec) => {
      if (ds.classes === undefined) fail('ERR_BAD_ARGUMENT', 'a stratified partition needs a classification dataset (classes set)');
      return stratifiedSplit(isSource(ds) ? await sourceLabels(ds) : ds.y, ds.classes, rowsOnly(spec), spec.seed ?? 0);
    },
    fromJSON: (json) => IndexPartition.fromJSON(json),
  },
  kmeans: {
    create: (ds, spec) => (isSource(ds) ? kmeansSource(ds, rowsOnly(spec), { ...spec, seed: spec.seed ?? 0 }) : kmeans(ds as AnyDataset, rowsOnly(spec), { ...spec, seed: spec.seed ?? 0 })),
    readsFeatures: true,
    fromJSON: async (json, backend) => ClusterPartition.fromJSON(json, backend ?? (await getBackend())),
  },
  features: {
    create: (ds, spec) => {
      if (isSource(ds)) fail('ERR_BAD_ARGUMENT', "feature groups split columns, which a source streams whole: partition a source by rows ('contiguous', 'shuffled', 'stratified', 'kmeans')");
      return featureGroups(ds.cols, spec.experts, spec);
    },
    fromJSON: (json) => FeaturePartition.fromJSON(json),
  },
} satisfies Record<string, PartitionEntry>;

export type PartitionKind = keyof typeof PARTITIONS;
export type RowPartitionKind = Exclude<PartitionKind, 'features'>;

export function partitionEntry(kind: unknown, fault: 'ERR_BAD_ARGUMENT' | 'ERR_BAD_FILE' = 'ERR_BAD_ARGUMENT'): PartitionEntry {
  if (typeof kind === 'string' && Object.hasOwn(PARTITIONS, kind)) return PARTITIONS[kind as PartitionKind];
  return fail(fault, `unknown partition kind '${String(kind)}': use one of ${Object.keys(PARTITIONS).map((k) => `'${k}'`).join(', ')}`);
}
