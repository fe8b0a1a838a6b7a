// The loss of a softmax-gated mixture of frozen experts and its exact gradient, in float64.
// Gate: g = softmax(x·W + b) over N experts (dims = 0: constant weights, the convex α).
// Classification: L = −mean log(Σₑ gₑ·pₑ(y) + ε), and ∂L/∂zⱼ = gⱼ·(s − ε − qⱼ)/s with
//   s = Σₑ gₑqₑ + ε, qₑ = pₑ(y) — the prior minus the posterior responsibility of expert j.
// Regression: L = mean (ŷ − y)², ŷ = Σₑ gₑ·yₑ, and ∂L/∂zⱼ = 2(ŷ − y)·gⱼ·(yⱼ − ŷ).
// Plus (l2/2)·‖W‖² (the bias is not penalised).
// This is the reference; mixture-loss-gemm.ts computes the two products on a backend.
import type { Labels } from '../data/dataset.js';

const EPS = 1e-12;

export interface MixtureTargets {
  task: 'classification' | 'regression';
  rows: number;
  experts: number;
  /** rows × experts: expert e's probability of the true class, or its prediction. */
  q: Float64Array;
  /** Regression targets. */
  y: Float64Array | null;
}

export function mixtureTargets(outputs: readonly Float32Array[], y: Labels, width: number, task: 'classification' | 'regression'): MixtureTargets {
  const rows = y.length, n = outputs.length, q = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) for (let e = 0; e < n; e++) q[r * n + e] = outputs[e][r * width + (task === 'classification' ? y[r] : 0)];
  return { task, rows, experts: n, q, y: task === 'regression' ? Float64Array.from(y) : null };
}

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

/** Softmax of z in place, with max-shift. */
function softmax(z: Float64Array): void {
  let max = -Infinity, sum = 0;
  for (let e = 0; e < z.length; e++) max = Math.max(max, z[e]);
  for (let e = 0; e < z.length; e++) sum += z[e] = Math.exp(z[e] - max);
  for (let e = 0; e < z.length; e++) z[e] /= sum;
}

/** Row-wise softmax(x·W + b) into g (rows × N); x is rows × dims, W dims × N. */
export function gateProbabilities(x: ArrayLike<number> | null, rows: number, dims: number, W: ArrayLike<number>, b: ArrayLike<number>, g: Float64Array | Float32Array): void {
  const n = b.length, z = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    logits(x, r, dims, W, b, z);
    softmax(z);
    g.set(z, r * n);
  }
}

/**
 * Row r's loss from its gate logits z (N, bias included), which become the gate's weights;
 * writes ∂(row loss)/∂z into dz.
 */
export function rowLoss(t: MixtureTargets, r: number, z: Float64Array, dz: Float64Array): number {
  const n = t.experts, q = t.q;
  softmax(z);
  let s = 0;
  for (let e = 0; e < n; e++) s += z[e] * q[r * n + e];
  if (t.task === 'classification') {
    s += EPS;
    for (let e = 0; e < n; e++) dz[e] = (z[e] * (s - EPS - q[r * n + e])) / s;
    return -Math.log(s);
  }
  const err = s - t.y![r];
  for (let e = 0; e < n; e++) dz[e] = 2 * err * z[e] * (q[r * n + e] - s);
  return err * err;
}

/** (l2/2)·‖W‖², adding its gradient l2·W into gW when given. */
export function l2Penalty(W: Float64Array, l2: number, gW?: Float64Array): number {
  let penalty = 0;
  for (let i = 0; i < W.length; i++) {
    penalty += W[i] * W[i];
    if (gW) gW[i] += l2 * W[i];
  }
  return (l2 / 2) * penalty;
}

/** The mean loss; with gW and gb given, writes the gradient into them. */
export function mixtureLoss(t: MixtureTargets, x: Float64Array | null, dims: number, W: Float64Array, b: Float64Array, l2: number, gW?: Float64Array, gb?: Float64Array): number {
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
  return loss / rows + l2Penalty(W, l2, gW);
}
