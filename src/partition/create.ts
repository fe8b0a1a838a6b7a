// From a partition spec (what a model config names) to a partition, and back from saved JSON.
import type { Backend } from '../backend/backend.js';
import { fail } from '../errors.js';
import { type RowSource, isSource } from '../data/source.js';
import type { PartitionJSON } from './partition.js';
import { type Partition, type PartitionInput, type PartitionSpec, partitionEntry } from './registry.js';

export type { Partition, PartitionInput, PartitionSpec } from './registry.js';

/** Partition `ds` (in memory, or a source read in passes) as `spec` says (k-means needs dense rows; stratified needs classes). */
export async function createPartition(ds: PartitionInput | RowSource, spec: PartitionSpec): Promise<Partition> {
  const entry = partitionEntry(spec?.kind);
  if (entry.readsFeatures && !isSource(ds) && ds.x === undefined) fail('ERR_BAD_ARGUMENT', `partition '${spec.kind}' reads the rows' features: give it the whole dataset`);
  return entry.create(ds, spec);
}

/** Whether a partition of this kind reads the rows' features, or only their sizes and labels. */
export function partitionReadsFeatures(spec: PartitionSpec): boolean {
  return partitionEntry(spec?.kind).readsFeatures === true;
}

/** Rebuild a partition from toJSON() output; a k-means one routes with `backend` (default the library's). */
export async function partitionFromJSON(json: PartitionJSON, backend?: Backend): Promise<Partition> {
  return partitionEntry((json as { kind?: unknown } | null)?.kind, 'ERR_BAD_FILE').fromJSON(json, backend);
}
