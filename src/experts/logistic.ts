// Binary logistic regression: one output, sigmoid, binary cross-entropy; solved to
// convergence by default with scikit-learn's regularisation (see linear-model.ts, penalty.ts).
import type { Head } from '../nn/network.js';
import { LinearModelExpert, type LinearModelConfig } from './linear-model.js';

export class LogisticRegression extends LinearModelExpert {
  readonly kind = 'logistic' as const;
  readonly task = 'classification' as const;
  protected readonly head: Head = 'sigmoid';
  protected readonly loss = 'sigmoid' as const;

  constructor(config: LinearModelConfig = {}) {
    // solver 'sgd' / 'adam': convex and small, so a larger step than the MLP's Keras default.
    super(config, { optimizer: { kind: 'adam', lr: 0.01 }, fit: { epochs: 30, batchSize: 64 } });
  }
}
