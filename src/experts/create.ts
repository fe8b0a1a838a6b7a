// Build an expert from a plain-data spec (what the model's options and workers carry).
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { OptimizerConfig } from '../nn/optimizer.js';
import type { FitOptions } from '../train/fit.js';
import type { ExpertKind } from './expert.js';
import { LinearRegression } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { MlpExpert } from './mlp.js';
import type { NetworkExpert } from './network-expert.js';
import { SoftmaxRegression } from './softmax.js';

export interface ExpertSpec {
  kind: ExpertKind;
  /** MLP hidden widths (default [512], the seed's). */
  hidden?: number[];
  optimizer?: OptimizerConfig;
  l1?: number;
  l2?: number;
  /** Linear regression: 'ridge' (default) or 'sgd', and the ridge α. */
  solver?: 'ridge' | 'sgd';
  alpha?: number;
  /** epochs, batchSize, shuffle, validationSplit, earlyStopping (callbacks and signals are the model's). */
  fit?: Omit<FitOptions, 'callbacks' | 'signal' | 'onProgress' | 'validationData' | 'seed'>;
}

export function createExpert(spec: ExpertSpec, backend: Backend): NetworkExpert {
  const { kind, ...config } = spec;
  const withBackend = { ...config, backend };
  switch (kind) {
    case 'mlp': return new MlpExpert(withBackend);
    case 'softmax': return new SoftmaxRegression(withBackend);
    case 'logistic': return new LogisticRegression(withBackend);
    case 'linear': return new LinearRegression(withBackend);
    default: return fail('ERR_BAD_ARGUMENT', `expert kind must be 'mlp', 'softmax', 'logistic' or 'linear', got '${String(kind)}'`);
  }
}
