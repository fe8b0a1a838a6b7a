// Experts that are Dense networks trained by gradient descent: the MLP, softmax and
// logistic regression, and linear regression by SGD differ only in layers and head.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { AnyDataset, PredictRows } from '../data/dataset.js';
import { type RowSource, isSource } from '../data/source.js';
import { type TargetScale, checkTargetScale, fitSourceTargetScale, fitTargetScale, scaleSourceTargets, scaleTargets, unscaleTargets } from '../data/target-scale.js';
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
  /** Regression: train on standardised targets and map predictions back (the MLP; linear models solve on raw targets). */
  protected readonly standardisesTargets: boolean = false;
  protected net: Network<DenseSpec> | null = null;
  protected backend: Backend | null;
  /** The training targets' mean and std, fitted at fit (standardisesTargets); null: predictions are the network's outputs. */
  private target: TargetScale | null = null;

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

  /**
   * The options a fit on `rows` rows runs with: this expert's defaults, then `options`, with
   * epochs and batch size resolved for the rows it trains on (after validationSplit).
   */
  fitOptions(rows: number, options: FitOptions = {}): FitOptions & { epochs: number; batchSize: number } {
    const opts = { ...this.config.fit, ...options }, share = opts.validationSplit ?? 0;
    const training = !opts.validationData && share > 0 && share < 1 ? rows - Math.floor(rows * share) : rows;
    return { ...opts, ...this.schedule(training, opts) };
  }

  /** Epochs and batch size for `rows` training rows when `given` leaves them unset (fitNetwork's defaults). */
  protected schedule(_rows: number, given: FitOptions): { epochs: number; batchSize: number } {
    return { epochs: given.epochs ?? 10, batchSize: given.batchSize ?? 32 };
  }

  async fit(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<History> {
    const opts = this.fitOptions(ds.rows, options);
    this.backend ??= await getBackend();
    const outputs = this.head === 'softmax' ? ds.classes ?? fail('ERR_BAD_ARGUMENT', 'a classifier needs a dataset with `classes`') : 1;
    this.net?.dispose();
    this.net = null;
    this.target = null;
    if (this.standardisesTargets && this.head === 'mse' && ds.classes === undefined) {
      this.target = isSource(ds) ? await fitSourceTargetScale(ds) : fitTargetScale(ds.y);
    }
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
    return this.train(ds, this.fitOptions(ds.rows, options));
  }

  /** Trains on the targets standardised by the fitted scale (fine-tuning keeps the first fit's). */
  private async train(ds: AnyDataset | RowSource, opts: FitOptions): Promise<History> {
    const opt = new Optimizer(this.backend!, this.config.optimizer ?? { kind: 'adam' }, this.penalty(ds.rows));
    const t = this.target;
    const data = t ? (isSource(ds) ? scaleSourceTargets(ds, t) : scaleTargets(ds, t)) : ds;
    const validationData = t && opts.validationData ? scaleTargets(opts.validationData, t) : opts.validationData;
    try {
      return await fitNetwork(this.net!, opt, data, { ...opts, validationData });
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
    const p = this.network().predict(x, rows);
    return p instanceof Float32Array ? this.toTargets(p) : p;
  }

  /** Regression outputs of this expert's network (or its compiled sparse copy) on the targets' scale, in place. */
  toTargets(p: Float32Array): Float32Array {
    return this.target ? unscaleTargets(p, this.target) : p;
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
    return {
      kind: this.kind, config: config as Record<string, unknown>, inputs: net.inputs, outputs: net.outputs, tensors: net.tensors(),
      ...(this.target ? { target: { ...this.target } } : {}),
    };
  }

  /** Rebuild the network from a state's tensors (used by expertFromState). */
  load(state: ExpertState, backend: Backend): this {
    this.backend = backend;
    this.net?.dispose();
    this.net = null;
    // States from before target scaling have none: their networks predict the targets as they are.
    this.target = state.target ? checkTargetScale(state.target) : null;
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
