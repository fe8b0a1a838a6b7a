// Multi-layer perceptron: Dense(relu) layers → Dense, with a softmax cross-entropy head for
// classes or a mean-squared-error head for regression — taken from the data at fit (a
// dataset without `classes` is regression) unless `task` says. The seed's model is
// new MlpExpert({ hidden: [512] }) with Adam, batch 128, 10 epochs (the defaults).
import type { AnyDataset } from '../data/dataset.js';
import type { RowSource } from '../data/source.js';
import type { Head } from '../nn/losses.js';
import type { FitOptions, History } from '../train/fit.js';
import type { ExpertState, Task } from './expert.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';

export interface MlpConfig extends NetworkExpertConfig {
  /** Default: from the data at fit; a saved regression MLP records it. */
  task?: Task;
}

export class MlpExpert extends NetworkExpert {
  readonly kind = 'mlp' as const;
  private chosen: Task | undefined;

  constructor(config: MlpConfig = {}) {
    super({ hidden: [512], ...config, fit: { epochs: 10, batchSize: 128, ...config.fit } });
    this.chosen = config.task;
  }

  get task(): Task {
    return this.chosen ?? 'classification';
  }

  protected get head(): Head {
    return this.task === 'regression' ? 'mse' : 'softmax';
  }

  async fit(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<History> {
    this.chosen = (this.config as MlpConfig).task ?? (ds.classes === undefined ? 'regression' : 'classification');
    return super.fit(ds, options);
  }

  toState(): ExpertState {
    const state = super.toState();
    // Only regression is recorded: classification is what a state without `task` means (v1 files).
    return this.task === 'regression' ? { ...state, config: { ...state.config, task: 'regression' } } : state;
  }
}
