// Linear regression: closed-form ridge (default) or SGD on the squared error. The seed's
// §4 model y = Σ wᵢxᵢ + b.
import { fail } from '../errors.js';
import { getBackend } from '../backend/init.js';
import { type AnyDataset, isSparse, validate } from '../data/dataset.js';
import { Network, type Head } from '../nn/network.js';
import type { FitOptions, History } from '../train/fit.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';
import { solveRidge } from './ridge.js';

export interface LinearRegressionConfig extends Omit<NetworkExpertConfig, 'hidden'> {
  /** 'ridge' (closed form, default) or 'sgd'. */
  solver?: 'ridge' | 'sgd';
  /** Ridge penalty α ≥ 0 on the weights (not the intercept); default 0 (ordinary least squares). */
  alpha?: number;
}

export class LinearRegression extends NetworkExpert {
  readonly kind = 'linear' as const;
  readonly task = 'regression' as const;
  protected readonly head: Head = 'mse';

  constructor(private readonly linear: LinearRegressionConfig = {}) {
    super({ optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9 }, ...linear, hidden: [], fit: { epochs: 50, batchSize: 32, ...linear.fit } });
    if (linear.solver !== undefined && linear.solver !== 'ridge' && linear.solver !== 'sgd') fail('ERR_BAD_ARGUMENT', `solver must be 'ridge' or 'sgd', got ${String(linear.solver)}`);
  }

  async fit(ds: AnyDataset, options: FitOptions = {}): Promise<History> {
    if (this.linear.solver === 'sgd') return super.fit(ds, options);
    if (isSparse(ds)) fail('ERR_BAD_ARGUMENT', "closed-form ridge needs dense rows; use solver: 'sgd' for sparse input");
    const started = performance.now();
    validate(ds);
    if (ds.classes !== undefined) fail('ERR_BAD_ARGUMENT', 'linear regression needs float targets (a dataset without `classes`)');
    this.backend ??= await getBackend();
    const { weights, intercept } = solveRidge(this.backend, ds.x, ds.y, ds.rows, ds.cols, this.linear.alpha ?? 0);
    this.net?.dispose();
    this.net = new Network(this.backend, { inputs: ds.cols, layers: this.layers(1), head: 'mse' });
    this.backend.write(this.net.layers[0].W.value, Float32Array.from(weights));
    this.backend.write(this.net.layers[0].b.value, [intercept]);
    const pred = this.predict(ds.x, ds.rows);
    let mse = 0;
    for (let r = 0; r < ds.rows; r++) mse += (pred[r] - ds.y[r]) ** 2;
    return { epochs: [0], history: { loss: [mse / ds.rows] }, seconds: (performance.now() - started) / 1000, stoppedEarly: false };
  }

  /** The fitted coefficients and intercept. */
  coefficients(): { weights: Float32Array; intercept: number } {
    const l = this.network().layers[0], b = this.network().backend;
    return { weights: b.read(l.W.value), intercept: b.read(l.b.value)[0] };
  }
}
