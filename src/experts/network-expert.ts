// Experts that are Dense networks trained by gradient descent: the MLP, softmax and
// logistic regression, and linear regression by SGD differ only in layers and head.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { AnyDataset, PredictRows } from '../data/dataset.js';
import type { RowSource } from '../data/source.js';
import { Rng } from '../data/prng.js';
import type { DenseSpec } from '../nn/dense.js';
import type { Head } from '../nn/losses.js';
import { Network } from '../nn/network.js';
import { Optimizer, type OptimizerConfig, type Penalty } from '../nn/optimizer.js';
import { type FitOptions, type History, fitNetwork } from '../train/fit.js';
import type { Expert, ExpertKind, ExpertState, Task } from './expert.js';

export interface NetworkExpertConfig {
  /** Hidden layer widths (ReLU); [] for a linear model. */
  hidden?: number[];
  optimizer?: OptimizerConfig;
  /** L1 strength (proximal step: drives weights to exactly zero — learned sparsity). */
  l1?: number;
  /** L2 strength (SGD: added to the gradient; Adam: decoupled weight decay). */
  l2?: number;
  /** Defaults for fit(): epochs, batchSize, seed, … (fit's own options win). */
  fit?: FitOptions;
  /** A backend; default the library's (see init()). */
  backend?: Backend;
}

export abstract class NetworkExpert implements Expert {
  abstract readonly kind: ExpertKind;
  abstract readonly task: Task;
  protected abstract readonly head: Head;
  protected net: Network<DenseSpec> | null = null;
  protected backend: Backend | null;

  constructor(protected readonly config: NetworkExpertConfig = {}) {
    this.backend = config.backend ?? null;
    for (const h of config.hidden ?? []) {
      if (!Number.isInteger(h) || h <= 0) fail('ERR_BAD_ARGUMENT', `hidden layer widths must be positive integers, got ${h}`);
    }
  }

  get inputs(): number {
    return this.network().inputs;
  }

  get outputs(): number {
    return this.head === 'softmax' ? this.network().outputs : this.head === 'sigmoid' ? 2 : 1;
  }

  /** The trained network (for pruning and inspection). */
  network(): Network<DenseSpec> {
    if (!this.net) fail('ERR_NOT_FITTED', `this ${this.kind} expert is not trained yet: call fit() first`);
    return this.net;
  }

  /** The fit options this expert uses unless fit() is told otherwise. */
  get fitDefaults(): FitOptions {
    return { ...this.config.fit };
  }

  async fit(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<History> {
    const opts = { ...this.config.fit, ...options };
    this.backend ??= await getBackend();
    const outputs = this.head === 'softmax' ? ds.classes ?? fail('ERR_BAD_ARGUMENT', 'a classifier needs a dataset with `classes`') : 1;
    this.net?.dispose();
    this.net = new Network(this.backend, { inputs: ds.cols, layers: this.layers(outputs), head: this.head });
    this.net.initialize(new Rng(opts.seed ?? 0).fork(1));
    return this.train(ds, opts);
  }

  /**
   * Continue training the current weights (and masks: pruned weights stay zero) with a
   * fresh optimiser — the fine-tune after one-shot pruning.
   */
  async fineTune(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<History> {
    this.network();
    return this.train(ds, { ...this.config.fit, ...options });
  }

  private async train(ds: AnyDataset | RowSource, opts: FitOptions): Promise<History> {
    const opt = new Optimizer(this.backend!, this.config.optimizer ?? { kind: 'adam' }, this.penalty(ds.rows));
    try {
      return await fitNetwork(this.net!, opt, ds, opts);
    } finally {
      opt.dispose();
    }
  }

  /** The optimiser's L1 / L2 for a fit on `rows` rows (linear experts resolve scikit-learn's C here). */
  protected penalty(_rows: number): Penalty {
    return { l1: this.config.l1, l2: this.config.l2 };
  }

  predictProba(x: PredictRows, rows: number): Float32Array {
    if (this.task !== 'classification') fail('ERR_BAD_ARGUMENT', 'predictProba is for classifiers; use predict for regression');
    return this.network().predictProba(x, rows);
  }

  predict(x: PredictRows, rows: number): Int32Array | Float32Array {
    return this.network().predict(x, rows);
  }

  parameterCount(): number {
    return this.network().parameterCount();
  }

  nonZeroCount(): number {
    return this.network().params().reduce((s, p) => s + p.nonZero(), 0);
  }

  flopsPerSample(): number {
    return this.network().flopsPerSample();
  }

  toState(): ExpertState {
    const net = this.network();
    const { backend: _b, fit: _f, ...config } = this.config;
    return { kind: this.kind, config: config as Record<string, unknown>, inputs: net.inputs, outputs: net.outputs, tensors: net.tensors() };
  }

  /** Rebuild the network from a state's tensors (used by expertFromState). */
  load(state: ExpertState, backend: Backend): this {
    this.backend = backend;
    this.net?.dispose();
    this.net = null;
    const net = new Network(backend, { inputs: state.inputs, layers: this.layers(state.outputs), head: this.head });
    try {
      net.loadTensors(state.tensors);
    } catch (err) {
      net.dispose();
      throw err;
    }
    this.net = net;
    return this;
  }

  dispose(): void {
    this.net?.dispose();
    this.net = null;
  }

  protected layers(outputs: number): DenseSpec[] {
    return [...(this.config.hidden ?? []).map((units) => ({ units, activation: 'relu' as const })), { units: outputs, activation: 'identity' }];
  }
}
