// The loss of a softmax-gated mixture of frozen experts and its exact gradient, in float64.
// Gate: g = softmax(x·W + b) over N experts (dims = 0: constant weights, the convex α).
// Classification: L = −mean log(Σₑ gₑ·pₑ(y) + ε), and ∂L/∂zⱼ = gⱼ·(s − ε − qⱼ)/s with
//   s = Σₑ gₑqₑ + ε, qₑ = pₑ(y) — the prior minus the posterior responsibility of expert j.
// Regression: L = mean (ŷ − y)², ŷ = Σₑ gₑ·yₑ, and ∂L/∂zⱼ = 2(ŷ − y)·gⱼ·(yⱼ − ŷ).
// Plus (l2/2)·‖W‖² (the bias is not penalised).
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

/** Row-wise softmax(x·W + b) into g (rows × N); x is rows × dims, W dims × N. */
export function gateProbabilities(x: ArrayLike<number> | null, rows: number, dims: number, W: ArrayLike<number>, b: ArrayLike<number>, g: Float64Array | Float32Array): void {
  const n = b.length, z = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let e = 0; e < n; e++) z[e] = b[e];
    for (let d = 0; d < dims; d++) {
      const v = x![r * dims + d];
      if (v === 0) continue;
      for (let e = 0; e < n; e++) z[e] += v * W[d * n + e];
    }
    let max = -Infinity, sum = 0;
    for (let e = 0; e < n; e++) max = Math.max(max, z[e]);
    for (let e = 0; e < n; e++) sum += z[e] = Math.exp(z[e] - max);
    for (let e = 0; e < n; e++) g[r * n + e] = z[e] / sum;
  }
}

/** The mean loss; with gW and gb given, writes the gradient into them. */
export function mixtureLoss(t: MixtureTargets, x: Float64Array | null, dims: number, W: Float64Array, b: Float64Array, l2: number, gW?: Float64Array, gb?: Float64Array): number {
  const { rows, experts: n, q } = t;
  const g = new Float64Array(rows * n);
  gateProbabilities(x, rows, dims, W, b, g);
  let loss = 0;
  const dz = new Float64Array(n);
  if (gW) gW.fill(0);
  if (gb) gb.fill(0);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let e = 0; e < n; e++) s += g[r * n + e] * q[r * n + e];
    if (t.task === 'classification') {
      s += EPS;
      loss -= Math.log(s);
      for (let e = 0; e < n; e++) dz[e] = (g[r * n + e] * (s - EPS - q[r * n + e])) / s;
    } else {
      const err = s - t.y![r];
      loss += err * err;
      for (let e = 0; e < n; e++) dz[e] = 2 * err * g[r * n + e] * (q[r * n + e] - s);
    }
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
