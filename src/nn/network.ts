// A sequential network: layers (layer.ts) then a loss head (losses.ts), computed entirely
// in backend buffers — forward and backward never copy between JS and wasm memory, and each
// layer's buffers are allocated once for the largest batch and reused. The first layer may
// take sparse rows (CSR). compileSparse() snapshots it for inference with CSR weights.
import { fail } from '../errors.js';
import type { Backend, F32, I32 } from '../backend/backend.js';
import { validateCsr } from '../data/csr.js';
import { type AnyDataset, type PredictRows, isDenseDataset, isSparse, validate } from '../data/dataset.js';
import type { Rng } from '../data/prng.js';
import { predictionBatches } from './batches.js';
import type { Dense, DenseSpec } from './dense.js';
import type { Layer, LayerInfo, LayerInput, LayerSpec, SparseRows } from './layer.js';
import { type Head, LOSSES, type Loss, classProbabilities, predictedClass } from './losses.js';
import { type Param, ParamGroup } from './param.js';
import { createLayer } from './registry.js';

export { type Head, classProbabilities, predictedClass } from './losses.js';

/** Layer specs (built with the registry) or layers already built; Dense specs give Dense layers. */
export interface NetworkSpec<S extends LayerSpec | Layer = LayerSpec | Layer> {
  inputs: number;
  /** Hidden layers then the output layer (whose activation is identity: the head applies its own). */
  layers: readonly S[];
  head: Head;
}

export type LayerOf<S> = S extends DenseSpec ? Dense : Layer;

export interface NetworkOptions {
  /** Rows per forward pass in headOutputs / predict / predictProba / evaluate (default 512). */
  batchSize?: number;
}

export interface CompileOptions extends NetworkOptions {
  /**
   * Layers with at least this fraction of zero weights go to CSR (default 0.6). Measured on
   * 784×512 at 2,000 rows, CSR matches gemm near 0.5 (and stores more bytes than dense
   * below it) and is 1.6× faster at 0.6. 0 sends every layer to CSR, any value > 1 none.
   * The compiled copy's batchSize defaults to 1024.
   */
  minSparsity?: number;
}

export interface NamedTensor {
  name: string;
  data: Float32Array;
}

export interface Evaluation {
  loss: number;
  acc?: number;
}

const DEFAULT_MIN_SPARSITY = 0.6;

export class Network<S extends LayerSpec | Layer = LayerSpec | Layer> {
  readonly layers: LayerOf<S>[] = [];
  readonly inputs: number;
  readonly head: Head;
  readonly loss: Loss;
  private readonly batchSize: number;
  /** The loss gradient w.r.t. the last layer's output, and the head's scratch. */
  private dOut: F32 | null = null;
  private scratch: F32 | null = null;
  private capacity = 0;
  /** The last layer's output of the latest forward pass. */
  private last: F32 | null = null;
  private disposed = false;
  private paramList: readonly Param[] | null = null;
  /** The network's own ungrouped parameters stored back to back (null: none or given layers). */
  private group: ParamGroup | null = null;

  constructor(
    readonly backend: Backend,
    spec: NetworkSpec<S>,
    options: NetworkOptions = {},
  ) {
    if (!(spec.inputs > 0)) fail('ERR_BAD_SHAPE', `a network needs at least one input, got ${spec.inputs}`);
    if (spec.layers.length === 0) fail('ERR_BAD_ARGUMENT', 'a network needs at least one layer');
    if (!Object.hasOwn(LOSSES, spec.head)) fail('ERR_BAD_ARGUMENT', `head must be ${Object.keys(LOSSES).join(', ')}, got ${String(spec.head)}`);
    const batchSize = options.batchSize ?? 512;
    if (!Number.isInteger(batchSize) || batchSize < 1) fail('ERR_BAD_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
    this.inputs = spec.inputs;
    this.head = spec.head;
    this.loss = LOSSES[spec.head];
    this.batchSize = batchSize;
    let width = spec.inputs;
    try {
      spec.layers.forEach((s, i) => {
        const layer = isLayer(s) ? s : createLayer(backend, width, s, i);
        this.layers.push(layer as LayerOf<S>);
        if (layer.inputs !== width) fail('ERR_BAD_SHAPE', `layer ${i} reads ${layer.inputs} values per row, the one before gives ${width}`);
        width = layer.outputs;
      });
      const names = this.params().map((p) => p.name);
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) fail('ERR_BAD_ARGUMENT', `two parameters are named ${twice}: give each layer its own name`);
      // One optimiser call a step for all of them (the 2-thread cut then covers the biases and
      // small layers too). Only for layers built here: given layers keep buffers they own.
      const loose = this.params().filter((p) => !p.group);
      if (loose.length > 1 && !spec.layers.some(isLayer)) this.group = new ParamGroup(backend, loose);
    } catch (err) {
      for (const l of this.layers as Layer[]) if (!(spec.layers as readonly unknown[]).includes(l)) l.dispose();
      throw err;
    }
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].outputs;
  }

  /**
   * Every layer's parameters, in layer order: built once, as the layers (set by the constructor)
   * and their parameters (fixed when a layer is built) never change; fit asks on every step.
   */
  params(): readonly Param[] {
    return (this.paramList ??= this.layers.flatMap((l) => [...l.params()]));
  }

  parameterCount(): number {
    return this.params().reduce((s, p) => s + p.length, 0);
  }

  /** FLOPs of one sample's forward pass, counting only stored weights once pruned. */
  flopsPerSample(): number {
    return this.layers.reduce((s, l) => s + l.flopsPerSample(), 0);
  }

  /** The layers' specs: rebuilds this network's shape (not its weights). */
  toSpec(): NetworkSpec<LayerSpec> {
    return { inputs: this.inputs, layers: this.layers.map((l) => l.spec()), head: this.head };
  }

  /** Every parameter's values by name, then its mask as `${name}/mask` when pruned: what a saved state holds. */
  tensors(): NamedTensor[] {
    const b = this.backend;
    return this.params().flatMap((p) => [{ name: p.name, data: b.read(p.value) }, ...(p.mask ? [{ name: `${p.name}/mask`, data: b.read(p.mask) }] : [])]);
  }

  /** Set every parameter (and mask) from `tensors()` of a network of the same shape; a missing or misshapen one is ERR_BAD_FILE. */
  loadTensors(tensors: readonly NamedTensor[]): void {
    const byName = new Map(tensors.map((t) => [t.name, t.data]));
    for (const p of this.params()) {
      const data = byName.get(p.name);
      if (!data || data.length !== p.length) fail('ERR_BAD_FILE', `the state lacks tensor ${p.name} of ${p.length} values`);
      this.backend.write(p.value, data);
      const mask = byName.get(`${p.name}/mask`) ?? null;
      if (mask && mask.length !== p.length) fail('ERR_BAD_FILE', `the state's ${p.name}/mask has ${mask.length} values for ${p.length} weights`);
      p.setMask(mask);
    }
  }

  /** Fresh weights, layer by layer from one stream. */
  initialize(rng: Rng): void {
    for (const l of this.layers) l.initialize(rng);
  }

  /** Forward `rows` samples of x (rows × inputs); returns the last layer's pre-head output. */
  forward(x: LayerInput, rows: number, rng?: Rng): F32 {
    return this.run(x, rows, { training: false, rng });
  }

  /**
   * One forward + backward pass on a batch; leaves gradients (averaged over the batch) in
   * each Param's grad and returns the mean loss (plus the layers' auxiliary losses). `y`
   * holds class ids (softmax, sigmoid) or targets (mse, rows × outputs) in backend memory.
   */
  trainStep(x: F32 | SparseRows, y: I32 | F32, rows: number, rng?: Rng): number {
    const out = this.run(x, rows, { training: true, rng });
    this.reserve(rows);
    const n = this.layers.length;
    let loss = rows === 0 ? 0 : this.loss.lossAndGrad(this.backend, out, y, rows, this.outputs, this.dOut!, this.scratch!);
    for (const l of this.layers as Layer[]) loss += l.auxLoss?.() ?? 0;
    let dy = this.dOut!;
    for (let i = n - 1; i >= 0; i--) dy = this.layers[i].backward(dy, rows, i > 0) ?? dy;
    return loss;
  }

  /** How many of the last forward pass's `rows` predictions match `labels` (classification heads). */
  correct(labels: ArrayLike<number>, rows: number): number {
    const k = this.outputs, out = this.backend.view(this.last ?? fail('ERR_BAD_ARGUMENT', 'correct() needs a forward pass first'));
    let hits = 0;
    for (let r = 0; r < rows; r++) hits += predictedClass(out, r, k, this.head) === labels[r] ? 1 : 0;
    return hits;
  }

  /** The layers' statistics, keyed `${layer name}/${stat}`. */
  stats(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const l of this.layers as Layer[]) for (const [key, v] of Object.entries(l.stats?.() ?? {})) all[`${l.name}/${key}`] = v;
    return all;
  }

  /** Head outputs for rows in backend memory: class probabilities (softmax, sigmoid) or predictions (mse). */
  predictInto(x: LayerInput, rows: number): F32 {
    const out = this.forward(x, rows);
    this.reserve(rows);
    this.loss.activate(this.backend, out, rows, this.outputs, this.scratch!);
    return out;
  }

  /** Head outputs for host rows (dense rows × inputs, CSR, or a dense dataset as stored), in batches: rows × outputs. */
  headOutputs(x: PredictRows, rows: number): Float32Array {
    this.checkInput(x, rows);
    const b = this.backend, k = this.outputs;
    const result = new Float32Array(rows * k);
    const bs = Math.min(this.batchSize, Math.max(rows, 1));
    const inputs = predictionBatches(b, x, this.inputs, bs);
    const ids = new Int32Array(bs);
    try {
      for (let start = 0; start < rows; start += bs) {
        const n = Math.min(bs, rows - start);
        for (let i = 0; i < n; i++) ids[i] = start + i;
        const out = this.predictInto(inputs.load(ids.subarray(0, n)), n);
        result.set(b.view(out).subarray(0, n * k), start * k);
      }
    } finally {
      inputs.dispose();
      this.release();
    }
    return result;
  }

  /** Class probabilities, rows × classes (sigmoid heads: two columns, [P(0), P(1)]). */
  predictProba(x: PredictRows, rows: number): Float32Array {
    if (this.head === 'mse') fail('ERR_BAD_ARGUMENT', 'predictProba is for classifiers; use predict for regression');
    return classProbabilities(this.head, this.headOutputs(x, rows), rows);
  }

  /** Class ids (classification) or predicted targets (regression). */
  predict(x: PredictRows, rows: number): Int32Array | Float32Array {
    if (this.head === 'mse') return this.headOutputs(x, rows);
    const p = this.predictProba(x, rows), k = this.head === 'sigmoid' ? 2 : this.outputs, out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = predictedClass(p, r, k, 'softmax');
    return out;
  }

  /** Mean head loss and (classification) accuracy over a dataset, in bounded batches (u8 / u16 rows widened per batch). */
  evaluate(ds: AnyDataset): Evaluation {
    const out = this.headOutputs(isSparse(ds) ? ds.x : ds, ds.rows), k = this.head === 'softmax' ? this.outputs : 1;
    let loss = 0, hits = 0;
    for (let r = 0; r < ds.rows; r++) {
      loss += this.loss.outputLoss(out, r, k, ds.y[r]);
      // Probabilities: sigmoid's threshold is 0.5, i.e. logit 0.
      if (this.head !== 'mse' && (this.head === 'sigmoid' ? (out[r] > 0.5 ? 1 : 0) : predictedClass(out, r, k, 'softmax')) === ds.y[r]) hits++;
    }
    return this.head === 'mse' ? { loss: loss / ds.rows } : { loss: loss / ds.rows, acc: hits / ds.rows };
  }

  /** Per layer: format, weights, non-zeros, sparsity and bytes. */
  layerInfo(): LayerInfo[] {
    return this.layers.map((l) => l.info());
  }

  /** Stored non-zero weights over all layers. */
  get nonZero(): number {
    return this.layerInfo().reduce((s, l) => s + l.nonZero, 0);
  }

  /** Bytes of weights and biases as stored: CSR (rowPtr, colIdx, values) or dense f32. */
  get bytes(): number {
    return this.layerInfo().reduce((s, l) => s + l.bytes, 0);
  }

  /** Bytes the same layers take all dense. */
  get denseBytes(): number {
    return this.layerInfo().reduce((s, l) => s + l.denseBytes, 0);
  }

  /**
   * A snapshot for inference: Dense layers with at least minSparsity zero weights hold Wᵀ
   * in CSR (matmulCsrT), the others dense copies. Later training of this network does not
   * reach it; it takes dense rows only.
   */
  compileSparse(options: CompileOptions = {}): Network<S> {
    this.live();
    const minSparsity = options.minSparsity ?? DEFAULT_MIN_SPARSITY;
    if (!(minSparsity >= 0)) fail('ERR_BAD_ARGUMENT', `minSparsity must be ≥ 0, got ${minSparsity}`);
    const layers: Layer[] = [];
    try {
      for (const l of this.layers) {
        if (l.kind !== 'dense') fail('ERR_BAD_ARGUMENT', `compileSparse handles dense layers; layer '${l.kind}' has no CSR variant`);
        layers.push((l as Dense).compile(minSparsity));
      }
      return new Network(this.backend, { inputs: this.inputs, layers: layers as S[], head: this.head }, { batchSize: options.batchSize ?? 1024 });
    } catch (err) {
      for (const l of layers) l.dispose();
      throw err;
    }
  }

  /** Free every buffer; the network is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.release();
    for (const l of this.layers) l.dispose();
    this.group?.dispose();
    this.disposed = true;
  }

  /** Free the per-batch buffers (kept between calls otherwise). */
  release(): void {
    for (const l of this.layers) l.release();
    for (const buf of [this.dOut, this.scratch]) if (buf) this.backend.free(buf);
    this.dOut = this.scratch = this.last = null;
    this.capacity = 0;
  }

  private run(x: LayerInput, rows: number, mode: { training: boolean; rng?: Rng }): F32 {
    this.live();
    let h: LayerInput = x;
    for (const l of this.layers) h = l.forward(h, rows, mode);
    return (this.last = h as F32);
  }

  private reserve(rows: number): void {
    if (this.dOut && rows <= this.capacity) return;
    for (const buf of [this.dOut, this.scratch]) if (buf) this.backend.free(buf);
    this.capacity = Math.max(rows, 1);
    this.dOut = this.backend.alloc(this.capacity * this.outputs);
    this.scratch = this.backend.alloc(Math.max(this.capacity * this.outputs * this.loss.scratch, 1));
  }

  private checkInput(x: PredictRows, rows: number): void {
    this.live();
    const cols = this.inputs;
    if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `rows must be an integer ≥ 0, got ${rows}`);
    if (isDenseDataset(x)) {
      validate(x);
      if (x.rows !== rows || x.cols !== cols) fail('ERR_BAD_SHAPE', `the dataset is ${x.rows}×${x.cols}, expected ${rows} rows × ${cols} features`);
      return;
    }
    if (x instanceof Float32Array) {
      if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${cols} features`);
      return;
    }
    if (x.rows !== rows || x.cols !== cols) fail('ERR_BAD_SHAPE', `sparse x is ${x.rows}×${x.cols}, expected ${rows} rows × ${cols} features`);
    validateCsr(x);
  }

  private live(): void {
    if (this.disposed) fail('ERR_BUFFER_FREED', 'this network was disposed');
  }
}

function isLayer(s: LayerSpec | Layer): s is Layer {
  return typeof (s as Layer).forward === 'function';
}
