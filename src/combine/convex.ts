// Learned convex weights: the seed's y = α·y1 + (1 − α)·y2, generalised to N experts with
// α = softmax(θ) fit on held-out outputs (log-loss for classification, MSE for regression).
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { Labels } from '../data/dataset.js';
import { type Combiner, type CombinerDescription, type CombinerJSON, checkOutputs, fitWarnings, mixOutputs, taskOf, warned } from './combiner.js';
import { mixtureTargets } from './mixture-loss.js';
import { type GateTrainOptions, trainGate } from './train-gate.js';

export interface ConvexOptions extends GateTrainOptions {
  /** Where θ trains (default: getBackend()). */
  backend?: Backend;
}

export class LearnedWeights implements Combiner {
  readonly kind = 'convex' as const;
  private alpha: number[] | null = null;
  private loss = NaN;
  private warnings: string[] = [];

  constructor(private readonly options: ConvexOptions = {}) {}

  /** The learned α (≥ 0, summing to 1), one per expert. */
  get weights(): number[] {
    return [...(this.alpha ?? fail('ERR_NOT_FITTED', 'learned weights: call fit() on held-out expert outputs first'))];
  }

  async fit(outputs: readonly Float32Array[], y: Labels): Promise<void> {
    const width = checkOutputs(outputs, y.length);
    const { backend, ...train } = this.options;
    const { g, loss } = trainGate(mixtureTargets(outputs, y, width, taskOf(y, y.length, width)), null, 0, backend ?? (await getBackend()), { epochs: 500, ...train });
    // With no inputs every row's gate is softmax(θ): α is the first row, renormalised in
    // float64 so that it sums to 1 beyond float32 rounding.
    const first = Array.from(g.subarray(0, outputs.length)), sum = first.reduce((s, v) => s + v, 0);
    this.alpha = first.map((v) => v / sum);
    this.loss = loss;
    this.warnings = fitWarnings(y, width);
  }

  combine(outputs: readonly Float32Array[], rows: number): Float32Array {
    const alpha = this.weights;
    return mixOutputs(outputs, rows, checkOutputs(outputs, rows, alpha.length), alpha, false);
  }

  describe(): CombinerDescription {
    const w = this.weights;
    return { kind: this.kind, summary: `learned convex weights α = ${w.map((v) => v.toFixed(3)).join(', ')}`, weights: w, loss: this.loss, ...warned(this.warnings) };
  }

  toJSON(): CombinerJSON {
    return { kind: 'convex', weights: this.weights, loss: this.loss };
  }

  static fromJSON(json: { weights: number[]; loss: number }): LearnedWeights {
    const c = new LearnedWeights();
    if (!Array.isArray(json.weights) || json.weights.length === 0 || json.weights.some((w) => !(w >= 0))) fail('ERR_BAD_FILE', 'convex combiner JSON needs non-negative weights');
    c.alpha = [...json.weights];
    c.loss = json.loss;
    return c;
  }
}
