// Fit a softmax gate over frozen experts: full-batch Adam on mixtureLoss. Weights start at
// zero — the uniform mixture — so training is deterministic without a seed. With a backend
// the two products run on its gemm in float32 (mixture-loss-gemm.ts); without, all float64.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { type MixtureTargets, mixtureLoss } from './mixture-loss.js';
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
  W: Float64Array;
  b: Float64Array;
  /** The loss at each evaluation: before each step, and last that of the returned weights. */
  losses: number[];
  /** The loss of the returned weights. */
  loss: number;
}

/** The window over which early stopping compares losses. */
const WINDOW = 10;

export function trainGate(t: MixtureTargets, x: Float64Array | null, dims: number, options: GateTrainOptions = {}, backend?: Backend): TrainedGate {
  const epochs = options.epochs ?? 300, lr = options.lr ?? 0.05, l2 = options.l2 ?? 1e-4, tol = options.tol ?? 1e-6;
  if (!Number.isInteger(epochs) || epochs < 1) fail('ERR_BAD_ARGUMENT', `epochs must be an integer ≥ 1, got ${epochs}`);
  if (!(lr > 0) || !Number.isFinite(lr)) fail('ERR_BAD_ARGUMENT', `lr must be > 0, got ${lr}`);
  if (!(l2 >= 0) || !Number.isFinite(l2)) fail('ERR_BAD_ARGUMENT', `l2 must be ≥ 0, got ${l2}`);
  if (!(tol >= 0) || !Number.isFinite(tol)) fail('ERR_BAD_ARGUMENT', `tol must be ≥ 0, got ${tol}`);
  const n = t.experts, size = dims * n + n;
  const params = new Float64Array(size), grad = new Float64Array(size), m = new Float64Array(size), v = new Float64Array(size);
  const W = params.subarray(0, dims * n), b = params.subarray(dims * n), gW = grad.subarray(0, dims * n), gb = grad.subarray(dims * n);
  // With no inputs (dims = 0) there is no product to speed up.
  const gemm = backend && dims > 0 && t.rows > 0 ? new GemmMixtureLoss(backend, t, x!, dims) : null;
  const lossOf = (withGrad: boolean) => {
    const [g, h] = withGrad ? [gW, gb] : [undefined, undefined];
    return gemm ? gemm.loss(W, b, l2, g, h) : mixtureLoss(t, x, dims, W, b, l2, g, h);
  };
  const losses: number[] = [];
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  try {
    for (let step = 1; ; step++) {
      const done = step > epochs;
      const loss = lossOf(!done);
      if (!Number.isFinite(loss)) fail('ERR_DIVERGED', `gate training loss became ${loss} at step ${step}; lower lr`);
      losses.push(loss);
      const before = losses.length > WINDOW ? losses[losses.length - 1 - WINDOW] : NaN;
      if (done || Math.abs(before - loss) < tol * Math.abs(before)) return { W: W.slice(), b: b.slice(), losses, loss };
      const lrT = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      for (let i = 0; i < size; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
        v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
        params[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
      }
    }
  } finally {
    gemm?.dispose();
  }
}
