// Loss and accuracy of a network over a dataset, in bounded batches.
import type { Dataset } from '../data/dataset.js';
import { type Network, predictedClass } from '../nn/network.js';

const EVAL_BATCH = 512;

export interface Evaluation {
  loss: number;
  acc?: number;
}

export function evaluateNetwork(net: Network, ds: Dataset): Evaluation {
  const out = predictNetwork(net, ds.x, ds.rows);
  const k = net.spec.head === 'softmax' ? net.outputs : 1;
  let loss = 0, hits = 0;
  for (let r = 0; r < ds.rows; r++) {
    const t = ds.y[r];
    if (net.spec.head === 'mse') {
      const d = out[r] - t;
      loss += d * d;
      continue;
    }
    const p = net.spec.head === 'softmax' ? out[r * k + t] : t === 1 ? out[r] : 1 - out[r];
    loss -= Math.log(Math.max(p, 1e-7));
    if (argmaxProb(out, r, k, net) === t) hits++;
  }
  return net.spec.head === 'mse' ? { loss: loss / ds.rows } : { loss: loss / ds.rows, acc: hits / ds.rows };
}

/** Head outputs for every row of x (probabilities, or predictions for regression). */
export function predictNetwork(net: Network, x: Float32Array, rows: number): Float32Array {
  const b = net.backend, k = net.outputs, cols = net.spec.inputs;
  const result = new Float32Array(rows * k);
  const bs = Math.min(EVAL_BATCH, Math.max(rows, 1));
  const xb = b.alloc(bs * cols);
  try {
    for (let start = 0; start < rows; start += bs) {
      const n = Math.min(bs, rows - start);
      b.write(xb, x.subarray(start * cols, (start + n) * cols));
      const out = net.predictInto(xb, n);
      result.set(b.view(out).subarray(0, n * k), start * k);
    }
  } finally {
    b.free(xb);
    net.release();
  }
  return result;
}

function argmaxProb(out: Float32Array, r: number, k: number, net: Network): number {
  // Probabilities: sigmoid's threshold is 0.5, i.e. logit 0.
  return net.spec.head === 'sigmoid' ? (out[r] > 0.5 ? 1 : 0) : predictedClass(out, r, k, 'softmax');
}
