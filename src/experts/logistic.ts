// Binary logistic regression: one output, sigmoid, binary cross-entropy, optional L1/L2.
import type { Head } from '../nn/network.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';

export class LogisticRegression extends NetworkExpert {
  readonly kind = 'logistic' as const;
  readonly task = 'classification' as const;
  protected readonly head: Head = 'sigmoid';

  constructor(config: Omit<NetworkExpertConfig, 'hidden'> = {}) {
    super({ ...config, hidden: [], fit: { epochs: 20, batchSize: 64, ...config.fit } });
  }
}
