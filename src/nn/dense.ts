// The fully connected layer y = act(x·W + b), W inputs × units row-major. Two variants in
// one class: dense weights (trainable; a Param that pruning may mask) and, for inference,
// Wᵀ (units × inputs) in CSR run by matmulCsrT — what a pruned layer compiles to when it
// is sparse enough for CSR to win (see compile()). Sparse input rows (CSR) into a dense
// layer multiply through csrMatmul and never form a dense x.
import { fail } from '../errors.js';
import type { Activation, Backend, Csr, F32 } from '../backend/backend.js';
import type { Rng } from '../data/prng.js';
import { type ForwardMode, type Layer, type LayerInfo, type LayerInput, type SparseRows, isSparseRows } from './layer.js';
import { Param } from './param.js';

// A type, not an interface: a LayerSpec (index signature) must accept it.
export type DenseSpec = {
  kind?: 'dense';
  units: number;
  activation: Activation;
};

const ACTIVATIONS: readonly Activation[] = ['identity', 'relu'];

export class Dense implements Layer {
  readonly kind = 'dense' as const;
  readonly units: number;
  readonly activation: Activation;
  readonly b: Param;
  /** Dense weights (null in the CSR variant) and Wᵀ in CSR (null in the dense one). */
  private readonly w: Param | null;
  private readonly csr: Csr | null;
  private out: F32 | null = null;
  private dx: F32 | null = null;
  private capacity = 0;
  /** The last training forward's input, for the weight gradient. */
  private input: LayerInput | null = null;

  /** `csr`: Wᵀ for the inference-only variant (see compile()). */
  constructor(
    readonly backend: Backend,
    readonly inputs: number,
    spec: DenseSpec,
    readonly name = 'dense',
    csr: Csr | null = null,
  ) {
    const { units, activation } = spec;
    if (!Number.isInteger(inputs) || inputs <= 0) fail('ERR_BAD_SHAPE', `a dense layer needs at least one input, got ${inputs}`);
    if (!Number.isInteger(units) || units <= 0) fail('ERR_BAD_ARGUMENT', `dense units must be a positive integer, got ${units}`);
    if (!ACTIVATIONS.includes(activation)) fail('ERR_BAD_ARGUMENT', `dense activation must be ${ACTIVATIONS.join(' or ')}, got ${String(activation)}`);
    this.units = units;
    this.activation = activation;
    this.csr = csr;
    this.w = csr ? null : new Param(backend, `${name}/W`, [inputs, units], true);
    this.b = new Param(backend, `${name}/b`, [units], false);
  }

  get outputs(): number {
    return this.units;
  }

  /** The weights, inputs × units (the dense variant only). */
  get W(): Param {
    return this.w ?? fail('ERR_BAD_ARGUMENT', 'a CSR-weight dense layer has no dense W: use the network it was compiled from');
  }

  get format(): 'dense' | 'csr' {
    return this.csr ? 'csr' : 'dense';
  }

  params(): readonly Param[] {
    return this.w ? [this.w, this.b] : [this.b];
  }

  /** He-normal for ReLU layers, Glorot-uniform otherwise (Keras' Dense default); zero biases. */
  initialize(rng: Rng): void {
    const W = this.W, w = new Float32Array(W.length);
    if (this.activation === 'relu') {
      const std = Math.sqrt(2 / this.inputs);
      for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
    } else {
      const lim = Math.sqrt(6 / (this.inputs + this.units));
      for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * lim;
    }
    this.backend.write(W.value, w);
    this.backend.fill(this.b.value, 0);
  }

  forward(x: LayerInput, rows: number, mode: ForwardMode): F32 {
    const b = this.backend;
    if (this.csr && mode.training) fail('ERR_BAD_ARGUMENT', 'a CSR-weight dense layer is for inference only: train the network it was compiled from');
    const out = this.reserve(rows);
    if (isSparseRows(x)) {
      if (this.csr) fail('ERR_BAD_ARGUMENT', 'a CSR-weight dense layer takes dense rows: predict sparse rows with the dense network');
      checkCsr(x.x, rows, this.inputs, 'x');
      if (mode.training) checkCsr(x.xT ?? fail('ERR_BAD_ARGUMENT', 'training on sparse rows needs their transpose xT'), this.inputs, rows, 'xT');
      b.csrMatmul(x.x, this.W.value, this.units, out);
    } else if (this.csr) b.matmulCsrT(x, rows, this.csr, out);
    else b.gemmUnpacked(rows, this.units, this.inputs, x, this.W.value, out); // unpacked for few units, else the GEMM
    b.biasAct(out, this.b.value, rows, this.units, this.activation, out);
    this.input = mode.training ? x : null;
    return out;
  }

  backward(dy: F32, rows: number, needInput: boolean): F32 | null {
    const b = this.backend, x = this.input ?? fail('ERR_BAD_ARGUMENT', 'backward needs a training forward first');
    const W = this.W;
    if (this.activation !== 'identity') b.actBackward(dy, this.out!, rows * this.units, this.activation, dy);
    const dx = needInput ? (this.dx ??= b.alloc(this.capacity * this.inputs)) : null;
    // dW, db and dx read only dy, x and W: side by side (the output layer's dW and dx are each too small to cut well).
    b.concurrently(() => {
      // Sparse input: dW = xᵀ·dy, every row written (zero where a feature is absent).
      if (isSparseRows(x)) b.csrMatmul((x as SparseRows).xT!, dy, this.units, W.grad);
      else b.gemm(true, false, this.inputs, this.units, rows, x, dy, W.grad);
      b.colSum(dy, rows, this.units, this.b.grad);
      if (dx) b.gemm(false, true, rows, this.inputs, this.units, dy, W.value, dx);
    });
    return dx;
  }

  /** 2 FLOPs per stored weight (only the non-zero ones once masked or in CSR), plus the biases. */
  flopsPerSample(): number {
    const weights = this.csr ? this.csr.nnz : this.W.mask ? this.W.nonZero() : this.W.length;
    return 2 * weights + this.units;
  }

  info(): LayerInfo {
    const weights = this.inputs * this.units, nonZero = this.csr ? this.csr.nnz : this.W.nonZero();
    const denseBytes = 4 * (weights + this.units);
    const bytes = this.csr ? 4 * this.units + 4 * (this.csr.rows + 1) + 8 * this.csr.nnz : denseBytes;
    return { kind: this.kind, inputs: this.inputs, outputs: this.units, format: this.format, weights, nonZero, sparsity: weights === 0 ? 0 : 1 - nonZero / weights, bytes, denseBytes };
  }

  spec(): DenseSpec {
    return { kind: 'dense', units: this.units, activation: this.activation };
  }

  /**
   * A snapshot for inference: Wᵀ in CSR when at least `minSparsity` of the weights are
   * zero, else a dense copy. Later training of this layer does not reach it.
   */
  compile(minSparsity: number): Dense {
    const b = this.backend, w = b.read(this.W.value);
    const { sparsity } = this.info();
    const copy = new Dense(b, this.inputs, this.spec(), this.name, sparsity >= minSparsity ? transposedCsr(b, w, this.inputs, this.units) : null);
    if (copy.w) b.write(copy.w.value, w);
    b.copy(this.b.value, copy.b.value);
    return copy;
  }

  release(): void {
    for (const buf of [this.out, this.dx]) if (buf) this.backend.free(buf);
    this.out = this.dx = null;
    this.input = null;
    this.capacity = 0;
  }

  dispose(): void {
    this.release();
    for (const p of this.params()) p.dispose();
    if (this.csr) this.backend.freeCsr(this.csr);
  }

  /** The output buffer for `rows` rows, grown (never shrunk) as batches get larger. */
  private reserve(rows: number): F32 {
    if (this.out && rows <= this.capacity) return this.out;
    this.release();
    this.capacity = Math.max(rows, 1);
    return (this.out = this.backend.alloc(this.capacity * this.units));
  }
}

function checkCsr(m: Csr, rows: number, cols: number, name: string): void {
  if (m.rows !== rows || m.cols !== cols) fail('ERR_BAD_SHAPE', `sparse ${name} is ${m.rows}×${m.cols}, expected ${rows}×${cols}`);
}

/** CSR of Wᵀ (units × inputs) from W (inputs × units, row-major): the matmulCsrT operand. */
export function transposedCsr(b: Backend, w: Float32Array, inputs: number, units: number): Csr {
  const t = new Float32Array(w.length);
  for (let r = 0; r < inputs; r++) for (let c = 0; c < units; c++) t[c * inputs + r] = w[r * units + c];
  const wt = b.upload(t);
  try {
    return b.denseToCsr(wt, units, inputs, 0);
  } finally {
    b.free(wt);
  }
}
