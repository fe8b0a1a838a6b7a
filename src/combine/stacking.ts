// Stacking: a meta-learner trained on the experts' concatenated outputs for rows they did
// not train on — held-out rows, or better every row out of fold (see out-of-fold.ts).
// By default scikit-learn's: logistic (softmax) regression, l2 with C = 1, solved to
// convergence, for classification; least squares for regression.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { Labels } from '../data/dataset.js';
import type { Expert } from '../experts/expert.js';
import { expertFromState } from '../experts/from-state.js';
import { LinearRegression } from '../experts/linear.js';
import { SoftmaxRegression } from '../experts/softmax.js';
import type { FitOptions } from '../train/fit.js';
import { type Combiner, type CombinerDescription, type CombinerJSON, checkOutputs, fitWarnings, taskOf, warned } from './combiner.js';

export interface StackingOptions {
  /** An untrained expert to use as the meta-learner, of the task's kind. */
  meta?: Expert;
  /** Options for the meta-learner's fit (seed, epochs, …). */
  fit?: FitOptions;
  /** The default classification meta-learner's per-row L2 (default: scikit-learn's C = 1); lr: train it by Adam instead, with this step size. */
  lr?: number;
  l2?: number;
  backend?: Backend;
}

export class Stacking implements Combiner {
  readonly kind = 'stacking' as const;
  private meta: Expert | null;
  private shape: { task: 'classification' | 'regression'; experts: number; width: number } | null = null;
  private warnings: string[] = [];

  constructor(private readonly options: StackingOptions = {}) {
    this.meta = options.meta ?? null;
  }

  async fit(outputs: readonly Float32Array[], y: Labels): Promise<void> {
    const rows = y.length, width = checkOutputs(outputs, rows), task = taskOf(y, rows, width);
    const { backend, lr, l2 } = this.options;
    this.meta ??= task === 'classification'
      ? new SoftmaxRegression({ backend, ...(l2 === undefined ? {} : { l2 }), ...(lr === undefined ? {} : { optimizer: { kind: 'adam', lr }, fit: { epochs: 100 } }) })
      : new LinearRegression({ backend, alpha: l2 });
    if (this.meta.task !== task) fail('ERR_BAD_ARGUMENT', `the meta-learner is a ${this.meta.task} model but the labels are for ${task}`);
    const x = concat(outputs, rows, width);
    await this.meta.fit({ x, rows, cols: outputs.length * width, y, ...(task === 'classification' ? { classes: width } : {}) }, { seed: 0, ...this.options.fit });
    this.shape = { task, experts: outputs.length, width };
    this.warnings = fitWarnings(y, width);
  }

  combine(outputs: readonly Float32Array[], rows: number): Float32Array {
    const { task, experts, width } = this.fitted();
    if (checkOutputs(outputs, rows, experts) !== width && rows > 0) fail('ERR_BAD_SHAPE', `stacking was fit on outputs of width ${width}`);
    if (rows === 0) return new Float32Array(0);
    const x = concat(outputs, rows, width);
    return task === 'classification' ? this.meta!.predictProba(x, rows) : Float32Array.from(this.meta!.predict(x, rows));
  }

  describe(): CombinerDescription {
    const { experts, width } = this.fitted();
    return { kind: this.kind, summary: `stacking: a ${this.meta!.kind} meta-learner over ${experts} experts' outputs (${experts * width} features)`, ...warned(this.warnings) };
  }

  dispose(): void {
    this.meta?.dispose();
    this.meta = null;
  }

  toJSON(): CombinerJSON {
    return { kind: 'stacking', ...this.fitted(), meta: this.meta!.toState() };
  }

  static fromJSON(json: CombinerJSON, backend: Backend): Stacking {
    if (json.kind !== 'stacking') fail('ERR_BAD_FILE', `not stacking: ${json.kind}`);
    const s = new Stacking({ meta: expertFromState(json.meta, backend) });
    s.shape = { task: json.task, experts: json.experts, width: json.width };
    return s;
  }

  private fitted(): { task: 'classification' | 'regression'; experts: number; width: number } {
    return this.shape ?? fail('ERR_NOT_FITTED', 'stacking: call fit() on held-out expert outputs first');
  }
}

/** rows × (N·width): row r is expert 0's output for r, then expert 1's, … */
function concat(outputs: readonly Float32Array[], rows: number, width: number): Float32Array {
  const n = outputs.length, x = new Float32Array(rows * n * width);
  for (let r = 0; r < rows; r++) for (let e = 0; e < n; e++) x.set(outputs[e].subarray(r * width, (r + 1) * width), (r * n + e) * width);
  return x;
}
