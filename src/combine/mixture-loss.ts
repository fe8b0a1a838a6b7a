// The targets of a softmax-gated mixture of frozen experts, and its gate's probabilities
// for inference. Gate: g = softmax(x·W + b) over N experts (dims = 0: constant weights, the
// convex α). Training runs on a backend (mixture-loss-gemm.ts, train-gate.ts); its float64
// reference twin is test/util/mixture-reference.ts.
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

/**
 * Row-wise softmax(x·W + b) into g (rows × N); x is rows × dims, W dims × N. On the host in
 * float64: a gate restored from JSON has no backend to run on.
 */
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
