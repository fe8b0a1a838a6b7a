// Build an expert from a plain-data spec (what the model's options and workers carry).
import type { Backend } from '../backend/backend.js';
import type { OptimizerConfig } from '../nn/optimizer.js';
import type { FitOptions } from '../train/fit.js';
import type { NetworkExpert } from './network-expert.js';
import { type ExpertKind, expertEntry } from './registry.js';

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
  return expertEntry(kind).create({ ...config, backend });
}

