// The linear experts' shared training: solved to convergence (L-BFGS, OWL-QN with an L1
// term) on the whole dataset by default, or trained by SGD / Adam like any network.
import { fail } from '../errors.js';
import { getBackend } from '../backend/init.js';
import { type AnyDataset, isSparse, toFloat32 } from '../data/dataset.js';
import { type RowSource, isSource } from '../data/source.js';
import { Rng } from '../data/prng.js';
import { Network } from '../nn/network.js';
import type { Penalty } from '../nn/optimizer.js';
import { LinearObjective, type LinearLoss } from '../solvers/linear-objective.js';
import { minimize } from '../solvers/lbfgs.js';
import type { SolveResult } from '../solvers/objective.js';
import { Standardised } from '../solvers/standardised.js';
import type { FitOptions, History } from '../train/fit.js';
import { checkTrainingSet, holdOut } from '../train/inputs.js';
import { NetworkExpert, type NetworkExpertConfig } from './network-expert.js';
import { type PenaltyConfig, type PerRowPenalty, perRowPenalty } from './penalty.js';

/** 'lbfgs': full batch to convergence (default); 'sgd' / 'adam': mini-batch epochs (sparse or very large data). */
export type LinearSolver = 'lbfgs' | 'sgd' | 'adam';

export interface LinearModelConfig extends Omit<NetworkExpertConfig, 'hidden'>, PenaltyConfig {
  /** Default 'lbfgs', or the kind of `optimizer` when one is given; 'ridge' (closed form) is linear regression's only. */
  solver?: LinearSolver | 'ridge';
  /**
   * lbfgs: stop when the largest gradient entry of the per-row objective is ≤ tol; default 1e-5.
   * Dense rows are solved in standardised coordinates (src/solvers/standardised.ts), where tol applies.
   */
  tol?: number;
  /** lbfgs: iteration cap; default 1000. */
  maxIter?: number;
}

/** What the solver did, in the fit's History. */
export interface SolverReport {
  solver: 'lbfgs' | 'owlqn';
  iterations: number;
  evaluations: number;
  gradNorm: number;
  converged: boolean;
  stop: SolveResult['stop'];
  /** Final objective: mean loss + l1·‖W‖₁ + (l2/2)·‖W‖². */
  objective: number;
}

export interface LinearHistory extends History {
  /** Set when a solver (not SGD / Adam) trained the model. */
  solver?: SolverReport;
}

export abstract class LinearModelExpert extends NetworkExpert {
  protected abstract readonly loss: LinearLoss;

  constructor(protected readonly linear: LinearModelConfig, gradientDefaults: NetworkExpertConfig) {
    const solver = linear.solver ?? (linear.optimizer ? linear.optimizer.kind : 'lbfgs');
    if (solver !== 'lbfgs' && solver !== 'sgd' && solver !== 'adam') fail('ERR_BAD_ARGUMENT', `solver must be 'lbfgs', 'sgd' or 'adam' (or 'ridge' for linear regression), got ${String(solver)}`);
    if (linear.optimizer && linear.optimizer.kind !== solver) fail('ERR_BAD_ARGUMENT', `optimizer '${linear.optimizer.kind}' needs solver '${linear.optimizer.kind}', got '${solver}'`);
    const { optimizer: base, ...defaults } = gradientDefaults;
    const optimizer = linear.optimizer ?? (solver === 'lbfgs' ? undefined : base?.kind === solver ? base : solver === 'sgd' ? { kind: solver, lr: 0.01, momentum: 0.9 } : { kind: solver, lr: 0.01 });
    // No optimizer in an L-BFGS expert's config: its saved state then rebuilds an L-BFGS expert.
    super({ ...defaults, ...linear, ...(optimizer ? { optimizer } : {}), hidden: [], fit: { ...defaults.fit, ...linear.fit } });
    for (const [k, v] of [['tol', linear.tol], ['maxIter', linear.maxIter]] as const) {
      if (v !== undefined && !(v > 0)) fail('ERR_BAD_ARGUMENT', `${k} must be > 0, got ${v}`);
    }
  }

  get solver(): LinearSolver {
    return (this.linear.solver ?? (this.linear.optimizer ? this.linear.optimizer.kind : 'lbfgs')) as LinearSolver;
  }

  async fit(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<LinearHistory> {
    if (this.solver !== 'lbfgs') return super.fit(ds, options);
    if (isSource(ds)) streamingSolverError(this.kind, 'lbfgs');
    this.backend ??= await getBackend();
    const outputs = this.loss === 'softmax' ? ds.classes ?? fail('ERR_BAD_ARGUMENT', 'a classifier needs a dataset with `classes`') : 1;
    const net = new Network(this.backend, { inputs: ds.cols, layers: this.layers(outputs), head: this.head });
    try {
      checkTrainingSet(net, ds);
    } catch (err) {
      net.dispose();
      throw err;
    }
    this.net?.dispose();
    this.net = net; // zero start, as scikit-learn's
    return this.solve(ds, options);
  }

  /** Re-solve from the current weights with pruned weights pinned at zero (the fine-tune after pruning). */
  async fineTune(ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<LinearHistory> {
    if (this.solver !== 'lbfgs') return super.fineTune(ds, options);
    if (isSource(ds)) streamingSolverError(this.kind, 'lbfgs');
    checkTrainingSet(this.network(), ds);
    return this.solve(ds, options);
  }

  /** Per-row strengths for SGD / Adam: penalty/C resolved for the rows at hand, else l1/l2 as given. */
  protected penalty(rows: number): Penalty {
    return this.perRow(rows, 'none');
  }

  /** Per-row L1 / L2 for `rows` rows; with nothing set, `fallback` decides (see perRowPenalty). */
  protected perRow(rows: number, fallback: 'sklearn' | 'none'): PerRowPenalty {
    return perRowPenalty(this.linear, rows, fallback);
  }

  private async solve(ds: AnyDataset, options: FitOptions): Promise<LinearHistory> {
    if (options.callbacks?.onBatchEnd) fail('ERR_BAD_ARGUMENT', "solver 'lbfgs' has no mini-batches: use solver 'sgd' or 'adam' for per-batch callbacks (a gradual pruning schedule)");
    const started = performance.now();
    const net = this.network(), b = net.backend, { W, b: bias } = net.layers[0];
    const { train, validation } = holdOut(ds, options, new Rng(options.seed ?? 0));
    if (validation) checkTrainingSet(net, validation);
    const { l1, l2 } = this.perRow(train.rows, 'sklearn');
    const mask = W.mask ? b.read(W.mask) : null;
    // Dense rows are solved in standardised coordinates (the same optimum, well conditioned).
    const std = isSparse(train) ? null : new Standardised(toFloat32(train), net.outputs);
    const objective = new LinearObjective(b, std?.data ?? toFloat32(train), net.outputs, this.loss, { l2: std ? std.penalty(l2, 2) : l2, mask });
    const losses: number[] = [];
    let result: SolveResult;
    try {
      await options.callbacks?.onTrainBegin?.();
      const current = new Float64Array(objective.size);
      current.set(b.view(W.value));
      current.set(b.view(bias.value), W.length);
      const start = std ? std.toStandard(current) : current;
      const l1s = l1 > 0 ? new Float64Array(objective.size) : null;
      if (l1s) l1s.set(std ? std.penalty(l1, 1) : new Float64Array(W.length).fill(l1));
      const maxIter = this.linear.maxIter ?? 1000;
      // Standardised columns: the loss curvature is about the same in every coordinate, the L2 term's is l2ⱼ'.
      const precondition = std ? Float64Array.from(std.penalty(l2, 2), (v) => 1 / (1 + v)) : null;
      result = minimize(objective, start, {
        tol: this.linear.tol, maxIter, l1: l1s, signal: options.signal, precondition: precondition && Float64Array.from({ length: objective.size }, (_, i) => precondition[i] ?? 1),
        onIteration: (i, value) => {
          losses.push(value);
          options.onProgress?.(i / maxIter);
        },
      });
    } finally {
      objective.dispose();
    }
    const theta = std ? std.fromStandard(result.w) : result.w;
    b.write(W.value, theta.subarray(0, W.length));
    b.write(bias.value, theta.subarray(W.length));
    // Validation rows (validationSplit / validationData) are measured once, after the solve.
    const val = validation ? net.evaluate(validation) : null;
    const history: LinearHistory = {
      epochs: losses.map((_, i) => i),
      history: { loss: losses.length ? losses : [result.value], ...(val ? { val_loss: [val.loss], ...(val.acc === undefined ? {} : { val_acc: [val.acc] }) } : {}) },
      seconds: (performance.now() - started) / 1000, stoppedEarly: false,
      solver: {
        solver: l1 > 0 ? 'owlqn' : 'lbfgs', iterations: result.iterations, evaluations: result.evaluations,
        gradNorm: result.gradNorm, converged: result.converged, stop: result.stop, objective: result.value,
      },
    };
    options.onProgress?.(1);
    await options.callbacks?.onTrainEnd?.(history);
    return history;
  }
}

/** Full-batch solvers need every row at once: a source streams, so they refuse it. */
export function streamingSolverError(kind: string, solver: string): never {
  return fail('ERR_BAD_ARGUMENT', `a ${kind} expert solved by '${solver}' needs every row in memory; to train from a source use solver 'sgd' or 'adam' (mlp and softmax experts always stream)`);
}
