// A stack of Dense layers with a loss head, computed entirely in backend buffers:
// forward and backward never copy between JS and wasm memory, and every activation
// buffer is allocated once for the largest batch and reused. The input may be sparse
// rows (CSR): the first layer then multiplies through csrMatmul and never forms a dense x.
import { fail } from '../errors.js';
import type { Activation, Backend, Csr, F32, I32 } from '../backend/backend.js';
import { Rng } from '../data/prng.js';
import type { Param } from './optimizer.js';

/** 'softmax': cross-entropy over classes; 'sigmoid': binary cross-entropy on one output; 'mse': regression. */
export type Head = 'softmax' | 'sigmoid' | 'mse';

export interface LayerSpec {
  units: number;
  activation: Activation;
}

export interface NetworkSpec {
  inputs: number;
  /** Hidden layers then the output layer (whose activation is identity: the head applies its own). */
  layers: LayerSpec[];
  head: Head;
}

export interface Dense {
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  /** inputs × units, row-major (y = x·W + b). */
  readonly W: Param;
  readonly b: Param;
}

/**
 * A training batch of sparse rows in backend memory: x (rows × inputs) for the forward
 * pass and its transpose xT (inputs × rows) for the first layer's weight gradient.
 */
export interface SparseRows {
  readonly x: Csr;
  readonly xT: Csr;
}

/** Dense rows (rows × inputs, row-major) or sparse CSR rows. */
export type NetworkInput = F32 | Csr;

export class Network {
  readonly layers: Dense[] = [];
  /** Per layer: its output for the current batch, and the gradient w.r.t. it. */
  private acts: F32[] = [];
  private grads: F32[] = [];
  private capacity = 0;
  private probs: F32 | null = null;

  constructor(
    readonly backend: Backend,
    readonly spec: NetworkSpec,
  ) {
    if (!(spec.inputs > 0)) fail('ERR_BAD_SHAPE', `a network needs at least one input, got ${spec.inputs}`);
    if (spec.layers.length === 0) fail('ERR_BAD_ARGUMENT', 'a network needs at least one layer');
    let inputs = spec.inputs;
    spec.layers.forEach((l, i) => {
      if (!Number.isInteger(l.units) || l.units <= 0) fail('ERR_BAD_ARGUMENT', `layer ${i} units must be a positive integer, got ${l.units}`);
      const param = (name: string, n: number, penalised: boolean): Param => ({
        name, value: backend.alloc(n), grad: backend.alloc(n), length: n, mask: null, penalised,
      });
      this.layers.push({ inputs, units: l.units, activation: l.activation, W: param(`dense${i}/W`, inputs * l.units, true), b: param(`dense${i}/b`, l.units, false) });
      inputs = l.units;
    });
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].units;
  }

  params(): Param[] {
    return this.layers.flatMap((l) => [l.W, l.b]);
  }

  parameterCount(): number {
    return this.layers.reduce((s, l) => s + l.W.length + l.b.length, 0);
  }

  /** Multiply-adds ×2 per sample for a dense forward pass (plus biases). */
  flopsPerSample(): number {
    return this.layers.reduce((s, l) => s + 2 * l.inputs * l.units + l.units, 0);
  }

  /** He-normal for ReLU layers, Glorot-uniform otherwise (Keras' Dense default); zero biases. */
  initialize(rng: Rng): void {
    for (const l of this.layers) {
      const w = new Float32Array(l.W.length);
      if (l.activation === 'relu') {
        const std = Math.sqrt(2 / l.inputs);
        for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
      } else {
        const lim = Math.sqrt(6 / (l.inputs + l.units));
        for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * lim;
      }
      this.backend.write(l.W.value, w);
      this.backend.fill(l.b.value, 0);
    }
  }

  /** Forward `rows` samples of x (rows × inputs); returns the last layer's pre-head output. */
  forward(x: NetworkInput, rows: number): F32 {
    this.reserve(rows);
    this.layers.forEach((l, i) => {
      const out = this.acts[i];
      if (i > 0) this.backend.gemm(false, false, rows, l.units, l.inputs, this.acts[i - 1], l.W.value, out);
      else if (isCsr(x)) {
        checkCsrBatch(x, rows, l.inputs, 'x');
        this.backend.csrMatmul(x, l.W.value, l.units, out);
      } else this.backend.gemm(false, false, rows, l.units, l.inputs, x, l.W.value, out);
      this.backend.biasAct(out, l.b.value, rows, l.units, l.activation, out);
    });
    return this.acts[this.acts.length - 1];
  }

  /**
   * One forward + backward pass on a batch; leaves gradients (averaged over the batch) in
   * each Param's grad and returns the mean loss. `y` holds class ids (softmax, sigmoid)
   * or targets (mse, rows × outputs) already in backend memory.
   */
  trainStep(x: F32 | SparseRows, y: I32 | F32, rows: number): number {
    const sparse = 'xT' in x ? x : null;
    if (sparse) checkCsrBatch(sparse.xT, this.spec.inputs, rows, 'xT');
    const out = this.forward(sparse ? sparse.x : (x as F32), rows);
    const n = this.layers.length;
    const dOut = this.grads[n - 1];
    const loss = this.headLossAndGrad(out, y, rows, dOut);
    for (let i = n - 1; i >= 0; i--) {
      const l = this.layers[i];
      const dy = this.grads[i];
      if (i < n - 1) this.backend.actBackward(dy, this.acts[i], rows * l.units, l.activation, dy);
      // Sparse input: dW = xᵀ·dy, every row written (zero where a feature is absent).
      if (i === 0 && sparse) this.backend.csrMatmul(sparse.xT, dy, l.units, l.W.grad);
      else this.backend.gemm(true, false, l.inputs, l.units, rows, i === 0 ? (x as F32) : this.acts[i - 1], dy, l.W.grad);
      this.backend.colSum(dy, rows, l.units, l.b.grad);
      if (i > 0) this.backend.gemm(false, true, rows, l.inputs, l.units, dy, l.W.value, this.grads[i - 1]);
    }
    return loss;
  }

  /** How many of the last forward pass's `rows` predictions match `labels` (classification heads). */
  correct(labels: ArrayLike<number>, rows: number): number {
    const k = this.outputs, out = this.backend.view(this.acts[this.acts.length - 1]);
    let hits = 0;
    for (let r = 0; r < rows; r++) hits += predictedClass(out, r, k, this.spec.head) === labels[r] ? 1 : 0;
    return hits;
  }

  /** Head outputs for a forward pass: class probabilities (softmax, sigmoid) or predictions (mse). */
  predictInto(x: NetworkInput, rows: number): F32 {
    const out = this.forward(x, rows);
    if (this.spec.head === 'softmax') this.backend.softmax(out, rows, this.outputs, out);
    else if (this.spec.head === 'sigmoid') {
      const v = this.backend.view(out).subarray(0, rows);
      for (let i = 0; i < rows; i++) v[i] = sigmoid(v[i]);
    }
    return out;
  }

  dispose(): void {
    this.release();
    for (const p of this.params()) {
      this.backend.free(p.value);
      this.backend.free(p.grad);
      if (p.mask) this.backend.free(p.mask);
    }
  }

  /** Free the per-batch buffers (kept between calls otherwise). */
  release(): void {
    for (const b of [...this.acts, ...this.grads]) this.backend.free(b);
    if (this.probs) this.backend.free(this.probs);
    this.acts = [];
    this.grads = [];
    this.probs = null;
    this.capacity = 0;
  }

  private headLossAndGrad(out: F32, y: I32 | F32, rows: number, dOut: F32): number {
    const k = this.outputs;
    if (rows === 0) return 0;
    if (this.spec.head === 'softmax') {
      return this.backend.softmaxCrossEntropy(out, y as I32, rows, k, this.probs!, dOut, 1 / rows);
    }
    // One or few outputs per row: cheap enough on the JS side.
    const o = this.backend.view(out), g = this.backend.view(dOut);
    let loss = 0;
    if (this.spec.head === 'sigmoid') {
      const t = this.backend.view(y as I32);
      for (let i = 0; i < rows; i++) {
        const z = o[i], label = t[i];
        // log(1 + e^{-|z|}) form: stable for large |z|.
        loss += Math.max(z, 0) - z * label + Math.log1p(Math.exp(-Math.abs(z)));
        g[i] = (sigmoid(z) - label) / rows;
      }
      return loss / rows;
    }
    const t = this.backend.view(y as F32);
    for (let i = 0; i < rows * k; i++) {
      const d = o[i] - t[i];
      loss += d * d;
      g[i] = (2 * d) / (rows * k);
    }
    return loss / (rows * k);
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity && this.acts.length > 0) return;
    this.release();
    this.capacity = rows;
    for (const l of this.layers) {
      this.acts.push(this.backend.alloc(rows * l.units));
      this.grads.push(this.backend.alloc(rows * l.units));
    }
    this.probs = this.backend.alloc(rows * this.outputs);
  }
}

function isCsr(x: NetworkInput): x is Csr {
  return 'rowPtr' in x;
}

function checkCsrBatch(m: Csr, rows: number, cols: number, name: string): void {
  if (m.rows !== rows || m.cols !== cols) fail('ERR_BAD_SHAPE', `sparse ${name} is ${m.rows}×${m.cols}, expected ${rows}×${cols}`);
}

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

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
