// Fit a softmax gate over frozen experts: full-batch Adam on mixtureLoss. Weights start at
// zero — the uniform mixture — so training is deterministic without a seed.
import { fail } from '../errors.js';
import { type MixtureTargets, mixtureLoss } from './mixture-loss.js';

export interface GateTrainOptions {
  /** Full-batch Adam steps (default 300). */
  epochs?: number;
  /** Adam step size (default 0.05). */
  lr?: number;
  /** L2 penalty on the gate's input weights (default 1e-4). */
  l2?: number;
}

export interface TrainedGate {
  W: Float64Array;
  b: Float64Array;
  /** The loss before each step. */
  losses: number[];
  /** The loss of the returned weights. */
  loss: number;
}

export function trainGate(t: MixtureTargets, x: Float64Array | null, dims: number, options: GateTrainOptions = {}): TrainedGate {
  const epochs = options.epochs ?? 300, lr = options.lr ?? 0.05, l2 = options.l2 ?? 1e-4;
  if (!Number.isInteger(epochs) || epochs < 1) fail('ERR_BAD_ARGUMENT', `epochs must be an integer ≥ 1, got ${epochs}`);
  if (!(lr > 0) || !Number.isFinite(lr)) fail('ERR_BAD_ARGUMENT', `lr must be > 0, got ${lr}`);
  if (!(l2 >= 0) || !Number.isFinite(l2)) fail('ERR_BAD_ARGUMENT', `l2 must be ≥ 0, got ${l2}`);
  const n = t.experts, size = dims * n + n;
  const params = new Float64Array(size), grad = new Float64Array(size), m = new Float64Array(size), v = new Float64Array(size);
  const W = params.subarray(0, dims * n), b = params.subarray(dims * n), gW = grad.subarray(0, dims * n), gb = grad.subarray(dims * n);
  const losses: number[] = [];
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  for (let step = 1; step <= epochs; step++) {
    const loss = mixtureLoss(t, x, dims, W, b, l2, gW, gb);
    if (!Number.isFinite(loss)) fail('ERR_DIVERGED', `gate training loss became ${loss} at step ${step}; lower lr`);
    losses.push(loss);
    const lrT = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    for (let i = 0; i < size; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
      v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
      params[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  }
  return { W: W.slice(), b: b.slice(), losses, loss: mixtureLoss(t, x, dims, W, b, l2) };
}
