// The one interface every expert implements, whatever its kind, and the plain-data
// state an expert travels in (to and from workers, to files).
import type { CsrMatrix } from '../data/csr.js';
import type { AnyDataset } from '../data/dataset.js';
import type { RowSource } from '../data/source.js';
import type { TargetScale } from '../data/target-scale.js';
import type { FitOptions, History } from '../train/fit.js';

export type { ExpertKind } from './registry.js';
import type { ExpertKind } from './registry.js';
export type Task = 'classification' | 'regression';

export interface Expert {
  readonly kind: ExpertKind;
  readonly task: Task;
  /** Input features; known after fit (or from the config). */
  readonly inputs: number;
  /** Classes (classification) or 1 (regression). */
  readonly outputs: number;
  /** Dense or sparse (CSR) rows, or a source streamed in windows (gradient-trained experts; full-batch solvers refuse one). */
  fit(ds: AnyDataset | RowSource, options?: FitOptions): Promise<History>;
  /** Class probabilities, rows × classes (classification only); x is dense rows × inputs or a CSR. */
  predictProba(x: Float32Array | CsrMatrix, rows: number): Float32Array;
  /** Class ids (classification) or predicted targets (regression). */
  predict(x: Float32Array | CsrMatrix, rows: number): Int32Array | Float32Array;
  parameterCount(): number;
  /** Non-zero parameters (what a pruned expert really stores). */
  nonZeroCount(): number;
  /** FLOPs of one forward pass for one sample, counting only non-zero weights when sparse. */
  flopsPerSample(): number;
  /** Plain data (config + weights) to rebuild the expert with expertFromState(). */
  toState(): ExpertState;
  /** Free backend memory; the expert is unusable afterwards. */
  dispose(): void;
}

export interface ExpertState {
  kind: ExpertKind;
  config: Record<string, unknown>;
  inputs: number;
  outputs: number;
  /** Named tensors: weights, biases and (for pruned experts) masks. */
  tensors: { name: string; data: Float32Array }[];
  /** Regression trained on standardised targets: their mean and std, to map the network's outputs back. */
  target?: TargetScale;
}
