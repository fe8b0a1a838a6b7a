// The objective of a linear model y = x·W + b on a whole dataset: mean loss over the rows
// plus (l2/2)·‖W‖² (the intercept unpenalised). The two products per evaluation, x·W and
// xᵀ·dZ, run on the backend (GEMM, or CSR products for sparse rows); the loss, its
// derivative in z and the bias gradient are summed in float64 on the host.
// Parameters are packed as the Dense layer holds them: W (inputs × outputs, row-major), then b.
import type { Backend, F32 } from '../backend/backend.js';
import type { AnyDataset } from '../data/dataset.js';
import { type Batches, trainingBatches } from '../nn/batches.js';
import type { SparseRows } from '../nn/layer.js';
import type { Objective } from './objective.js';

/** 'softmax': cross-entropy over classes; 'sigmoid': binary cross-entropy; 'squared': ½(z − y)² (scikit-learn's Lasso/ElasticNet scale). */
export type LinearLoss = 'softmax' | 'sigmoid' | 'squared';

export interface LinearObjectiveOptions {
  /** Per-row L2 strength on W: one for all weights, or one per weight. */
  l2?: number | Float64Array;
  /** inputs × outputs: 0 pins a weight at zero (pruned), as Param masks do. */
  mask?: Float32Array | null;
}

export class LinearObjective implements Objective {
  readonly size: number;
  private readonly batches: Batches<F32 | Required<SparseRows>>;
  private readonly x: F32 | Required<SparseRows>;
  private readonly w: F32;
  private readonly z: F32;
  private readonly dz: F32;
  private readonly gw: F32;
  private readonly dzHost: Float32Array;

  constructor(
    private readonly backend: Backend,
    private readonly ds: AnyDataset,
    readonly outputs: number,
    private readonly loss: LinearLoss,
    private readonly options: LinearObjectiveOptions = {},
  ) {
    const { rows, cols } = ds, b = backend;
    this.size = cols * outputs + outputs;
    // Sparse training batches always carry their transpose.
    this.batches = trainingBatches(b, ds, rows) as Batches<F32 | Required<SparseRows>>;
    this.x = this.batches.load(Int32Array.from({ length: rows }, (_, i) => i));
    this.w = b.alloc(cols * outputs);
    this.z = b.alloc(rows * outputs);
    this.dz = b.alloc(rows * outputs);
    this.gw = b.alloc(cols * outputs);
    this.dzHost = new Float32Array(rows * outputs);
  }

  evaluate(theta: Float64Array, g: Float64Array): number {
    const { backend: b, ds, outputs: k, dzHost } = this, { rows, cols } = ds, nw = cols * k;
    b.write(this.w, theta.subarray(0, nw));
    const sparse = 'xT' in this.x ? this.x : null;
    if (sparse) b.csrMatmul(sparse.x, this.w, k, this.z);
    else b.gemm(false, false, rows, k, cols, this.x as F32, this.w, this.z);
    const z = b.view(this.z), bias = theta.subarray(nw), y = ds.y;
    const gb = g.subarray(nw).fill(0);
    let loss = 0;
    for (let r = 0; r < rows; r++) loss += this.rowLoss(z, bias, y[r], r, gb);
    const scale = 1 / rows;
    for (let i = 0; i < rows * k; i++) dzHost[i] *= scale;
    for (let c = 0; c < k; c++) gb[c] *= scale;
    b.write(this.dz, dzHost);
    if (sparse) b.csrMatmul(sparse.xT, this.dz, k, this.gw);
    else b.gemm(true, false, cols, k, rows, this.x as F32, this.dz, this.gw);
    g.set(b.view(this.gw));
    let value = loss * scale;
    const l2 = this.options.l2 ?? 0, mask = this.options.mask;
    for (let i = 0; i < nw; i++) {
      const li = typeof l2 === 'number' ? l2 : l2[i];
      if (mask && mask[i] === 0) g[i] = 0;
      else if (li > 0) {
        value += 0.5 * li * theta[i] * theta[i];
        g[i] += li * theta[i];
      }
    }
    return value;
  }

  dispose(): void {
    this.batches.dispose();
    for (const buf of [this.w, this.z, this.dz, this.gw]) this.backend.free(buf);
  }

  /** Row r's loss from its logits; writes dLoss/dz into dzHost and adds it to the bias gradient. */
  private rowLoss(z: Float32Array, bias: Float64Array, label: number, r: number, gb: Float64Array): number {
    const k = this.outputs, dz = this.dzHost, o = r * k;
    if (this.loss === 'softmax') {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, z[o + c] + bias[c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[o + c] + bias[c] - max);
      for (let c = 0; c < k; c++) {
        const d = Math.exp(z[o + c] + bias[c] - max) / sum - (c === label ? 1 : 0);
        dz[o + c] = d;
        gb[c] += d;
      }
      return max + Math.log(sum) - (z[o + label] + bias[label]);
    }
    const v = z[r] + bias[0];
    if (this.loss === 'sigmoid') {
      const p = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      dz[r] = p - label;
      gb[0] += p - label;
      return Math.max(v, 0) - v * label + Math.log1p(Math.exp(-Math.abs(v)));
    }
    const e = v - label;
    dz[r] = e;
    gb[0] += e;
    return 0.5 * e * e;
  }
}
