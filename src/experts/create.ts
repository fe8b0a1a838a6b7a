// Build an expert from a plain-data spec (what the model's options and workers carry).
import type { Backend } from '../backend/backend.js';
import type { FitOptions } from '../train/fit.js';
import type { LinearRegressionConfig } from './linear.js';
import type { LinearModelConfig } from './linear-model.js';
import type { MlpConfig } from './mlp.js';
import type { NetworkExpert } from './network-expert.js';
import { expertEntry } from './registry.js';

/** A config as plain data: no backend (the model's), fit options without callbacks or signals. */
type Plain<C> = Omit<C, 'backend' | 'fit'> & {
  /** epochs, batchSize, shuffle, validationSplit, earlyStopping (callbacks and signals are the model's). */
  fit?: Omit<FitOptions, 'callbacks' | 'signal' | 'onProgress' | 'validationData' | 'seed'>;
};

/** An expert as plain data: its kind and that kind's config (what the model's options and workers carry). */
export type ExpertSpec =
  | ({ kind: 'mlp' } & Plain<MlpConfig>)
  | ({ kind: 'softmax' | 'logistic' } & Plain<LinearModelConfig>)
  | ({ kind: 'linear' } & Plain<LinearRegressionConfig>);

export function createExpert(spec: ExpertSpec, backend: Backend): NetworkExpert {
  const { kind, ...config } = spec;
  return expertEntry(kind).create({ ...config, backend });
}

