// Fit a softmax gate over frozen experts: full-batch Adam (src/nn's optimiser, on the
// backend) on the mixture loss (mixture-loss-gemm.ts), all in float32. Weights start at
// zero — the uniform mixture — so training is deterministic without a seed.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { Optimizer } from '../nn/optimizer.js';
import { Param } from '../nn/param.js';
import type { MixtureTargets } from './mixture-loss.js';
import { GemmMixtureLoss } from './mixture-loss-gemm.js';

export interface GateTrainOptions {
  /** Full-batch Adam steps at most (default 300). */
  epochs?: number;
  /** Adam step size (default 0.05). */
  lr?: number;
  /** L2 penalty on the gate's input weights (default 1e-4). */
  l2?: number;
  /** Stop early once the loss changes by less than tol (relative) over 10 steps (default 1e-6; 0 runs every epoch). */
  tol?: number;
}

export interface TrainedGate {
  /** dims × experts, row-major. */
  W: Float64Array;
  b: Float64Array;
  /** The gate's weights on the training rows (rows × experts) under the returned W and b. */
  g: Float32Array;
  /** The loss at each evaluation: before each step, and last that of the returned weights. */
  losses: number[];
  /** The loss of the returned weights. */
  loss: number;
}

/** The window over which early stopping compares losses. */
const WINDOW = 10;

export function trainGate(t: MixtureTargets, x: ArrayLike<number> | null, dims: number, backend: Backend, options: GateTrainOptions = {}): TrainedGate {
  const epochs = options.epochs ?? 300, lr = options.lr ?? 0.05, l2 = options.l2 ?? 1e-4, tol = options.tol ?? 1e-6;
  if (!Number.isInteger(epochs) || epochs < 1) fail('ERR_BAD_ARGUMENT', `epochs must be an integer ≥ 1, got ${epochs}`);
  if (!(lr > 0) || !Number.isFinite(lr)) fail('ERR_BAD_ARGUMENT', `lr must be > 0, got ${lr}`);
  if (!(l2 >= 0) || !Number.isFinite(l2)) fail('ERR_BAD_ARGUMENT', `l2 must be ≥ 0, got ${l2}`);
  if (!(tol >= 0) || !Number.isFinite(tol)) fail('ERR_BAD_ARGUMENT', `tol must be ≥ 0, got ${tol}`);
  const n = t.experts;
  // Wᵀ (experts × dims); the L2 term is part of the loss (mixture-loss-gemm.ts), not the optimiser's decay.
  const W = new Param(backend, 'gate/Wt', [n, dims], true), b = new Param(backend, 'gate/b', [n], false);
  const mixture = new GemmMixtureLoss(backend, t, x, dims);
  const opt = new Optimizer(backend, { kind: 'adam', lr, epsilon: 1e-8 });
  const losses: number[] = [];
  try {
    for (let step = 1; ; step++) {
      const done = step > epochs;
      const loss = mixture.loss(W, b, l2, !done);
      if (!Number.isFinite(loss)) fail('ERR_DIVERGED', `gate training loss became ${loss} at step ${step}; lower lr`);
      losses.push(loss);
      const before = losses.length > WINDOW ? losses[losses.length - 1 - WINDOW] : NaN;
      if (done || Math.abs(before - loss) < tol * Math.abs(before)) {
        const wT = backend.read(W.value), w = new Float64Array(dims * n);
        for (let d = 0; d < dims; d++) for (let e = 0; e < n; e++) w[d * n + e] = wT[e * dims + d];
        return { W: w, b: Float64Array.from(backend.read(b.value)), g: mixture.probabilities(), losses, loss };
      }
      opt.apply([W, b]);
    }
  } finally {
    opt.dispose();
    mixture.dispose();
    W.dispose();
    b.dispose();
  }
}
