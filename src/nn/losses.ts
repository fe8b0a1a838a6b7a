// The loss heads a network ends in: softmax cross-entropy over classes (a backend kernel),
// binary cross-entropy on one sigmoid output, and mean squared error for regression. The
// last two have one output per row: cheap enough on the host, in float64 then stored f32.
import type { Backend, F32, I32 } from '../backend/backend.js';

/** 'softmax': cross-entropy over classes; 'sigmoid': binary cross-entropy on one output; 'mse': regression. */
export type Head = 'softmax' | 'sigmoid' | 'mse';

export interface Loss {
  /** Class ids (i32) or float targets (f32). */
  readonly labels: 'class' | 'target';
  /**
   * Mean loss of the logits `out` (rows × k) against y, and its gradient into `grad`.
   * `probs` (rows × k) is scratch the softmax kernel writes its probabilities to.
   */
  lossAndGrad(b: Backend, out: F32, y: I32 | F32, rows: number, k: number, grad: F32, probs: F32): number;
  /** Logits → head outputs in place: class probabilities (softmax, sigmoid) or predictions (mse). */
  activate(b: Backend, out: F32, rows: number, k: number): void;
  /** Row r's loss from head outputs (probabilities or predictions) and target t. */
  outputLoss(out: Float32Array, r: number, k: number, t: number): number;
}

/** Probability floor of the evaluation loss (as tfjs' epsilon). */
const EVAL_EPS = 1e-7;

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

const softmaxCrossEntropy: Loss = {
  labels: 'class',
  lossAndGrad: (b, out, y, rows, k, grad, probs) => b.softmaxCrossEntropy(out, y as I32, rows, k, probs, grad, 1 / rows),
  activate: (b, out, rows, k) => b.softmax(out, rows, k, out),
  outputLoss: (out, r, k, t) => -Math.log(Math.max(out[r * k + t], EVAL_EPS)),
};

const sigmoidCrossEntropy: Loss = {
  labels: 'class',
  lossAndGrad(b, out, y, rows, _k, grad) {
    const o = b.view(out), g = b.view(grad), t = b.view(y as I32);
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const z = o[i], label = t[i];
      // log(1 + e^{-|z|}) form: stable for large |z|.
      loss += Math.max(z, 0) - z * label + Math.log1p(Math.exp(-Math.abs(z)));
      g[i] = (sigmoid(z) - label) / rows;
    }
    return loss / rows;
  },
  activate(b, out, rows) {
    const v = b.view(out).subarray(0, rows);
    for (let i = 0; i < rows; i++) v[i] = sigmoid(v[i]);
  },
  outputLoss: (out, r, _k, t) => -Math.log(Math.max(t === 1 ? out[r] : 1 - out[r], EVAL_EPS)),
};

const meanSquaredError: Loss = {
  labels: 'target',
  lossAndGrad(b, out, y, rows, k, grad) {
    const o = b.view(out), g = b.view(grad), t = b.view(y as F32);
    let loss = 0;
    for (let i = 0; i < rows * k; i++) {
      const d = o[i] - t[i];
      loss += d * d;
      g[i] = (2 * d) / (rows * k);
    }
    return loss / (rows * k);
  },
  activate: () => {},
  outputLoss: (out, r, _k, t) => (out[r] - t) ** 2,
};

export const LOSSES: Readonly<Record<Head, Loss>> = { softmax: softmaxCrossEntropy, sigmoid: sigmoidCrossEntropy, mse: meanSquaredError };

/** Head outputs as class probabilities: a sigmoid's one column P(1) becomes two, [P(0), P(1)]. */
export function classProbabilities(head: Head, p: Float32Array, rows: number): Float32Array {
  if (head !== 'sigmoid') return p;
  const two = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    two[2 * r] = 1 - p[r];
    two[2 * r + 1] = p[r];
  }
  return two;
}

/** Class of row r from logits (argmax; sigmoid: logit > 0). Ties go to the lower class. */
export function predictedClass(out: Float32Array, r: number, k: number, head: Head): number {
  if (head === 'sigmoid') return out[r] > 0 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < k; c++) if (out[r * k + c] > out[r * k + best]) best = c;
  return best;
}
