// SparseExpertModel's options, their defaults and checks.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { type CombinerSpec, combinerEntry } from '../combine/registry.js';
import type { ScaleKind } from '../data/scale.js';
import type { ExpertSpec } from '../experts/create.js';
import type { PartitionKind } from '../partition/partition.js';
import type { SparsitySpec } from './train-task.js';

export interface CombineSpec extends CombinerSpec {
  /**
   * stacking: fit the meta-learner on out-of-fold expert outputs of every training row from
   * this many folds (scikit-learn's StackingClassifier cv; default 5), or null to fit it on
   * the held-out rows. Each fold trains the experts once more.
   */
  cv?: number | null;
}
export type CombineKind = CombinerSpec['kind'];

export interface PartitionOptions {
  kind: PartitionKind;
  /** features: explicit column groups (default: `experts` contiguous groups). */
  groups?: number[][];
  /** features: allow a column in several groups. */
  allowOverlap?: boolean;
  /** kmeans: Lloyd iterations and tolerance. */
  maxIter?: number;
  tol?: number;
  /** kmeans: soft boundaries — a row also trains the experts of clusters within (1 + overlap)× its nearest distance. */
  overlap?: number;
}

export interface SparseExpertModelOptions {
  /** How rows (or columns) are split among experts; default 'contiguous' (numpy array_split, the seed's). */
  partition?: PartitionKind | PartitionOptions;
  /** Number of experts; default 5 (the seed's n_splits). */
  experts?: number;
  /** What each expert is; default the seed's MLP (Dense(512, relu) → Dense(softmax), Adam, batch 128, 10 epochs). */
  expert?: ExpertSpec;
  /** Weight sparsification after (or during) training; default none. */
  sparsity?: SparsitySpec | null;
  /** How expert outputs are combined; default learned convex weights. */
  combine?: CombineKind | CombineSpec;
  /**
   * Share of the training rows held out to fit the combiner: default 0.1 for a learning
   * combiner, none otherwise. Set it to keep rows out anyway (to try learning combiners later with combineWith).
   */
  holdout?: number;
  /**
   * Feature scaling fit on the training rows and applied to every row before the partition,
   * the experts and the combiner (saved with the model): 'standard' or 'minmax'; default none.
   * 'standard' centres but does not divide columns whose training std is below 1e-3
   * (NEAR_CONSTANT_STD, src/data/scale.ts). Tabular features in mixed units want 'standard'.
   */
  scale?: ScaleKind | null;
  /** Worker threads: 'auto' (default), a count, or 0 for the calling thread (edge runtimes). */
  workers?: 'auto' | number;
  seed?: number;
  /** A backend; default the library's (see init()). */
  backend?: Backend;
}

export interface ResolvedOptions {
  partition: PartitionOptions;
  experts: number;
  expert: ExpertSpec;
  sparsity: SparsitySpec | null;
  combine: CombineSpec;
  /** 0: no rows held out. */
  holdout: number;
  scale: ScaleKind | null;
  workers: 'auto' | number;
  seed: number;
}

export function resolveOptions(o: SparseExpertModelOptions): ResolvedOptions {
  const partition = typeof o.partition === 'string' ? { kind: o.partition } : o.partition ?? { kind: 'contiguous' as const };
  const combine = typeof o.combine === 'string' ? { kind: o.combine } : o.combine ?? { kind: 'convex' as const };
  const experts = o.experts ?? partition.groups?.length ?? 5;
  if (!Number.isInteger(experts) || experts < 1) fail('ERR_BAD_ARGUMENT', `experts must be a positive integer, got ${experts}`);
  // Out-of-fold stacking learns from every training row: nothing needs holding out.
  const learns = combinerEntry(combine.kind).learns && outOfFoldFolds(combine) === null;
  const holdout = o.holdout ?? (learns ? 0.1 : 0);
  if (!(holdout >= 0 && holdout < 1)) fail('ERR_BAD_ARGUMENT', `holdout must be in [0, 1), got ${holdout}`);
  if (holdout === 0 && learns) fail('ERR_BAD_ARGUMENT', `combiner '${combine.kind}' learns from held-out rows: holdout must be > 0`);
  if (combine.kind === 'hard' && partition.kind !== 'kmeans') {
    fail('ERR_BAD_ARGUMENT', "combine 'hard' routes each input to its cluster's expert: it needs partition 'kmeans'");
  }
  const workers = o.workers ?? 'auto';
  if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 0)) fail('ERR_BAD_ARGUMENT', `workers must be 'auto' or an integer ≥ 0, got ${workers}`);
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) fail('ERR_BAD_ARGUMENT', `seed must be an integer, got ${seed}`);
  const scale = o.scale ?? null;
  if (scale !== null && scale !== 'standard' && scale !== 'minmax') fail('ERR_BAD_ARGUMENT', `scale must be 'standard', 'minmax' or null, got '${String(scale)}'`);
  return { partition, experts, expert: o.expert ?? { kind: 'mlp' }, sparsity: o.sparsity ?? null, combine, holdout, scale, workers, seed };
}

/** The out-of-fold folds a combine spec asks for: stacking's cv (default 5), else null. */
export function outOfFoldFolds(combine: CombineSpec): number | null {
  if (combine.kind !== 'stacking') {
    if (combine.cv != null) fail('ERR_BAD_ARGUMENT', `cv is for combine 'stacking', not '${combine.kind}'`);
    return null;
  }
  const cv = combine.cv === undefined ? 5 : combine.cv;
  if (cv !== null && (!Number.isInteger(cv) || cv < 2)) fail('ERR_BAD_ARGUMENT', `stacking cv must be an integer ≥ 2 or null, got ${cv}`);
  return cv;
}
