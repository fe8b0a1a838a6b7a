// The unit of parallel work: "train expert i on its shard with seed s(i)", then sparsify.
// Plain data in and out (a JSON spec, the shard and the weights as blobs): it runs the same
// on the calling thread, in a worker or from a job queue, and its result depends only on its
// input — never on which worker ran it or when.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { type KernelRef, backendFor, findKernelRef } from '../backend/identity.js';
import type { AnyDataset } from '../data/dataset.js';
import { type DatasetMeta, datasetFromParts, datasetToParts } from '../data/dataset-parts.js';
import { type RowSource, subsetSource } from '../data/source.js';
import { type SourceRef, openSource } from '../data/source-refs.js';
import { type ExpertSpec, createExpert } from '../experts/create.js';
import type { ExpertState } from '../experts/expert.js';
import { type TaskInput, type TaskOutput, defineTask } from '../parallel/task.js';
import { gradualPruning } from '../sparsity/gradual.js';
import { type LayerPruneReport, type PruneSpec, pruneNetwork } from '../sparsity/prune.js';
import type { Callbacks, History } from '../train/fit.js';

export interface SparsitySpec extends PruneSpec {
  /**
   * 'one-shot' (default): train, prune, then fine-tune `fineTuneEpochs` with masks kept.
   * 'gradual': prune during training on the polynomial schedule (Zhu & Gupta 2017),
   * from `initialSparsity` to `sparsity` over the first `rampFraction` of the steps.
   */
  schedule?: 'one-shot' | 'gradual';
  /** One-shot: epochs of fine-tuning after pruning (default half the training epochs, at least 2). */
  fineTuneEpochs?: number;
  initialSparsity?: number;
  rampFraction?: number;
  /** Re-prune every this many steps (gradual). */
  frequency?: number;
}

export interface TrainExpertSpec {
  index: number;
  expert: ExpertSpec;
  sparsity: SparsitySpec | null;
  seed: number;
  /**
   * The kernels to train with, by build and content hash: every worker computes the same bits.
   * null: the caller's kernels have no id, and the task runs only on the calling thread.
   */
  kernels: KernelRef | null;
  /** The shard as blobs, or rows of a source the task opens itself (their indices in the blob `rows`). */
  data: DatasetMeta | SourceRows;
}

export interface SourceRows {
  format: 'source';
  source: SourceRef;
}

/** Rows `rows` (ascending) of the source `source` names: the part an expert streams. */
export interface SourcePart {
  source: SourceRef;
  rows: Int32Array;
}

export interface TrainExpertResult {
  index: number;
  /** The expert's state; its tensors travel as the output's blobs, by name. */
  state: Omit<ExpertState, 'tensors'> & { tensors: string[] };
  history: History;
  pruning: LayerPruneReport[] | null;
  seconds: number;
  /** The largest wasm memory (bytes of live buffers) of the backend that trained it: a worker's, or the caller's. */
  backendHighWater: number;
}

/** The task's input: the spec, and the expert's shard as blobs (or the rows of a source it streams, by reference). */
export function trainExpertInput(spec: Omit<TrainExpertSpec, 'data'>, shard: AnyDataset | SourcePart): TaskInput<TrainExpertSpec> {
  if ('source' in shard) return { spec: { ...spec, data: { format: 'source', source: shard.source } }, blobs: { rows: shard.rows } };
  const { meta, blobs } = datasetToParts(shard);
  return { spec: { ...spec, data: meta }, blobs };
}

/** The expert's training rows: the shard from its blobs, or its part of a source, opened here. */
async function trainingRows(data: TrainExpertSpec['data'], blobs: TaskInput['blobs']): Promise<AnyDataset | RowSource> {
  if (data?.format !== 'source') return datasetFromParts(data, blobs);
  const rows = blobs.rows;
  if (!(rows instanceof Int32Array)) fail('ERR_BAD_ARGUMENT', "a task streaming a source needs its row indices as the Int32Array blob 'rows'");
  return subsetSource(await openSource(data.source), rows);
}

/** The trained expert's state from the task's output. */
export function trainedState({ result, blobs }: TaskOutput<TrainExpertResult>): ExpertState {
  const tensors = result.state.tensors.map((name) => {
    const data = blobs[name];
    if (!(data instanceof Float32Array)) fail('ERR_BAD_FILE', `the trained expert's tensor ${name} is missing from the task output`);
    return { name, data };
  });
  return { ...result.state, tensors };
}

/** The caller's own backend when it runs the very kernels the spec names (the calling thread), else those kernels. */
export async function taskBackend(ref: KernelRef | null, local: Backend | undefined): Promise<Backend> {
  if (local && (ref === null || findKernelRef(local)?.hash === ref.hash)) return local;
  if (ref === null) {
    fail('ERR_BAD_ARGUMENT', "the caller's kernels have no id (a Module without the sparse-experts stamp, or a backend not made by createBackend), so expert tasks can only run on the calling thread: use workers: 0, or load the package's own kernels");
  }
  return backendFor(ref);
}

export const trainExpert = defineTask<TrainExpertSpec, TrainExpertResult>('trainExpert', async ({ spec: p, blobs }, ctx) => {
  const started = performance.now();
  const data = await trainingRows(p.data, blobs);
  const backend = await taskBackend(p.kernels, ctx.backend);
  const expert = createExpert(p.expert, backend);
  try {
    const sp = p.sparsity;
    const plan = expert.fitOptions(data.rows);
    const { epochs } = plan;
    // Default fine-tune: half the training epochs (at least 2) — enough to recover at 90 %.
    const fineTune = sp && (sp.schedule ?? 'one-shot') === 'one-shot' ? sp.fineTuneEpochs ?? Math.max(2, Math.round(epochs / 2)) : 0;
    const total = epochs + fineTune;
    const progress = (offset: number, span: number) => (f: number) => ctx.onProgress({ index: p.index, fraction: (offset + f * span) / total });
    // Each finished epoch's training loss (and accuracy), for live curves; fine-tune epochs count on.
    const epochLogs = (offset: number): Callbacks['onEpochEnd'] => (epoch, logs) => {
      ctx.onProgress({ index: p.index, fraction: (offset + epoch + 1) / total, epoch: offset + epoch, loss: logs.loss, ...(logs.acc === undefined ? {} : { acc: logs.acc }) });
    };
    let gradual: ReturnType<typeof gradualPruning> | null = null;
    if (sp && sp.schedule === 'gradual') {
      if (sp.method !== 'magnitude') fail('ERR_BAD_ARGUMENT', "a gradual schedule prunes by magnitude: use method 'magnitude'");
      const batches = Math.ceil(data.rows / plan.batchSize);
      const endStep = Math.max(1, Math.round(epochs * batches * (sp.rampFraction ?? 0.75)));
      gradual = gradualPruning(expert, { layers: sp.layers, scope: sp.scope }, {
        initial: sp.initialSparsity ?? 0, final: sp.sparsity ?? 0, beginStep: 0, endStep, frequency: Math.min(sp.frequency ?? 10, endStep),
      });
    }
    const history = await expert.fit(data, {
      seed: p.seed, signal: ctx.signal, onProgress: progress(0, epochs), callbacks: { ...gradual?.callbacks, onEpochEnd: epochLogs(0) },
    });
    let pruning: LayerPruneReport[] | null = gradual?.last ?? null;
    if (sp && !gradual) {
      pruning = pruneNetwork(expert.network(), sp);
      if (fineTune > 0) {
        await expert.fineTune(data, { epochs: fineTune, batchSize: plan.batchSize, seed: p.seed + 1, signal: ctx.signal, onProgress: progress(epochs, fineTune), callbacks: { onEpochEnd: epochLogs(epochs) } });
      }
    }
    const { tensors, ...state } = expert.toState();
    return {
      result: { index: p.index, state: { ...state, tensors: tensors.map((t) => t.name) }, history, pruning, seconds: (performance.now() - started) / 1000, backendHighWater: backend.stats().highWater },
      blobs: Object.fromEntries(tensors.map((t) => [t.name, t.data])),
    };
  } finally {
    expert.dispose();
  }
});
