// Multi-layer perceptron: Dense(relu) layers → Dense, with a softmax cross-entropy head for
// classes or a mean-squared-error head for regression — taken from the data at fit (a
// dataset without `classes` is regression) unless `task` says. The seed's model is
// new MlpExpert({ hidden: [512] }) with Adam, batch 128, 10 epochs (the defaults from 3,713
// training rows up; fewer rows train more, smaller batches: mlp-schedule.ts). Regression
// trains on standardised targets and predicts on theirs.
import type { AnyDataset } from '../data/dataset.js';
import type { RowSource } from '../data/source.js';
import type { Head } from '../nn/losses.js';
import type { FitOptions, History } from '../train/fit.js';
import type { ExpertState, Task } from './expert.js';
import { mlpSchedule } from './mlp-schedule.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';

export interface MlpConfig extends NetworkExpertConfig {
  /** Default: from the data at fit; a saved regression MLP records it. */
  task?: Task;
}

export class MlpExpert extends NetworkExpert {
  readonly kind = 'mlp' as const;
  protected readonly standardisesTargets = true;
  private chosen: Task | undefined;

  constructor(config: MlpConfig = {}) {
    super({ hidden: [512], ...config });
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

  protected schedule(rows: number, given: FitOptions): { epochs: number; batchSize: number } {
    return mlpSchedule(rows, given);
  }

  toState(): ExpertState {
    const state = super.toState();
    // Only regression is recorded: classification is what a state without `task` means (v1 files).
    return this.task === 'regression' ? { ...state, config: { ...state.config, task: 'regression' } } : state;
  }
}
