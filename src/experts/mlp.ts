// Multi-layer perceptron: Dense(relu) layers → Dense(softmax), cross-entropy. The seed's
// model is new MlpExpert({ hidden: [512] }) with Adam, batch 128, 10 epochs (the defaults).
import type { Head } from '../nn/network.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';

export class MlpExpert extends NetworkExpert {
  readonly kind = 'mlp' as const;
  readonly task = 'classification' as const;
  protected readonly head: Head = 'softmax';

  constructor(config: NetworkExpertConfig = {}) {
    super({ hidden: [512], ...config, fit: { epochs: 10, batchSize: 128, ...config.fit } });
  }
}
