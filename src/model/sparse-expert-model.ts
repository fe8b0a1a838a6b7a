// The sparse expert model end to end: partition the data → train one expert per part in
// parallel workers → sparsify → combine all N experts' outputs.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import { findKernelRef } from '../backend/identity.js';
import { type AnyDataset, type Dataset, type DenseX, type PredictRows, featureRows, floatRows, isDenseDataset, isSparse, rowsView, take, takeLabels, validate } from '../data/dataset.js';
import { type CsrMatrix, validateCsr } from '../data/csr.js';
import { Rng } from '../data/prng.js';
import { type RowSource, isSource } from '../data/source.js';
import { trainTestIndices } from '../data/split.js';
import { FeatureScaler, NEAR_CONSTANT_STD, type ScalerJSON, createScaler } from '../data/scale.js';
import { type Combiner, type SparseCombiner } from '../combine/combiner.js';
import { createCombiner } from '../combine/create.js';
import { outOfFoldOutputs } from '../combine/out-of-fold.js';
import { expertFromState } from '../experts/from-state.js';
import { checkExpertTask } from '../experts/registry.js';
import { type Network, predictedClass } from '../nn/network.js';
import type { NetworkExpert } from '../experts/network-expert.js';
import { createExecutor, runAll } from '../parallel/create.js';
import type { Executor } from '../parallel/executor.js';
import { registerTask } from '../parallel/registry.js';
import type { Json, TaskOutput } from '../parallel/task.js';
import { type Partition, createPartition, partitionFromJSON, partitionReadsFeatures } from '../partition/create.js';
import type { PartitionJSON, RowParts } from '../partition/partition.js';
import type { CombinerJSON } from '../combine/combiner.js';
import { combinerFromJSON } from '../combine/create.js';
import type { ExpertState } from '../experts/expert.js';
import { type CombineSpec, type ResolvedOptions, type SparseExpertModelOptions, outOfFoldFolds, resolveOptions } from './options.js';
import { combinerEntry, combinerKinds } from '../combine/registry.js';
import { checkStreamable, holdOutSource, sourceShards } from './source-shards.js';
import { type SourcePart, type TrainExpertResult, trainExpert, trainExpertInput, trainedState } from './train-task.js';
import { expertRows } from './expert-rows.js';

export interface ModelFitOptions {
  signal?: AbortSignal;
  /** Per-expert training progress: the fraction of its epochs done, and at each epoch's end that epoch's training loss (and accuracy). */
  onProgress?: (p: ExpertProgress) => void;
  /** Run the experts on this executor instead of one made from `workers` (it stays open). */
  executor?: Executor;
}

export interface ExpertProgress {
  expert: number;
  /** Of its epochs (fine-tuning included), in [0, 1]. */
  fraction: number;
  /** Set when an epoch ended: its index (fine-tune epochs follow the training ones), training loss and accuracy (classification). */
  epoch?: number;
  loss?: number;
  acc?: number;
}

export interface ExpertReport {
  index: number;
  /** Training rows and input columns this expert saw. */
  rows: number;
  cols: number;
  seconds: number;
  parameters: number;
  nonZero: number;
  sparsity: number;
  flopsPerSample: number;
  /** Final training loss, and accuracy on the held-out rows (classification) when there are any. */
  loss: number;
  holdoutAccuracy?: number;
  /** MB of wasm memory at its peak on the backend that trained it (its worker's over every task it ran, or the caller's). */
  backendHighWaterMb: number;
}

export interface FitReport {
  experts: ExpertReport[];
  /** Wall-clock seconds: all experts, the combiner included. */
  seconds: number;
  /** Wall-clock seconds of the parallel part: training (and pruning) all the experts. */
  expertSeconds: number;
  workers: number;
  combiner: ReturnType<Combiner['describe']>;
  /** Per worker, in start order (one entry, the calling thread's, with workers 0): its backend's wasm memory high water, MB. */
  wasmHighWaterMb: number[];
  /** Node: the process's peak resident set so far, MB (the data, every worker and wasm memory included); absent where unknown. */
  peakRssMb?: number;
}

/** Everything a trained model is, as plain data and typed arrays (see src/io for the file format). */
export interface ModelState {
  /** Without `workers`: how many threads trained it is not part of the model (same seed → same file). */
  options: Omit<ResolvedOptions, 'workers'>;
  task: 'classification' | 'regression';
  width: number;
  partition: PartitionJSON;
  combiner: CombinerJSON;
  experts: ExpertState[];
  /** The fitted feature scaling (options.scale), applied before everything else. */
  scaler?: ScalerJSON | null;
}

export class SparseExpertModel {
  readonly options: ResolvedOptions;
  private backend: Backend | null;
  private partition: Partition | null = null;
  private experts: NetworkExpert[] = [];
  /** CSR inference for pruned experts (null: dense). */
  private sparse: (Network | null)[] = [];
  private combiner: Combiner | null = null;
  private width = 0;
  /** Held-out rows and the experts' outputs on them (out-of-fold stacking: every training row, out of fold), for fitting (and re-fitting) combiners. */
  private holdout: { ds: AnyDataset; outputs: Float32Array[] } | null = null;
  /** Share of rows each expert ran on in the last prediction (sparse combiners skip experts). */
  private usage: number[] | null = null;
  private task: 'classification' | 'regression' = 'classification';
  private scaler: FeatureScaler | null = null;

  constructor(options: SparseExpertModelOptions = {}) {
    this.options = resolveOptions(options);
    this.backend = options.backend ?? null;
  }

  /**
   * Train every expert on its part of `ds` and fit the combiner. Sparse (CSR) rows work with
   * the row partitions but k-means, and with combiners that do not read the input (fixed,
   * convex, stacking).
   */
  async fit(ds: AnyDataset | RowSource, opts: ModelFitOptions = {}): Promise<FitReport> {
    const started = performance.now();
    const o = this.options;
    if (isSource(ds)) checkStreamable(o);
    else validate(ds);
    const backend = (this.backend ??= await getBackend());
    const task = ds.classes === undefined ? 'regression' : 'classification';
    checkExpertTask(o.expert.kind, task); // before anything is partitioned or trained
    this.dispose();
    if (o.scale && !isSource(ds)) {
      if (isSparse(ds)) fail('ERR_BAD_ARGUMENT', `scale '${o.scale}' centres columns, which would make sparse rows dense: leave scale unset for sparse data`);
      this.scaler = createScaler(o.scale, { minStd: NEAR_CONSTANT_STD }).fitDataset(ds);
      ds = this.scaler.transformDataset(ds);
    }
    this.task = task;
    this.width = ds.classes ?? 1;
    const p = o.partition;
    // Every kind reads the options it has; feature groups may name their columns outright.
    const { groups, ...rest } = p;
    const spec = { ...rest, experts: (p.kind === 'features' && groups) || o.experts, seed: o.seed, backend };
    const stratify = this.task === 'classification';
    let holdout: AnyDataset | null;
    /** The training rows in memory, for what reads them whole (stacking's folds); null for a source. */
    let train: (() => AnyDataset) | null = null;
    /** Each expert's rows, as the executor can take them. */
    let shardsFor: (executor: Executor) => Promise<(AnyDataset | SourcePart)[]> | (AnyDataset | SourcePart)[];
    if (isSource(ds)) {
      const src = ds;
      const split = o.holdout > 0 ? await holdOutSource(src, o.holdout, o.seed, stratify) : null;
      const parts = ((this.partition = await createPartition(split?.train ?? src, spec)) as RowParts).parts;
      shardsFor = () => sourceShards(src, split, parts);
      holdout = split?.test ?? null;
    } else {
      const rows = ds;
      const split = o.holdout > 0 ? trainTestIndices(rows, { testFraction: o.holdout, seed: o.seed, stratify }) : null;
      // Rows live once: the training rows are copied out whole only for what reads them whole
      // (k-means, feature groups, stacking's folds); row partitions read each expert's rows
      // straight from ds (expert-rows.ts).
      const trainIdx = split?.trainIndices ?? null;
      let trainSet: AnyDataset | null = trainIdx ? null : rows;
      const trainRows = (train = () => (trainSet ??= take(rows, trainIdx!)));
      const labels = trainIdx && !partitionReadsFeatures(spec) ? { rows: trainIdx.length, cols: rows.cols, y: takeLabels(rows.y, trainIdx), classes: rows.classes } : null;
      const partition = (this.partition = await createPartition(labels ?? trainRows(), spec));
      shardsFor = (executor) => {
        // Row partitions: each expert reads its rows of ds (a view or a shard, as the executor allows).
        const rowsOf = partition.kind === 'features' ? null : expertRows(rows, executor);
        return Array.from({ length: partition.experts }, (_, i) => {
          const data = partition.kind === 'features' ? partition.subset(trainRows(), i) : rowsOf!(trainIdx ? partition.parts[i].map((r) => trainIdx[r]) : partition.parts[i]);
          if (data.rows === 0) fail('ERR_EMPTY', `expert ${i} got no training rows: use fewer experts or another partition`);
          return data;
        });
      };
      holdout = split ? take(rows, split.testIndices) : null;
    }
    const root = new Rng(o.seed);
    const kernels = findKernelRef(backend);
    const partition = this.partition;
    registerTask(trainExpert);
    const executor = opts.executor ?? createExecutor(o.workers === 'auto' ? 'auto' : Math.min(o.workers, partition.experts));
    let outputs: TaskOutput<TrainExpertResult>[];
    let oof: Float32Array[] | null = null;
    let expertsStarted = performance.now();
    let shardRows: number[];
    try {
      const shards = await shardsFor(executor);
      shardRows = shards.map(shardSize); // before the tasks move the shards' arrays to the workers
      const tasks = shards.map((shard, index) => ({
        task: trainExpert.name,
        input: trainExpertInput({ index, expert: o.expert, sparsity: o.sparsity, seed: root.fork(index).seed, kernels }, shard),
        onProgress: (pr: Json) => {
          const { index: _, ...rest } = pr as { index: number } & Omit<ExpertProgress, 'expert'>;
          opts.onProgress?.({ expert: index, ...rest });
        },
      }));
      // Out-of-fold needs the rows in memory (a source was refused it up front).
      const cv = train && outOfFoldFolds(o.combine);
      if (train && cv) {
        // As scikit-learn's StackingClassifier: the same model fit on each fold's complement predicts the fold.
        oof = await outOfFoldOutputs(train(), async (part, held) => {
          const m = new SparseExpertModel({ ...o, combine: 'fixed', holdout: 0, scale: null, backend });
          try {
            await m.fit(part, { signal: opts.signal, executor });
            return m.outputsOf(featureRows(held), held.rows);
          } finally {
            m.dispose();
          }
        }, { folds: cv, seed: o.seed });
        expertsStarted = performance.now();
      }
      outputs = await runAll<TrainExpertResult>(executor, tasks, { signal: opts.signal, backend });
    } finally {
      if (!opts.executor) await executor.close();
    }
    const expertSeconds = (performance.now() - expertsStarted) / 1000;
    const results = outputs.map((out) => out.result);
    // One by one: a bad output (a custom executor's) leaves the experts built so far to dispose().
    for (const out of outputs) this.experts.push(expertFromState(trainedState(out), backend));
    this.sparse = this.experts.map((e) => (o.sparsity ? e.network().compileSparse() : null));
    this.holdout = oof && train ? { ds: train(), outputs: oof } : holdout ? { ds: holdout, outputs: this.outputsOf(featureRows(holdout), holdout.rows) } : null;
    const combiner = await this.combineWith(o.combine);
    const h = this.holdout;
    const route = h && this.partition.kind === 'kmeans' && !isSparse(h.ds) ? this.partition.route(floatRows(h.ds), h.ds.rows) : null;
    return {
      experts: results.map((r, i) => this.report(r, i, shardRows[i], this.holdoutAccuracy(i, route))),
      seconds: (performance.now() - started) / 1000,
      expertSeconds,
      workers: executor.size,
      wasmHighWaterMb: highWaterByWorker(outputs),
      ...peakRss(),
      combiner,
    };
  }

  /**
   * Replace the combiner, fitting it on the held-out rows the model kept (the experts stay
   * as trained): compare combiners without retraining. Learning combiners need a model
   * trained with a learning combiner, which holds rows out (or keeps stacking's out-of-fold outputs).
   */
  async combineWith(spec: CombineSpec | CombineSpec['kind']): Promise<ReturnType<Combiner['describe']>> {
    if (!this.partition || this.experts.length === 0) fail('ERR_NOT_FITTED', 'this model is not trained yet: call fit() first');
    const s = typeof spec === 'string' ? { kind: spec } : spec;
    const combiner = createCombiner(s, { experts: this.experts.length, partition: this.partition, backend: this.backend!, seed: this.options.seed });
    const h = this.holdout;
    const entry = combinerEntry(s.kind);
    if (h && isSparse(h.ds) && entry.readsInput) {
      fail('ERR_BAD_ARGUMENT', `combiner '${s.kind}' reads the input rows, which are sparse here: use one of ${combinerKinds((e) => !e.readsInput)}`);
    }
    if (entry.learns && !h) {
      fail('ERR_BAD_ARGUMENT', `combiner '${s.kind}' learns from held-out rows, but this model kept none: train it with a learning combiner (${combinerKinds((e) => e.learns)})`);
    }
    if (h) await combiner.fit(h.outputs, h.ds.y, isSparse(h.ds) ? undefined : floatRows(h.ds));
    this.combiner?.dispose?.();
    this.combiner = combiner;
    this.usage = null;
    return combiner.describe();
  }

  /**
   * Inference FLOPs per sample: each expert's (non-zero) FLOPs times the share of rows it
   * ran on in the last prediction (all of them unless the combiner routes sparsely).
   */
  flopsPerSample(): number {
    return this.experts.reduce((s, e, i) => s + e.flopsPerSample() * (this.usage?.[i] ?? 1), 0);
  }

  /** The trained model as plain data: save it (src/io) and rebuild it with fromState, in any runtime. */
  toState(): ModelState {
    const combiner = this.fitted();
    const { workers: _, ...options } = this.options;
    return {
      options, task: this.task, width: this.width, partition: this.partition!.toJSON(),
      combiner: combiner.toJSON(), experts: this.experts.map((e) => e.toState()), scaler: this.scaler?.toJSON() ?? null,
    };
  }

  /**
   * A trained model from toState() output. It predicts as the original did; the held-out
   * rows are not part of the state, so combineWith() needs a new fit.
   */
  static async fromState(state: ModelState, backend?: Backend): Promise<SparseExpertModel> {
    const b = backend ?? (await getBackend());
    const m = new SparseExpertModel({ ...state.options, backend: b });
    try {
      m.task = state.task;
      m.width = state.width;
      m.scaler = state.scaler ? FeatureScaler.fromJSON(state.scaler) : null;
      m.partition = await partitionFromJSON(state.partition, b);
      for (const e of state.experts) m.experts.push(expertFromState(e, b));
      if (m.experts.length !== m.partition.experts) fail('ERR_BAD_FILE', `the state has ${m.experts.length} experts for a partition of ${m.partition.experts}`);
      m.sparse = m.experts.map((e) => (state.options.sparsity ? e.network().compileSparse() : null));
      m.combiner = await combinerFromJSON(state.combiner, { backend: b, router: m.partition.kind === 'kmeans' ? m.partition : undefined });
      return m;
    } catch (err) {
      m.dispose(); // a bad state leaves nothing behind in backend memory
      throw err;
    }
  }

  /**
   * Combined class probabilities (rows × classes), or predictions (rows × 1) for regression.
   * x may be a dense dataset as stored (u8 / u16, a view): it is widened a block of rows at a
   * time, never whole.
   */
  async predictProba(x: PredictRows, rows: number): Promise<Float32Array> {
    const combiner = this.fitted();
    if (isDenseDataset(x)) return this.probaInBlocks(x, rows);
    this.checkInput(x, rows);
    x = this.scaled(x, rows);
    if (!(x instanceof Float32Array)) {
      if (combinerEntry(combiner.kind).readsInput) fail('ERR_BAD_ARGUMENT', `combiner '${combiner.kind}' reads the input rows: pass them dense`);
      return combiner.combine(this.outputsOf(x, rows), rows);
    }
    if (isSparseCombiner(combiner)) {
      const parts = this.partition!.expertInputs(x, rows);
      const res = await combiner.combineSparse(x, rows, (e, idx) => this.runExpert(e, gatherRows(parts[e], this.experts[e].inputs, idx), idx.length));
      this.usage = res.perExpert.map((n) => (rows ? n / rows : 0));
      return res.output;
    }
    return combiner.combine(this.outputsOf(x, rows), rows, x);
  }

  /** Class ids, or predicted targets for regression (x as for predictProba). */
  async predict(x: PredictRows, rows: number): Promise<Int32Array | Float32Array> {
    const p = await this.predictProba(x, rows);
    if (this.task === 'regression') return p;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = predictedClass(p, r, this.width, 'softmax');
    return out;
  }

  /** predictProba over a dense dataset, PREDICT_BLOCK rows widened to float32 at a time; usage over all of them. */
  private async probaInBlocks(ds: Dataset<DenseX>, rows: number): Promise<Float32Array> {
    validate(ds);
    if (ds.rows !== rows) fail('ERR_BAD_SHAPE', `the dataset has ${ds.rows} rows, not ${rows}`);
    const out = new Float32Array(rows * this.width), used = new Float64Array(this.experts.length);
    let sparse = false;
    for (let start = 0; start < rows; start += PREDICT_BLOCK) {
      const n = Math.min(PREDICT_BLOCK, rows - start);
      out.set(await this.predictProba(floatRows(rowsView(ds, Array.from({ length: n }, (_, i) => start + i))), n), start * this.width);
      sparse = this.usage !== null;
      this.usage?.forEach((u, e) => (used[e] += u * n));
    }
    this.usage = sparse ? Array.from(used, (u) => u / rows) : null;
    return out;
  }

  /** Each expert's own output for the rows (rows × width per expert). */
  expertOutputs(x: Float32Array | CsrMatrix, rows: number): Float32Array[] {
    return this.outputsOf(this.scaled(x, rows), rows);
  }

  /** Expert outputs for rows already scaled. */
  private outputsOf(x: Float32Array | CsrMatrix, rows: number): Float32Array[] {
    const parts = this.partition!.expertInputs(x, rows);
    return this.experts.map((_, e) => this.runExpert(e, parts[e], rows));
  }

  get expertCount(): number {
    return this.experts.length;
  }

  /** The trained experts (for inspection or saving). */
  expertList(): readonly NetworkExpert[] {
    return this.experts;
  }

  dispose(): void {
    for (const e of this.experts) e.dispose();
    for (const s of this.sparse) s?.dispose();
    this.combiner?.dispose?.();
    this.experts = [];
    this.sparse = [];
    this.combiner = null;
    this.holdout = null;
    this.usage = null;
    this.scaler = null;
  }

  /** x through the fitted scaling, if any (sparse rows only reach here unscaled: fit refuses to scale them). */
  private scaled<X extends Float32Array | CsrMatrix>(x: X, rows: number): X {
    if (!this.scaler) return x;
    if (!(x instanceof Float32Array)) fail('ERR_BAD_ARGUMENT', 'this model scales its input: pass dense rows');
    return this.scaler.transform(x, rows) as X;
  }

  private runExpert(e: number, x: Float32Array | CsrMatrix, rows: number): Float32Array {
    const s = this.sparse[e];
    // Pruned experts run through CSR weights for dense rows; sparse rows take the expert's own CSR-input path.
    const ex = this.experts[e];
    if (s && x instanceof Float32Array) return this.task === 'regression' ? ex.toTargets(s.predict(x, rows) as Float32Array) : s.predictProba(x, rows);
    return this.task === 'regression' ? (ex.predict(x, rows) as Float32Array) : ex.predictProba(x, rows);
  }

  /**
   * Expert i's accuracy on the held-out rows: all of them, or, given the k-means routing of
   * the held-out rows, those routed to it — its own region.
   */
  private holdoutAccuracy(i: number, route: Int32Array | null): number | undefined {
    const h = this.holdout;
    if (!h || h.ds.classes === undefined) return undefined;
    const k = this.width, out = h.outputs[i];
    let hits = 0, seen = 0;
    for (let r = 0; r < h.ds.rows; r++) {
      if (route && route[r] !== i) continue;
      seen++;
      if (predictedClass(out, r, k, 'softmax') === h.ds.y[r]) hits++;
    }
    return seen ? hits / seen : undefined;
  }

  private fitted(): Combiner {
    if (!this.combiner) fail('ERR_NOT_FITTED', 'this model is not trained yet: call fit() first');
    return this.combiner;
  }

  private checkInput(x: Float32Array | CsrMatrix, rows: number): void {
    const cols = this.partition!.kind === 'features' ? this.partition!.cols : this.experts[0].inputs;
    if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `rows must be an integer ≥ 0, got ${rows}`);
    if (x instanceof Float32Array) {
      if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${cols} features`);
    } else {
      validateCsr(x);
      if (x.rows !== rows || x.cols !== cols) fail('ERR_BAD_SHAPE', `x is ${x.rows}×${x.cols} sparse, expected ${rows} rows × ${cols} features`);
    }
  }

  private report(r: TrainExpertResult, i: number, rows: number, holdoutAccuracy: number | undefined): ExpertReport {
    const e = this.experts[i], net = e.network();
    const losses = r.history.history.loss ?? [];
    const params = e.parameterCount(), nonZero = e.nonZeroCount();
    return {
      index: i, rows, cols: net.inputs,
      seconds: r.seconds, parameters: params, nonZero, sparsity: 1 - nonZero / params, flopsPerSample: e.flopsPerSample(),
      loss: losses[losses.length - 1] ?? Number.NaN, holdoutAccuracy, backendHighWaterMb: r.backendHighWater / 2 ** 20,
    };
  }
}

function shardSize(shard: AnyDataset | SourcePart): number {
  return 'source' in shard ? shard.rows.length : shard.rows;
}

/**
 * Rows per block when predicting from stored rows: a multiple of the experts' prediction
 * batches (512, compiled 1024), so every expert sees the batches it would see on float32 rows.
 */
const PREDICT_BLOCK = 4096;

function isSparseCombiner(c: Combiner): c is SparseCombiner {
  return typeof (c as SparseCombiner).combineSparse === 'function';
}

function gatherRows(x: Float32Array, cols: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * cols);
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i] * cols, (idx[i] + 1) * cols), i * cols);
  return out;
}

/** The largest backend high water each worker reported (a worker's backend serves all its tasks), MB. */
function highWaterByWorker(outputs: readonly TaskOutput<TrainExpertResult>[]): number[] {
  const top: number[] = [];
  for (const out of outputs) {
    const w = out.worker ?? 0;
    top[w] = Math.max(top[w] ?? 0, out.result.backendHighWater / 2 ** 20);
  }
  return Array.from(top, (v) => v ?? 0);
}

/** Node's peak RSS (resourceUsage reports kB); nothing in runtimes without it. */
function peakRss(): { peakRssMb?: number } {
  const usage = (globalThis as { process?: { resourceUsage?: () => { maxRSS: number } } }).process?.resourceUsage?.();
  return usage ? { peakRssMb: usage.maxRSS / 1024 } : {};
}
