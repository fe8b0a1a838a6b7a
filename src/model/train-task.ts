// The unit of parallel work: "train expert i on its shard with seed s(i)", then sparsify.
// It runs the same in a worker and on the calling thread (workers: 0), and its result
// depends only on the payload — never on which worker ran it or when.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { type InitOptions, init } from '../backend/init.js';
import type { AnyDataset } from '../data/dataset.js';
import { type ExpertSpec, createExpert } from '../experts/create.js';
import type { ExpertState } from '../experts/expert.js';
import type { TaskContext } from '../parallel/registry.js';
import { gradualPruning } from '../sparsity/gradual.js';
import { type LayerPruneReport, type PruneSpec, pruneNetwork } from '../sparsity/prune.js';
import type { History } from '../train/fit.js';

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

export interface TrainExpertPayload {
  index: number;
  spec: ExpertSpec;
  sparsity: SparsitySpec | null;
  data: AnyDataset;
  seed: number;
  /** How to build the backend: the caller's compiled kernels, so every worker computes the same bits. */
  backend: InitOptions;
}

export interface TrainExpertResult {
  index: number;
  state: ExpertState;
  history: History;
  pruning: LayerPruneReport[] | null;
  seconds: number;
}

/** Backends already built in this thread, per kernel module (workers run many tasks). */
const backends = new WeakMap<object, Promise<Backend>>();

function backendFor(recipe: InitOptions): Promise<Backend> {
  const key = recipe.module ?? backends;
  let b = backends.get(key);
  if (!b) {
    b = init(recipe);
    backends.set(key, b);
  }
  return b;
}

export async function trainExpertTask(p: TrainExpertPayload, ctx: TaskContext): Promise<TrainExpertResult> {
  const started = performance.now();
  const backend = await backendFor(p.backend);
  const expert = createExpert(p.spec, backend);
  try {
    const sp = p.sparsity;
    const defaults = expert.fitDefaults;
    const epochs = defaults.epochs ?? 10;
    // Default fine-tune: half the training epochs (at least 2) — enough to recover at 90 %.
    const fineTune = sp && (sp.schedule ?? 'one-shot') === 'one-shot' ? sp.fineTuneEpochs ?? Math.max(2, Math.round(epochs / 2)) : 0;
    const total = epochs + fineTune;
    const progress = (offset: number, span: number) => (f: number) => ctx.onProgress({ index: p.index, fraction: (offset + f * span) / total });
    let gradual: ReturnType<typeof gradualPruning> | null = null;
    if (sp && sp.schedule === 'gradual') {
      if (sp.method !== 'magnitude') fail('ERR_BAD_ARGUMENT', "a gradual schedule prunes by magnitude: use method 'magnitude'");
      const batches = Math.ceil(p.data.rows / (defaults.batchSize ?? 32));
      const endStep = Math.max(1, Math.round(epochs * batches * (sp.rampFraction ?? 0.75)));
      gradual = gradualPruning(expert, { layers: sp.layers, scope: sp.scope }, {
        initial: sp.initialSparsity ?? 0, final: sp.sparsity ?? 0, beginStep: 0, endStep, frequency: Math.min(sp.frequency ?? 10, endStep),
      });
    }
    const history = await expert.fit(p.data, {
      seed: p.seed, signal: ctx.signal, onProgress: progress(0, epochs), callbacks: gradual?.callbacks,
    });
    let pruning: LayerPruneReport[] | null = gradual?.last ?? null;
    if (sp && !gradual) {
      pruning = pruneNetwork(expert.network(), sp);
      if (fineTune > 0) {
        await expert.fineTune(p.data, { epochs: fineTune, seed: p.seed + 1, signal: ctx.signal, onProgress: progress(epochs, fineTune) });
      }
    }
    return { index: p.index, state: expert.toState(), history, pruning, seconds: (performance.now() - started) / 1000 };
  } finally {
    expert.dispose();
  }
}
