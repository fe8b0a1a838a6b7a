// From a partition spec (what a model config names) to a partition, and back from saved JSON.
import type { Backend } from '../backend/backend.js';
import type { AnyDataset } from '../data/dataset.js';
import type { RowSource } from '../data/source.js';
import type { PartitionJSON } from './partition.js';
import { type Partition, type PartitionSpec, partitionEntry } from './registry.js';

export type { Partition, PartitionSpec } from './registry.js';

/** Partition `ds` (in memory, or a source read in passes) as `spec` says (k-means needs dense rows; stratified needs classes). */
export async function createPartition(ds: AnyDataset | RowSource, spec: PartitionSpec): Promise<Partition> {
  return partitionEntry(spec?.kind).create(ds, spec);
}

/** Rebuild a partition from toJSON() output; a k-means one routes with `backend` (default the library's). */
export async function partitionFromJSON(json: PartitionJSON, backend?: Backend): Promise<Partition> {
  return partitionEntry((json as { kind?: unknown } | null)?.kind, 'ERR_BAD_FILE').fromJSON(json, backend);
}
