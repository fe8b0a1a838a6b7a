// Rebuild any expert from its plain-data state (after a worker trained it, or from a file).
import type { Backend } from '../backend/backend.js';
import type { ExpertState } from './expert.js';
import type { NetworkExpert } from './network-expert.js';
import { expertEntry } from './registry.js';

export function expertFromState(state: ExpertState, backend: Backend): NetworkExpert {
  return expertEntry(state?.kind, 'ERR_BAD_FILE').create(state.config).load(state, backend);
}
