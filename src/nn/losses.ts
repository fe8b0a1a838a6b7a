// The loss heads a network ends in: softmax cross-entropy over classes, binary cross-entropy
// on one sigmoid output, and mean squared error for regression. The first two run on the
// backend's softmax kernels (sigmoid(z) is the softmax of the pair [0, z]), so their exp and
// log are the kernels', the same in every JS engine; MSE is + − × ÷ on the host.
import type { Backend, F32, I32 } from '../backend/backend.js';
import { portableLog } from '../data/portable-log.js';

/** 'softmax': cross-entropy over classes; 'sigmoid': binary cross-entropy on one output; 'mse': regression. */
export type Head = 'softmax' | 'sigmoid' | 'mse';

export interface Loss {
  /** Class ids (i32) or float targets (f32). */
  readonly labels: 'class' | 'target';
  /** Scratch values per row and output the head needs (the `scratch` buffers below hold rows·k·this). */
  readonly scratch: number;
  /** Mean loss of the logits `out` (rows × k) against y, and its gradient into `grad`. */
  lossAndGrad(b: Backend, out: F32, y: I32 | F32, rows: number, k: number, grad: F32, scratch: F32): number;
  /** Logits → head outputs in place: class probabilities (softmax, sigmoid) or predictions (mse). */
  activate(b: Backend, out: F32, rows: number, k: number, scratch: F32): void;
  /** Row r's loss from head outputs (probabilities or predictions) and target t. */
  outputLoss(out: Float32Array, r: number, k: number, t: number): number;
}

/** Probability floor of the evaluation loss (as tfjs' epsilon); its log is portableLog, the same bits in every engine. */
const EVAL_EPS = 1e-7;

/** The logit pairs [0, z] of one-output rows, in `pairs` (rows × 2): softmax of a pair is [1 − σ(z), σ(z)]. */
function toPairs(b: Backend, out: F32, rows: number, pairs: F32): void {
  const o = b.view(out), p = b.view(pairs);
  for (let i = 0; i < rows; i++) {
    p[2 * i] = 0;
    p[2 * i + 1] = o[i];
  }
}

/** Column 1 of `pairs` (rows × 2) into `to` (rows). */
function secondColumn(b: Backend, pairs: F32, rows: number, to: F32): void {
  const p = b.view(pairs), t = b.view(to);
  for (let i = 0; i < rows; i++) t[i] = p[2 * i + 1];
}

const softmaxCrossEntropy: Loss = {
  labels: 'class',
  scratch: 1,
  lossAndGrad: (b, out, y, rows, k, grad, probs) => b.softmaxCrossEntropy(out, y as I32, rows, k, probs, grad, 1 / rows),
  activate: (b, out, rows, k) => b.softmax(out, rows, k, out),
  outputLoss: (out, r, k, t) => -portableLog(Math.max(out[r * k + t], EVAL_EPS)),
};

const sigmoidCrossEntropy: Loss = {
  labels: 'class',
  // The logit pairs, then their probabilities.
  scratch: 4,
  lossAndGrad(b, out, y, rows, _k, grad, scratch) {
    const pairs = b.subBuffer(scratch, 0, 2 * rows), probs = b.subBuffer(scratch, 2 * rows, 2 * rows);
    toPairs(b, out, rows, pairs);
    // Its gradient w.r.t. z (the pair's second logit) is σ(z) − label: binary cross-entropy's.
    const loss = b.softmaxCrossEntropy(pairs, y as I32, rows, 2, probs, pairs, 1 / rows);
    secondColumn(b, pairs, rows, grad);
    return loss;
  },
  activate(b, out, rows, _k, scratch) {
    if (rows === 0) return;
    const pairs = b.subBuffer(scratch, 0, 2 * rows);
    toPairs(b, out, rows, pairs);
    b.softmax(pairs, rows, 2, pairs);
    secondColumn(b, pairs, rows, out);
  },
  outputLoss: (out, r, _k, t) => -portableLog(Math.max(t === 1 ? out[r] : 1 - out[r], EVAL_EPS)),
};

const meanSquaredError: Loss = {
  labels: 'target',
  scratch: 0,
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
  outputLoss: (out, r, _k, t) => (out[r] - t) * (out[r] - t),
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
