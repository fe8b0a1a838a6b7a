// A jointly trained mixture of experts as a model: one MoE layer (router + E experts, each
// inputs → hidden → outputs) under a softmax head (classification) or an MSE head
// (regression), trained by backpropagation through router and experts together. Same
// surface as SparseExpertModel (fit / predict / predictProba / toState / fromState /
// save / load), plus the router's statistics: per epoch in fit's logs and onProgress, and
// routerStats(x) for any rows.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import { type Dataset, type AnyDataset, isSparse, validate } from '../data/dataset.js';
import { Rng } from '../data/prng.js';
import { FeatureScaler, type ScalerJSON, createScaler } from '../data/scale.js';
import { readContainer, writeContainer } from '../io/container.js';
import { flatten, unflatten } from '../io/tree.js';
import { MoE, registerMoELayer } from '../moe/moe-layer.js';
import { type Evaluation, type NamedTensor, Network, type NetworkSpec } from '../nn/network.js';
import type { LayerSpec } from '../nn/layer.js';
import { Optimizer } from '../nn/optimizer.js';
import { type Callbacks, type History, type Logs, fitNetwork } from '../train/fit.js';
import { type MoEModelOptions, type ResolvedMoEModelOptions, resolveMoEModelOptions } from './moe-options.js';
import { type Schedule, moeSchedule } from './moe-schedule.js';
import { ExpertHits, MoETrainable, rightRows } from './moe-training.js';
import { type TargetScale, checkTargetScale, fitTargetScale, scaleTargets, unscaleTargets } from '../data/target-scale.js';

export type { MoEModelOptions, ResolvedMoEModelOptions } from './moe-options.js';

/** The router over a set of rows: an epoch's training batches, or routerStats(x). */
export interface RouterReport {
  /** Rows each expert took (token choice: assignments kept; expert choice: its c rows per batch). */
  rowsPerExpert: number[];
  /** Smallest and largest load as a multiple of the ideal (assignments / E): 1 and 1 when even. */
  loadMin: number;
  loadMax: number;
  /** Share of assignments cut by the capacity, and of rows no expert took. */
  droppedShare: number;
  unroutedShare: number;
  /** Mean router entropy in nats: log E when uniform, 0 when every row is sure. */
  entropy: number;
  /** The balance loss E·Σ fᵢ·Pᵢ (1 at uniform routing) and the z-loss mean lse², before their coefficients; per batch. */
  balanceLoss: number;
  zLoss: number;
  /** Classification: the model's accuracy on the rows each expert took (null if it took none). */
  expertAccuracy?: (number | null)[];
}

export interface MoEProgress {
  /** Of all epochs, in [0, 1]. */
  fraction: number;
  /** Set when an epoch ended: its index, training loss and accuracy, and its router statistics. */
  epoch?: number;
  loss?: number;
  acc?: number;
  router?: RouterReport;
}

export interface MoEFitOptions {
  signal?: AbortSignal;
  onProgress?: (p: MoEProgress) => void;
  /** fit's callbacks (onEpochEnd gets the logs with the router's `moe0/…` keys). */
  callbacks?: Callbacks;
}

export interface MoEFitReport {
  history: History;
  /** The router per epoch (training batches). */
  router: RouterReport[];
  seconds: number;
  parameters: number;
  /** Parameters a row runs through: the router, k experts (token choice) and the shared ones. */
  activeParameters: number;
  flopsPerSample: number;
  /** The epochs and batch size fit ran: the options', or from the training rows where unset. */
  schedule: Schedule;
}

export interface MoEModelState {
  options: ResolvedMoEModelOptions;
  task: 'classification' | 'regression';
  network: NetworkSpec<LayerSpec>;
  tensors: NamedTensor[];
  scaler: ScalerJSON | null;
  /** Regression: how the targets were standardised for training (absent from older files: none). */
  target?: TargetScale | null;
}

const FILE_KIND = 'moe-model';
const BATCH = 512;

export class MoEModel {
  readonly options: ResolvedMoEModelOptions;
  private backend: Backend | null;
  private net: Network | null = null;
  private scaler: FeatureScaler | null = null;
  private target: TargetScale | null = null;
  private task: 'classification' | 'regression' = 'classification';

  constructor(options: MoEModelOptions = {}) {
    this.options = resolveMoEModelOptions(options);
    this.backend = options.backend ?? null;
  }

  /** Train router and experts together on `ds` (dense rows; class labels or float targets). */
  async fit(ds: Dataset, opts: MoEFitOptions = {}): Promise<MoEFitReport> {
    validate(ds as AnyDataset);
    if (isSparse(ds as AnyDataset)) fail('ERR_BAD_ARGUMENT', 'MoEModel takes dense rows: convert sparse data with csrToDense');
    const started = performance.now(), o = this.options;
    const backend = (this.backend ??= await getBackend());
    this.dispose();
    this.task = ds.classes === undefined ? 'regression' : 'classification';
    if (o.scale) {
      this.scaler = createScaler(o.scale).fitDataset(ds);
      ds = this.scaler.transformDataset(ds);
    }
    if (this.task === 'regression') ds = scaleTargets(ds, (this.target = fitTargetScale(ds.y)));
    registerMoELayer();
    const units = this.task === 'classification' ? ds.classes! : 1;
    const net = (this.net = new Network(backend, { inputs: ds.cols, layers: [{ ...o.moe, units }], head: this.task === 'classification' ? 'softmax' : 'mse' }));
    // fork(1): fit's own stream draws the shuffle from Rng(seed), and noise from fork(2).
    net.initialize(new Rng(o.seed).fork(1));
    const moe = this.layer(), opt = new Optimizer(backend, o.optimizer), router: RouterReport[] = [];
    const schedule = moeSchedule(ds.rows - Math.floor(ds.rows * o.validationSplit), o);
    try {
      const history = await fitNetwork(new MoETrainable(net, moe), opt, ds, {
        ...schedule, seed: o.seed, validationSplit: o.validationSplit, signal: opts.signal,
        onProgress: opts.onProgress && ((fraction) => opts.onProgress!({ fraction })),
        callbacks: {
          ...opts.callbacks,
          onEpochEnd: async (epoch, logs) => {
            const r = routerReport(logs, moe, this.task === 'classification');
            router.push(r);
            opts.onProgress?.({ fraction: (epoch + 1) / schedule.epochs, epoch, loss: logs.loss, acc: logs.acc, router: r });
            await opts.callbacks?.onEpochEnd?.(epoch, logs);
          },
        },
      });
      return {
        history, router, seconds: (performance.now() - started) / 1000, parameters: net.parameterCount(),
        activeParameters: this.activeParameters(), flopsPerSample: net.flopsPerSample(), schedule,
      };
    } catch (err) {
      this.dispose(); // a failed fit leaves no half-trained model behind
      throw err;
    } finally {
      opt.dispose();
    }
  }

  /** Class probabilities (rows × classes), or predictions (rows × 1) for regression. */
  async predictProba(x: Float32Array, rows: number): Promise<Float32Array> {
    const net = this.fitted(), xs = this.scaled(x, rows);
    return this.task === 'classification' ? net.predictProba(xs, rows) : this.unscaled(net.headOutputs(xs, rows));
  }

  /** Class ids, or predicted targets for regression. */
  async predict(x: Float32Array, rows: number): Promise<Int32Array | Float32Array> {
    const p = this.fitted().predict(this.scaled(x, rows), rows);
    return p instanceof Float32Array ? this.unscaled(p) : p;
  }

  /** Mean head loss (cross-entropy or MSE) and, for classification, accuracy. */
  async evaluate(ds: Dataset): Promise<Evaluation> {
    const net = this.fitted();
    validate(ds as AnyDataset);
    this.checkInput(ds.x, ds.rows);
    const scaled = this.scaler ? this.scaler.transformDataset(ds) : ds;
    if (!this.target) return net.evaluate(scaled);
    const e = net.evaluate(scaleTargets(scaled, this.target));
    return { ...e, loss: e.loss * this.target.std ** 2 }; // the MSE in the targets' own units
  }

  /** How the router splits `rows` rows of x (inference routing); with labels `y`, each expert's accuracy on its rows. */
  routerStats(x: Float32Array, rows: number, y?: ArrayLike<number>): RouterReport {
    const net = this.fitted(), moe = this.layer(), b = net.backend, xs = this.scaled(x, rows);
    const classify = y !== undefined && this.task === 'classification';
    if (y !== undefined && y.length !== rows) fail('ERR_BAD_SHAPE', `y has ${y.length} labels for ${rows} rows`);
    const hits = new ExpertHits(moe.experts.length), cols = net.inputs;
    const { stats } = moe.probe(() => {
      for (let start = 0; start < rows; start += BATCH) {
        const n = Math.min(BATCH, rows - start), buf = b.upload(xs.subarray(start * cols, (start + n) * cols));
        try {
          net.forward(buf, n);
          if (classify) hits.add(moe.plan!, rightRows(moe, Array.from({ length: n }, (_, i) => y[start + i]), n));
        } finally {
          b.free(buf);
        }
      }
      net.release();
    });
    const logs = Object.fromEntries(Object.entries(stats).map(([k, v]) => [`${moe.name}/${k}`, v])) as Logs;
    if (classify) hits.read().forEach((a, e) => a !== null && (logs[`${moe.name}/expert${e}Acc`] = a));
    return routerReport(logs, moe, classify);
  }

  /** Inference FLOPs per row: the router and the experts a row runs. */
  flopsPerSample(): number {
    return this.fitted().flopsPerSample();
  }

  /** The trained model as plain data and typed arrays. */
  toState(): MoEModelState {
    const net = this.fitted();
    return { options: this.options, task: this.task, network: net.toSpec(), tensors: net.tensors(), scaler: this.scaler?.toJSON() ?? null, target: this.target };
  }

  /** A model from toState(): it predicts bit for bit as the original. */
  static async fromState(state: MoEModelState, backend?: Backend): Promise<MoEModel> {
    const b = backend ?? (await getBackend());
    const { moe, ...rest } = state.options;
    const m = new MoEModel({ ...rest, ...moe, backend: b });
    try {
      registerMoELayer();
      m.task = state.task;
      m.scaler = state.scaler ? FeatureScaler.fromJSON(state.scaler) : null;
      m.target = state.target ? checkTargetScale(state.target) : null;
      m.net = new Network(b, state.network);
      m.layer();
      m.net.loadTensors(state.tensors);
      return m;
    } catch (err) {
      m.dispose();
      throw err;
    }
  }

  /** The trained model as bytes (the same model gives the same bytes on every runtime). */
  save(): Uint8Array {
    const { tree, tensors, arrays } = flatten(this.toState());
    return writeContainer({ format: 'sparse-experts', kind: FILE_KIND, arrays, state: tree }, tensors);
  }

  /** A model from save() bytes. Bad bytes → ERR_BAD_FILE. */
  static async load(bytes: Uint8Array | ArrayBuffer, backend?: Backend): Promise<MoEModel> {
    const { header, tensors } = readContainer(bytes);
    if (header.format !== 'sparse-experts' || header.kind !== FILE_KIND) fail('ERR_BAD_FILE', `not a saved MoEModel (format ${JSON.stringify(header.format)}, kind ${JSON.stringify(header.kind)})`);
    try {
      return await MoEModel.fromState(unflatten(header.state, tensors, header.arrays) as MoEModelState, backend);
    } catch (err) {
      return fail('ERR_BAD_FILE', `the file's MoEModel state is invalid: ${(err as Error)?.message ?? String(err)}`, err);
    }
  }

  /** The MoE layer (e.g. for its router or experts' parameters). */
  layer(): MoE {
    const l = this.fitted().layers[0];
    return l instanceof MoE ? l : fail('ERR_BAD_FILE', `the network's first layer is '${l.kind}', not a moe layer`);
  }

  dispose(): void {
    this.net?.dispose();
    this.net = null;
    this.scaler = null;
    this.target = null;
  }

  private activeParameters(): number {
    const moe = this.layer(), s = moe.spec(), per = moe.experts[0].params().reduce((a, p) => a + p.length, 0);
    const active = s.routing === 'token' ? s.k : Math.min(s.capacityFactor!, s.experts);
    return moe.router.length + active * per + (moe.shared?.params().reduce((a, p) => a + p.length, 0) ?? 0);
  }

  private fitted(): Network {
    return this.net ?? fail('ERR_NOT_FITTED', 'this model is not trained yet: call fit() first');
  }

  private checkInput(x: Float32Array, rows: number): void {
    const cols = this.fitted().inputs;
    if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `rows must be an integer ≥ 0, got ${rows}`);
    if (!(x instanceof Float32Array)) fail('ERR_BAD_ARGUMENT', 'MoEModel takes dense rows (a Float32Array)');
    if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${cols} features`);
  }

  private unscaled(p: Float32Array): Float32Array {
    return this.target ? unscaleTargets(p, this.target) : p;
  }

  private scaled(x: Float32Array, rows: number): Float32Array {
    this.checkInput(x, rows);
    return this.scaler ? this.scaler.transform(x, rows) : x;
  }
}

/** The `moe0/…` keys of fit's logs (or a probe's) as a RouterReport. */
function routerReport(logs: Logs, moe: MoE, classify: boolean): RouterReport {
  const at = (k: string): number => logs[`${moe.name}/${k}`] ?? 0, E = moe.experts.length;
  const r: RouterReport = {
    rowsPerExpert: Array.from({ length: E }, (_, e) => at(`expert${e}Rows`)),
    loadMin: at('loadMin'), loadMax: at('loadMax'), droppedShare: at('droppedShare'), unroutedShare: at('unroutedShare'),
    entropy: at('routerEntropy'), balanceLoss: at('balanceLoss'), zLoss: at('zLoss'),
  };
  if (classify) r.expertAccuracy = Array.from({ length: E }, (_, e) => logs[`${moe.name}/expert${e}Acc`] ?? null);
  return r;
}
