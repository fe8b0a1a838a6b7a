// The interface every combiner implements, the shape checks they share, and the dense
// weighted mixture Σₑ wₑ·outputₑ they all reduce to.
import { fail } from '../errors.js';
import type { Labels } from '../data/dataset.js';
import type { ExpertState } from '../experts/expert.js';

export type { CombinerKind } from './registry.js';
import type { CombinerKind } from './registry.js';

/**
 * Expert outputs are one Float32Array per expert: rows × classes probabilities
 * (classification) or rows × 1 predictions (regression). Combiners that learn are fit on
 * outputs for held-out rows (not the experts' own training rows) with y: Int32Array class
 * ids or Float32Array targets; those that look at the input also take x (rows × dims).
 */
export interface Combiner {
  readonly kind: CombinerKind;
  fit(outputs: readonly Float32Array[], y: Labels, x?: Float32Array): Promise<void>;
  /** rows × width: the combined probabilities or predictions. */
  combine(outputs: readonly Float32Array[], rows: number, x?: Float32Array): Float32Array;
  describe(): CombinerDescription;
  toJSON(): CombinerJSON;
  /** Free backend memory the combiner owns (a stacking meta-learner); unusable afterwards. */
  dispose?(): void;
}

/** Evaluates one expert on some rows (indices into the batch): count × width values. */
export type ExpertEvaluator = (expert: number, rows: Int32Array) => Float32Array | Promise<Float32Array>;

export interface SparseResult {
  output: Float32Array;
  /** Expert evaluations made (row × expert pairs). */
  evaluations: number;
  /** Row × expert pairs a dense combiner would have evaluated but this one did not. */
  saved: number;
  /** Rows each expert was evaluated on. */
  perExpert: number[];
}

/** Combiners that can skip experts: only the chosen experts run, on the rows routed to them. */
export interface SparseCombiner extends Combiner {
  combineSparse(x: Float32Array, rows: number, evaluate: ExpertEvaluator): Promise<SparseResult>;
}

export interface CombinerDescription {
  kind: CombinerKind;
  /** One line for a report. */
  summary: string;
  /** Per expert: the weight (fixed, convex) or the mean gate weight over the fit rows (gate, top-k). */
  weights?: number[];
  /** Per expert: the share of fit rows whose top choice it is (gate, top-k, hard routing). */
  load?: number[];
  /** The combiner's loss on its fit data (log-loss or MSE). */
  loss?: number;
  /** What to be wary of in the fit (too few rows per class, …); absent when nothing. */
  warnings?: string[];
}

export type GateJSON = { kind: 'gate'; experts: number; dims: number; W: number[]; b: number[]; mean: number[]; scale: number[]; loss: number; weights: number[]; load: number[] };
export type CombinerJSON =
  | { kind: 'fixed'; weights: number[] | null }
  | { kind: 'convex'; weights: number[]; loss: number }
  | GateJSON
  | { kind: 'topk'; k: number; gate: GateJSON }
  | { kind: 'hard'; experts: number; load: number[] | null }
  | { kind: 'stacking'; task: 'classification' | 'regression'; experts: number; width: number; meta: ExpertState };

/** Checks N ≥ 1 outputs of rows × width each (equal widths, finite values); returns width. */
export function checkOutputs(outputs: readonly Float32Array[], rows: number, experts?: number): number {
  if (!Array.isArray(outputs) || outputs.length === 0) fail('ERR_EMPTY', 'no expert outputs to combine');
  if (experts !== undefined && outputs.length !== experts) fail('ERR_BAD_SHAPE', `the combiner was fit for ${experts} experts, got ${outputs.length} outputs`);
  if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `rows must be an integer ≥ 0, got ${rows}`);
  const width = rows === 0 ? 1 : outputs[0].length / rows;
  if (!Number.isInteger(width) || width < 1) fail('ERR_BAD_SHAPE', `expert 0's output has ${outputs[0].length} values, not a whole number of values for each of ${rows} rows`);
  outputs.forEach((o, e) => {
    if (!(o instanceof Float32Array) || o.length !== rows * width) fail('ERR_BAD_SHAPE', `expert ${e}'s output has ${o?.length} values, expected ${rows} rows × ${width}`);
    for (let i = 0; i < o.length; i++) if (!Number.isFinite(o[i])) fail('ERR_NON_FINITE', `expert ${e}'s output at row ${Math.floor(i / width)} is ${o[i]}`);
  });
  return width;
}

/** x (rows × dims) for `rows` rows; returns dims. */
export function checkInput(x: Float32Array | undefined, rows: number, dims?: number): number {
  if (!x) return fail('ERR_BAD_ARGUMENT', 'this combiner looks at the input: pass x (rows × features)');
  const d = dims ?? (rows === 0 ? 0 : x.length / rows);
  if (!Number.isInteger(d) || x.length !== rows * d) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${dims ?? 'whole'} features`);
  return d;
}

/** The task the labels imply, checked against the output width. */
export function taskOf(y: Labels, rows: number, width: number): 'classification' | 'regression' {
  if (y.length !== rows) fail('ERR_BAD_SHAPE', `${y.length} labels for ${rows} rows of expert outputs`);
  if (rows === 0) fail('ERR_EMPTY', 'no held-out rows to fit the combiner on');
  if (y instanceof Float32Array) {
    if (width !== 1) fail('ERR_BAD_SHAPE', `float targets (regression) need expert outputs of width 1, got ${width}`);
    for (let i = 0; i < rows; i++) if (!Number.isFinite(y[i])) fail('ERR_NON_FINITE', `target at row ${i} is ${y[i]}`);
    return 'regression';
  }
  for (let i = 0; i < rows; i++) if (y[i] < 0 || y[i] >= width) fail('ERR_LABEL_RANGE', `label ${y[i]} at row ${i} is not a class in [0, ${width})`);
  return 'classification';
}

/** Below this many fit rows per class a learning combiner's weights are mostly noise. */
export const MIN_ROWS_PER_CLASS = 20;

/** Warnings about the rows a learning combiner is fit on: classes with fewer than MIN_ROWS_PER_CLASS. */
export function fitWarnings(y: Labels, width: number): string[] {
  if (y instanceof Float32Array) return y.length < MIN_ROWS_PER_CLASS ? [`only ${y.length} rows to fit the combiner on (fewer than ${MIN_ROWS_PER_CLASS})`] : [];
  const counts = new Array<number>(width).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  const few = counts.flatMap((n, c) => (n < MIN_ROWS_PER_CLASS ? [`${c}: ${n}`] : []));
  return few.length === 0 ? [] : [`fewer than ${MIN_ROWS_PER_CLASS} fit rows for class ${few.join(', ')}: hold out more rows (holdout) or use out-of-fold stacking`];
}

/** { warnings } for a description when there are any. */
export function warned(warnings: readonly string[]): { warnings?: string[] } {
  return warnings.length ? { warnings: [...warnings] } : {};
}

/** out[r] = Σₑ w[r][e]·outputs[e][r] with w rows × N (perRow) or one weight per expert. */
export function mixOutputs(outputs: readonly Float32Array[], rows: number, width: number, w: ArrayLike<number>, perRow: boolean): Float32Array {
  const n = outputs.length, out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let e = 0; e < n; e++) {
      const we = perRow ? w[r * n + e] : w[e];
      if (we === 0) continue;
      const o = outputs[e];
      for (let c = 0; c < width; c++) out[r * width + c] += we * o[r * width + c];
    }
  }
  return out;
}
