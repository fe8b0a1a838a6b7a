// Binary logistic regression: one output, sigmoid, binary cross-entropy, optional L1/L2.
import type { Head } from '../nn/network.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';

export class LogisticRegression extends NetworkExpert {
  readonly kind = 'logistic' as const;
  readonly task = 'classification' as const;
  protected readonly head: Head = 'sigmoid';

  constructor(config: Omit<NetworkExpertConfig, 'hidden'> = {}) {
    // Convex and small: a larger step than the MLP's Keras default converges in far fewer epochs.
    super({ optimizer: { kind: 'adam', lr: 0.01 }, ...config, hidden: [], fit: { epochs: 30, batchSize: 64, ...config.fit } });
  }
}
