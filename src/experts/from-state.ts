// Rebuild any expert from its plain-data state (after a worker trained it, or from a file).
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { ExpertState } from './expert.js';
import { LinearRegression } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { MlpExpert } from './mlp.js';
import type { NetworkExpert } from './network-expert.js';
import { SoftmaxRegression } from './softmax.js';

export function expertFromState(state: ExpertState, backend: Backend): NetworkExpert {
  const config = state.config as never;
  const expert =
    state.kind === 'mlp' ? new MlpExpert(config)
    : state.kind === 'softmax' ? new SoftmaxRegression(config)
    : state.kind === 'logistic' ? new LogisticRegression(config)
    : state.kind === 'linear' ? new LinearRegression(config)
    : fail('ERR_BAD_FILE', `unknown expert kind '${String((state as { kind: unknown }).kind)}'`);
  return expert.load(state, backend);
}
