// Linear regression: closed-form ridge (default), L-BFGS / OWL-QN for the lasso and the
// elastic net, or SGD / Adam on the squared error. The seed's §4 model y = Σ wᵢxᵢ + b.
import { fail } from '../errors.js';
import { getBackend } from '../backend/init.js';
import { type AnyDataset, floatRows, isSparse, validate } from '../data/dataset.js';
import { type RowSource, isSource } from '../data/source.js';
import { Network, type Head } from '../nn/network.js';
import type { FitOptions } from '../train/fit.js';
import { LinearModelExpert, type LinearHistory, type LinearModelConfig, streamingSolverError } from './linear-model.js';
import type { PerRowPenalty } from './penalty.js';
import { solveRidge } from './ridge.js';

export interface LinearRegressionConfig extends Omit<LinearModelConfig, 'C'> {
  /** 'ridge' (closed form; default for penalty 'l2' / 'none'), 'lbfgs' (default for 'l1' / 'elasticnet'), 'sgd' or 'adam'. */
  solver?: LinearModelConfig['solver'];
  /**
   * Strength ≥ 0 (default 0, ordinary least squares) in scikit-learn's units: penalty 'l2' as
   * Ridge, ‖y − Xw‖² + α‖w‖²; 'l1' / 'elasticnet' as Lasso / ElasticNet,
   * ‖y − Xw‖²/(2n) + αρ‖w‖₁ + α(1 − ρ)/2·‖w‖², ρ = l1Ratio (1 for 'l1').
   */
  alpha?: number;
}

export class LinearRegression extends LinearModelExpert {
  readonly kind = 'linear' as const;
  readonly task = 'regression' as const;
  protected readonly head: Head = 'mse';
  protected readonly loss = 'squared' as const;

  constructor(private readonly regression: LinearRegressionConfig = {}) {
    const { solver, ...rest } = regression;
    const sparsePenalty = regression.penalty === 'l1' || regression.penalty === 'elasticnet';
    const chosen = solver ?? (sparsePenalty ? 'lbfgs' : 'ridge');
    if (!['ridge', 'lbfgs', 'sgd', 'adam'].includes(chosen)) fail('ERR_BAD_ARGUMENT', `solver must be 'ridge', 'lbfgs', 'sgd' or 'adam', got ${String(chosen)}`);
    if (chosen === 'ridge' && sparsePenalty) fail('ERR_BAD_ARGUMENT', `penalty '${regression.penalty}' has no closed form: use solver 'lbfgs'`);
    if ((regression as { C?: unknown }).C !== undefined) fail('ERR_BAD_ARGUMENT', 'linear regression takes alpha (scikit-learn Ridge / Lasso / ElasticNet units), not C');
    const alpha = regression.alpha ?? 0;
    if (!(alpha >= 0) || !Number.isFinite(alpha)) fail('ERR_BAD_ARGUMENT', `alpha must be a finite number ≥ 0, got ${alpha}`);
    super({ ...rest, ...(chosen === 'ridge' ? {} : { solver: chosen }) }, { optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9 }, fit: { epochs: 50, batchSize: 32 } });
  }

  async fit(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<LinearHistory> {
    if (ds.classes !== undefined) fail('ERR_BAD_ARGUMENT', 'linear regression needs float targets (a dataset without `classes`)');
    if ((this.regression.solver ?? 'ridge') !== 'ridge' || this.penaltyKind !== 'l2') return super.fit(ds, options);
    if (isSource(ds)) streamingSolverError(this.kind, 'ridge');
    if (isSparse(ds)) fail('ERR_BAD_ARGUMENT', "closed-form ridge needs dense rows; use solver 'lbfgs' or 'sgd' for sparse input");
    const started = performance.now();
    validate(ds);
    this.backend ??= await getBackend();
    const x = floatRows(ds);
    const { weights, intercept } = solveRidge(this.backend, x, ds.y, ds.rows, ds.cols, this.regression.alpha ?? 0);
    this.net?.dispose();
    this.net = new Network(this.backend, { inputs: ds.cols, layers: this.layers(1), head: 'mse' });
    this.backend.write(this.net.layers[0].W.value, Float32Array.from(weights));
    this.backend.write(this.net.layers[0].b.value, [intercept]);
    const pred = this.predict(x, ds.rows);
    let mse = 0;
    for (let r = 0; r < ds.rows; r++) mse += (pred[r] - ds.y[r]) ** 2;
    return { epochs: [0], history: { loss: [mse / ds.rows] }, seconds: (performance.now() - started) / 1000, stoppedEarly: false };
  }

  /** The fitted coefficients and intercept. */
  coefficients(): { weights: Float32Array; intercept: number } {
    const l = this.network().layers[0], b = this.network().backend;
    return { weights: b.read(l.W.value), intercept: b.read(l.b.value)[0] };
  }

  /** Ridge's summed units for 'l2', Lasso / ElasticNet's per-row units otherwise; or l1/l2 as given. */
  protected perRow(rows: number, _fallback: 'sklearn' | 'none'): PerRowPenalty {
    const { l1, l2, l1Ratio, alpha = 0 } = this.regression;
    if (l1 !== undefined || l2 !== undefined) return super.perRow(rows, 'none');
    const kind = this.penaltyKind;
    if (l1Ratio !== undefined && kind !== 'elasticnet') fail('ERR_BAD_ARGUMENT', `l1Ratio is for penalty 'elasticnet', not '${kind}'`);
    const rho = kind === 'l1' ? 1 : kind === 'elasticnet' ? l1Ratio ?? fail('ERR_BAD_ARGUMENT', "penalty 'elasticnet' needs l1Ratio in [0, 1]") : 0;
    if (!(rho >= 0 && rho <= 1)) fail('ERR_BAD_ARGUMENT', `l1Ratio must be in [0, 1], got ${rho}`);
    if (kind === 'none') return { l1: 0, l2: 0 };
    return kind === 'l2' ? { l1: 0, l2: alpha / rows } : { l1: alpha * rho, l2: alpha * (1 - rho) };
  }

  private get penaltyKind(): 'l2' | 'l1' | 'elasticnet' | 'none' {
    const k = this.regression.penalty ?? 'l2';
    if (!['l2', 'l1', 'elasticnet', 'none'].includes(k)) fail('ERR_BAD_ARGUMENT', `penalty must be 'l2', 'l1', 'elasticnet' or 'none', got '${String(k)}'`);
    return k;
  }
}
