// The targets of a softmax-gated mixture of frozen experts. Gate: g = softmax(x·W + b) over
// N experts (dims = 0: constant weights, the convex α). The loss and training run on a
// backend (mixture-loss-gemm.ts, train-gate.ts); their float64 reference twin is
// test/util/mixture-reference.ts.
import type { Labels } from '../data/dataset.js';

/** Added to the mixture's probability of the true class before the log. */
export const MIXTURE_EPS = 1e-12;

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
