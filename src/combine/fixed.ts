// Fixed weights: the seed's α·y1 + (1 − α)·y2 with α chosen by hand, for N experts.
import { fail } from '../errors.js';
import type { Labels } from '../data/dataset.js';
import { type Combiner, type CombinerDescription, type CombinerJSON, checkOutputs, mixOutputs } from './combiner.js';

export interface FixedWeightsOptions {
  /** Divide the weights by their sum instead of requiring they sum to 1 (±1e-6). */
  normalize?: boolean;
}

export class FixedWeights implements Combiner {
  readonly kind = 'fixed' as const;
  /** null: uniform over however many experts are combined. */
  readonly weights: number[] | null;

  /** Weights must be finite and ≥ 0, and sum to 1 — or, with normalize, to anything > 0. */
  constructor(weights?: readonly number[], options: FixedWeightsOptions = {}) {
    if (weights === undefined) {
      this.weights = null;
      return;
    }
    if (weights.length === 0) fail('ERR_EMPTY', 'fixed weights: no weights given');
    const sum = weights.reduce((a, w, i) => {
      if (!Number.isFinite(w) || w < 0) fail('ERR_BAD_ARGUMENT', `fixed weight ${i} is ${w}; weights must be finite and ≥ 0`);
      return a + w;
    }, 0);
    if (options.normalize) {
      if (!(sum > 0)) fail('ERR_BAD_ARGUMENT', 'fixed weights sum to 0: nothing to normalise');
      this.weights = weights.map((w) => w / sum);
    } else {
      if (Math.abs(sum - 1) > 1e-6) fail('ERR_BAD_ARGUMENT', `fixed weights sum to ${sum}, not 1; pass { normalize: true } to divide them by their sum`);
      this.weights = [...weights];
    }
  }

  /** Nothing to learn: checks the shapes when outputs are given. */
  async fit(outputs: readonly Float32Array[], y: Labels): Promise<void> {
    if (outputs.length > 0) checkOutputs(outputs, y.length, this.weights?.length);
  }

  combine(outputs: readonly Float32Array[], rows: number): Float32Array {
    const width = checkOutputs(outputs, rows, this.weights?.length);
    return mixOutputs(outputs, rows, width, this.weights ?? outputs.map(() => 1 / outputs.length), false);
  }

  describe(): CombinerDescription {
    return { kind: this.kind, summary: this.weights ? `fixed weights ${this.weights.map((w) => w.toFixed(3)).join(', ')}` : 'uniform average of all experts', ...(this.weights ? { weights: [...this.weights] } : {}) };
  }

  toJSON(): CombinerJSON {
    return { kind: 'fixed', weights: this.weights ? [...this.weights] : null };
  }
}
