// Loss and accuracy of a network over a dataset, in bounded batches.
import type { CsrMatrix } from '../data/csr.js';
import type { AnyDataset } from '../data/dataset.js';
import { type Network, predictedClass } from '../nn/network.js';
import { predictionBatches } from './batches.js';

const EVAL_BATCH = 512;

export interface Evaluation {
  loss: number;
  acc?: number;
}

export function evaluateNetwork(net: Network, ds: AnyDataset): Evaluation {
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

/** Head outputs for every row of x (dense rows × inputs, or CSR): probabilities, or predictions for regression. */
export function predictNetwork(net: Network, x: Float32Array | CsrMatrix, rows: number): Float32Array {
  const b = net.backend, k = net.outputs;
  const result = new Float32Array(rows * k);
  const bs = Math.min(EVAL_BATCH, Math.max(rows, 1));
  const inputs = predictionBatches(b, x, net.spec.inputs, bs);
  const ids = new Int32Array(bs);
  try {
    for (let start = 0; start < rows; start += bs) {
      const n = Math.min(bs, rows - start);
      for (let i = 0; i < n; i++) ids[i] = start + i;
      const out = net.predictInto(inputs.load(ids.subarray(0, n)), n);
      result.set(b.view(out).subarray(0, n * k), start * k);
    }
  } finally {
    inputs.dispose();
    net.release();
  }
  return result;
}

function argmaxProb(out: Float32Array, r: number, k: number, net: Network): number {
  // Probabilities: sigmoid's threshold is 0.5, i.e. logit 0.
  return net.spec.head === 'sigmoid' ? (out[r] > 0.5 ? 1 : 0) : predictedClass(out, r, k, 'softmax');
}
