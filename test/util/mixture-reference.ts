// The float64 reference twin of the gate's training (src/combine/train-gate.ts, which runs
// in float32 on a backend): the mixture loss and its exact gradient, and full-batch Adam.
// Gate: g = softmax(x·W + b) over N experts (dims = 0: constant weights, the convex α).
// Classification: L = −mean log(Σₑ gₑ·pₑ(y) + ε), and ∂L/∂zⱼ = gⱼ·(s − ε − qⱼ)/s with
//   s = Σₑ gₑqₑ + ε, qₑ = pₑ(y) — the prior minus the posterior responsibility of expert j.
// Regression: L = mean (ŷ − y)², ŷ = Σₑ gₑ·yₑ, and ∂L/∂zⱼ = 2(ŷ − y)·gⱼ·(yⱼ − ŷ).
// Plus (l2/2)·‖W‖² (the bias is not penalised).
import { MIXTURE_EPS, type MixtureTargets } from '../../src/combine/mixture-loss.js';
import type { GateTrainOptions } from '../../src/combine/train-gate.js';

/** Row r's logits b + x_r·W into z (N); x is rows × dims, W dims × N. */
function logits(x: ArrayLike<number> | null, r: number, dims: number, W: ArrayLike<number>, b: ArrayLike<number>, z: Float64Array): void {
  const n = b.length;
  for (let e = 0; e < n; e++) z[e] = b[e];
  for (let d = 0; d < dims; d++) {
    const v = x![r * dims + d];
    if (v === 0) continue;
    for (let e = 0; e < n; e++) z[e] += v * W[d * n + e];
  }
}

function softmax(z: Float64Array): void {
  let max = -Infinity, sum = 0;
  for (let e = 0; e < z.length; e++) max = Math.max(max, z[e]);
  for (let e = 0; e < z.length; e++) sum += z[e] = Math.exp(z[e] - max);
  for (let e = 0; e < z.length; e++) z[e] /= sum;
}

/** Row r's loss from its logits z (softmaxed in place); ∂(row loss)/∂z into dz. */
function rowLoss(t: MixtureTargets, r: number, z: Float64Array, dz: Float64Array): number {
  const n = t.experts, q = t.q;
  softmax(z);
  let s = 0;
  for (let e = 0; e < n; e++) s += z[e] * q[r * n + e];
  if (t.task === 'classification') {
    s += MIXTURE_EPS;
    for (let e = 0; e < n; e++) dz[e] = (z[e] * (s - MIXTURE_EPS - q[r * n + e])) / s;
    return -Math.log(s);
  }
  const err = s - t.y![r];
  for (let e = 0; e < n; e++) dz[e] = 2 * err * z[e] * (q[r * n + e] - s);
  return err * err;
}

/** The mean loss; with gW and gb given, writes the gradient into them. */
export function mixtureLoss(t: MixtureTargets, x: ArrayLike<number> | null, dims: number, W: Float64Array, b: Float64Array, l2: number, gW?: Float64Array, gb?: Float64Array): number {
  const { rows, experts: n } = t;
  const z = new Float64Array(n), dz = new Float64Array(n);
  let loss = 0;
  if (gW) gW.fill(0);
  if (gb) gb.fill(0);
  for (let r = 0; r < rows; r++) {
    logits(x, r, dims, W, b, z);
    loss += rowLoss(t, r, z, dz);
    if (!gb || !gW) continue;
    for (let e = 0; e < n; e++) gb[e] += dz[e] / rows;
    for (let d = 0; d < dims; d++) {
      const v = x![r * dims + d] / rows;
      if (v === 0) continue;
      for (let e = 0; e < n; e++) gW[d * n + e] += v * dz[e];
    }
  }
  let penalty = 0;
  for (let i = 0; i < W.length; i++) {
    penalty += W[i] * W[i];
    if (gW) gW[i] += l2 * W[i];
  }
  return loss / rows + (l2 / 2) * penalty;
}

/** trainGate's loop in float64: full-batch Adam (ε 1e-8) from zero weights, the same stopping rule. */
export function trainGateReference(t: MixtureTargets, x: ArrayLike<number> | null, dims: number, options: GateTrainOptions = {}) {
  const epochs = options.epochs ?? 300, lr = options.lr ?? 0.05, l2 = options.l2 ?? 1e-4, tol = options.tol ?? 1e-6;
  const n = t.experts, size = dims * n + n;
  const params = new Float64Array(size), grad = new Float64Array(size), m = new Float64Array(size), v = new Float64Array(size);
  const W = params.subarray(0, dims * n), b = params.subarray(dims * n), gW = grad.subarray(0, dims * n), gb = grad.subarray(dims * n);
  const losses: number[] = [];
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  for (let step = 1; ; step++) {
    const done = step > epochs;
    const loss = done ? mixtureLoss(t, x, dims, W, b, l2) : mixtureLoss(t, x, dims, W, b, l2, gW, gb);
    losses.push(loss);
    const before = losses.length > 10 ? losses[losses.length - 11] : NaN;
    if (done || Math.abs(before - loss) < tol * Math.abs(before)) return { W: W.slice(), b: b.slice(), losses, loss };
    const lrT = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
    for (let i = 0; i < size; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
      v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
      params[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  }
}
