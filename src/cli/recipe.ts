// The experiments behind the report: the seed's MNIST recipe and its better variants, each
// measured against a single dense model trained on all the data (seed FAQ 3–4).
import type { Dataset } from '../data/dataset.js';
import type { ExpertSpec } from '../experts/create.js';
import { MlpExpert } from '../experts/mlp.js';
import { accuracy, f1Score } from '../metrics/classification.js';
import type { CombineSpec, PartitionOptions } from '../model/options.js';
import { SparseExpertModel } from '../model/sparse-expert-model.js';
import type { SparsitySpec } from '../model/train-task.js';
import type { Executor } from '../parallel/executor.js';
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

/** One dense MLP on all the training data: the baseline every ensemble is measured against. */
export async function single(train: Dataset, test: Dataset, o: RecipeOptions): Promise<SingleResult> {
  const mlp = new MlpExpert({ hidden: o.hidden, fit: { epochs: o.epochs } });
  const bar = new Progress('single');
  const [, ms] = await timed(() => mlp.fit(train, { seed: o.seed, onProgress: (f) => bar.update(0, f) }));
  bar.done();
  const [pred, inferMs] = await timed(() => mlp.predict(test.x, test.rows));
  const r = { ...scoresOf(pred, test, ms / 1000, inferMs), parameters: mlp.parameterCount(), flops_per_sample: mlp.flopsPerSample() };
  mlp.dispose();
  return r;
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
