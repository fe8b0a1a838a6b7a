// From a combiner spec (what a model config names) to a combiner, and back from saved JSON.
import type { Combiner, CombinerJSON } from './combiner.js';
import { type CombinerContext, type CombinerSpec, type RestoreContext, combinerEntry } from './registry.js';

export type { CombinerContext, CombinerSpec, RestoreContext } from './registry.js';

export function createCombiner(spec: CombinerSpec, ctx: CombinerContext): Combiner {
  return combinerEntry(spec?.kind).create(spec, ctx);
}

/** Any combiner from its toJSON() output; hard routing needs the partition it routes by (restored first). */
export async function combinerFromJSON(json: CombinerJSON, ctx: RestoreContext = {}): Promise<Combiner> {
  return combinerEntry((json as { kind?: unknown } | null)?.kind, 'ERR_BAD_FILE').fromJSON(json, ctx);
}
