// Rebuild any combiner from its toJSON() output.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { Combiner, CombinerJSON } from './combiner.js';
import { LearnedWeights } from './convex.js';
import { FixedWeights } from './fixed.js';
import { GatingNetwork } from './gate.js';
import { HardRouting, type Router } from './hard-routing.js';
import { Stacking } from './stacking.js';
import { TopKGate } from './topk.js';

/** Hard routing needs the partition it routes by (saved with the model, restored first). */
export async function combinerFromJSON(json: CombinerJSON, options: { backend?: Backend; router?: Router } = {}): Promise<Combiner> {
  switch (json?.kind) {
    case 'fixed':
      return new FixedWeights(json.weights ?? undefined);
    case 'convex':
      return LearnedWeights.fromJSON(json);
    case 'gate':
      return GatingNetwork.fromJSON(json);
    case 'topk':
      return TopKGate.fromJSON(json, options.backend ?? (await getBackend()));
    case 'hard':
      return HardRouting.fromJSON(json, options.router ?? fail('ERR_BAD_ARGUMENT', 'restoring hard routing needs the partition: pass { router }'), options.backend);
    case 'stacking':
      return Stacking.fromJSON(json, options.backend ?? (await getBackend()));
    default:
      return fail('ERR_BAD_FILE', `unknown combiner kind '${String((json as { kind?: unknown } | null)?.kind)}'`);
  }
}
