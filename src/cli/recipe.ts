// The experiments behind the report: the seed's MNIST recipe and its better variants, the
// single model pruned as the experts are, and mixtures of experts, each measured against a
// single dense model trained on all the data (seed FAQ 3–4).
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { ExpertSpec } from '../experts/create.js';
import { MlpExpert } from '../experts/mlp.js';
import { accuracy, f1Score } from '../metrics/classification.js';
import type { CombineSpec, PartitionOptions } from '../model/options.js';
import { MoEModel } from '../model/moe-model.js';
import { trainPartitionMoE } from '../model/partition-moe.js';
import { SparseExpertModel } from '../model/sparse-expert-model.js';
import type { SparsitySpec } from '../model/train-task.js';
import type { Executor } from '../parallel/executor.js';
import { pruneNetwork } from '../sparsity/prune.js';
import { Progress } from './progress.js';

export interface Scores {
  accuracy: number;
  macro_f1: number;
  train_s: number;
  infer_ms: number;
}

export interface SingleResult extends Scores {
  parameters: number;
  flops_per_sample: number;
}

/** The single model pruned as the experts are (one-shot magnitude, global), then fine-tuned: the equal-FLOPs baseline. */
export interface PrunedSingleResult extends SingleResult {
  sparsity: number;
  fine_tune_epochs: number;
  /** Non-zero weights and biases. */
  non_zero: number;
}

/** A mixture of experts whose router and experts train together (init 'partition': warm-started from k-means experts). */
export interface MoEResult extends Scores {
  experts: number;
  k: number;
  init: 'random' | 'partition';
  /** All the mixture's parameters (router and every expert). */
  parameters: number;
  flops_per_sample: number;
  /** Rows per expert over the last epoch, as a fraction of the ideal (rows · k / E). */
  load_min: number;
  load_max: number;
}

export interface EnsembleResult extends Scores {
  partition: string;
  combine: string;
  sparsity: number;
  /** Mean non-zero parameters per expert and FLOPs per sample of the whole ensemble. */
  parameters: number;
  flops_per_sample: number;
  experts: { rows: number; accuracy?: number; sparsity: number; parameters: number; non_zero: number; wasm_high_water_mb: number }[];
}

export interface RecipeOptions {
  epochs: number;
  seed: number;
  workers: number;
  hidden: number[];
  experts: number;
  log: (line: string) => void;
}

const timed = async <T>(f: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
};

function scoresOf(pred: ArrayLike<number>, test: Dataset, train_s: number, infer_ms: number): Scores {
  return { accuracy: accuracy(test.y, pred), macro_f1: f1Score(test.y, pred, test.classes!, 'macro'), train_s, infer_ms };
}

/** One dense MLP on all the training data: the baseline every ensemble is measured against. The caller disposes the model. */
export async function single(train: Dataset, test: Dataset, o: RecipeOptions): Promise<{ result: SingleResult; model: MlpExpert }> {
  const mlp = new MlpExpert({ hidden: o.hidden, fit: { epochs: o.epochs } });
  const bar = new Progress('single');
  const [, ms] = await timed(() => mlp.fit(train, { seed: o.seed, onProgress: (f) => bar.update(0, f) }));
  bar.done();
  const [pred, inferMs] = await timed(() => mlp.predict(test.x, test.rows));
  return { result: { ...scoresOf(pred, test, ms / 1000, inferMs), parameters: mlp.parameterCount(), flops_per_sample: mlp.flopsPerSample() }, model: mlp };
}

/** The trained single model pruned by `prune` and fine-tuned, run through CSR; train_s counts its first training too. */
export async function prunedSingle(mlp: MlpExpert, first: SingleResult, train: Dataset, test: Dataset, prune: SparsitySpec, o: RecipeOptions): Promise<PrunedSingleResult> {
  const epochs = prune.fineTuneEpochs ?? 2 * o.epochs, bar = new Progress('single, pruned');
  const [, ms] = await timed(async () => {
    pruneNetwork(mlp.network(), prune);
    await mlp.fineTune(train, { epochs, seed: o.seed + 1, onProgress: (f) => bar.update(0, f) });
  });
  bar.done();
  const csr = mlp.network().compileSparse();
  const [pred, inferMs] = await timed(() => csr.predict(test.x, test.rows));
  csr.dispose();
  return {
    ...scoresOf(pred, test, first.train_s + ms / 1000, inferMs), parameters: mlp.parameterCount(), flops_per_sample: mlp.flopsPerSample(),
    sparsity: prune.sparsity ?? 0, fine_tune_epochs: epochs, non_zero: mlp.nonZeroCount(),
  };
}

/** A mixture trained jointly from a random start (MoEModel's defaults but no shared expert): E experts of the seed's shape (one hidden layer of o.hidden[0]), top-k. */
export async function moe(backend: Backend, train: Dataset, test: Dataset, spec: { experts: number; k: number }, o: RecipeOptions): Promise<MoEResult> {
  const model = new MoEModel({ ...spec, hidden: o.hidden[0], sharedExperts: 0, epochs: o.epochs, seed: o.seed, backend }), bar = new Progress(`moe ${spec.experts}×, top-${spec.k}`);
  try {
    const report = await model.fit(train, { onProgress: (p) => bar.update(0, p.fraction) });
    bar.done();
    const [pred, inferMs] = await timed(() => model.predict(test.x, test.rows));
    const load = report.router.at(-1);
    return {
      ...scoresOf(pred, test, report.seconds, inferMs), ...spec, init: 'random', parameters: report.parameters, flops_per_sample: report.flopsPerSample,
      load_min: load?.loadMin ?? Number.NaN, load_max: load?.loadMax ?? Number.NaN,
    };
  } finally {
    model.dispose();
  }
}

/** The seed's pipeline as the mixture's warm start: k-means experts in workers, a centroid router, joint fine-tuning (model/partition-moe.ts). */
export async function partitionMoE(backend: Backend, train: Dataset, test: Dataset, experts: number, o: RecipeOptions): Promise<MoEResult> {
  const bar = new Progress(`k-means → moe ${experts}×`), tune = new Progress(`k-means → moe ${experts}×, fine-tune`);
  const r = await trainPartitionMoE(train, {
    experts, hidden: o.hidden[0], epochs: o.epochs, workers: o.workers, seed: o.seed, backend,
    onProgress: (p) => (p.stage === 'experts' ? bar.update(p.expert!, p.fraction) : (bar.done(), tune.update(0, p.fraction))),
  });
  tune.done();
  const net = r.network;
  try {
    const [pred, inferMs] = await timed(() => net.predict(test.x, test.rows));
    const last = (key: string) => r.fineTune.history[`moe0/${key}`]?.at(-1) ?? Number.NaN;
    return {
      ...scoresOf(pred, test, r.seconds, inferMs), experts, k: 1, init: 'partition', parameters: net.parameterCount(), flops_per_sample: net.flopsPerSample(),
      load_min: last('loadMin'), load_max: last('loadMax'),
    };
  } finally {
    net.dispose();
  }
}

export interface EnsembleSpec {
  partition: PartitionOptions;
  expert?: ExpertSpec;
  sparsity?: SparsitySpec | null;
  /** The combiner trained with the experts, then the others evaluated on the same experts. */
  combine: CombineSpec[];
  workers?: number;
  /** Train the experts on this executor instead (it stays open). */
  executor?: Executor;
}

/** Train one ensemble, then score it under each combiner. */
export async function ensemble(train: Dataset, test: Dataset, spec: EnsembleSpec, o: RecipeOptions): Promise<{ results: EnsembleResult[]; model: SparseExpertModel; train_s: number; experts_s: number }> {
  const model = new SparseExpertModel({
    partition: spec.partition, experts: o.experts, seed: o.seed, workers: spec.workers ?? o.workers,
    expert: spec.expert ?? { kind: 'mlp', hidden: o.hidden, fit: { epochs: o.epochs } },
    sparsity: spec.sparsity ?? null, combine: spec.combine[0], holdout: 0.1,
  });
  const bar = new Progress(spec.partition.kind);
  const [report, ms] = await timed(() => model.fit(train, { executor: spec.executor, onProgress: (p) => bar.update(p.expert, p.fraction) }));
  bar.done();
  const results: EnsembleResult[] = [];
  for (const c of spec.combine) {
    await model.combineWith(c);
    const [pred, inferMs] = await timed(() => model.predict(test.x, test.rows));
    results.push({
      ...scoresOf(pred, test, ms / 1000, inferMs),
      partition: spec.partition.overlap ? `${spec.partition.kind} (overlap ${spec.partition.overlap})` : spec.partition.kind, combine: describeCombine(c), sparsity: spec.sparsity?.sparsity ?? 0,
      parameters: Math.round(report.experts.reduce((s, e) => s + e.nonZero, 0) / report.experts.length),
      flops_per_sample: model.flopsPerSample(),
      experts: report.experts.map((e) => ({ rows: e.rows, accuracy: e.holdoutAccuracy, sparsity: e.sparsity, parameters: e.parameters, non_zero: e.nonZero, wasm_high_water_mb: +e.backendHighWaterMb.toFixed(1) })),
    });
  }
  return { results, model, train_s: ms / 1000, experts_s: report.expertSeconds };
}

export function describeCombine(c: CombineSpec): string {
  if (c.kind === 'fixed' && c.weights) return `fixed [${c.weights.join(', ')}]`;
  if (c.kind === 'topk') return `top-${c.k ?? 2} gate`;
  return c.kind;
}

/** Dense vs CSR inference of a pruned model's experts on the same rows (median of 5). */
export function sparseSpeedup(model: SparseExpertModel, test: Dataset): { dense_ms: number; csr_ms: number; speedup: number } {
  const experts = model.expertList();
  const sparse = experts.map((e) => e.network().compileSparse());
  const time = (f: () => void) => {
    f();
    const ts = Array.from({ length: 5 }, () => {
      const t = performance.now();
      f();
      return performance.now() - t;
    }).sort((a, b) => a - b);
    return ts[2];
  };
  const dense_ms = time(() => experts.forEach((e) => e.predictProba(test.x, test.rows)));
  const csr_ms = time(() => sparse.forEach((s) => s.predictProba(test.x, test.rows)));
  sparse.forEach((s) => s.dispose());
  return { dense_ms, csr_ms, speedup: dense_ms / csr_ms };
}
