// The same linear model in standardised coordinates: x' = (x − μ)/σ per column, W' = σ·W,
// b' = b + μᵀW, so x'·W' + b' = x·W + b row for row. Solving for (W', b') with the penalty
// rewritten — l1ⱼ' = l1/σⱼ, l2ⱼ' = l2/σⱼ² — reaches the same optimum (the same zeros: W'ⱼ = 0
// exactly when Wⱼ = 0) on raw features, whose scales and offsets leave the original problem
// too ill-conditioned for float32 products.
import type { Dataset } from '../data/dataset.js';
import { StandardScaler } from '../data/scale.js';

export class Standardised {
  readonly data: Dataset;
  private readonly mean: Float64Array;
  private readonly scale: Float64Array;

  constructor(ds: Dataset, private readonly outputs: number) {
    const scaler = new StandardScaler().fitDataset(ds), { offset, scale } = scaler.toJSON();
    this.mean = Float64Array.from(offset);
    this.scale = Float64Array.from(scale);
    this.data = scaler.transformDataset(ds);
  }

  /** (W, b) → (W', b'). */
  toStandard(theta: Float64Array): Float64Array {
    const { mean, scale, outputs: k } = this, cols = mean.length, out = Float64Array.from(theta);
    for (let j = 0; j < cols; j++) {
      for (let c = 0; c < k; c++) {
        out[j * k + c] = theta[j * k + c] * scale[j];
        out[cols * k + c] += mean[j] * theta[j * k + c];
      }
    }
    return out;
  }

  /** (W', b') → (W, b). */
  fromStandard(theta: Float64Array): Float64Array {
    const { mean, scale, outputs: k } = this, cols = mean.length, out = Float64Array.from(theta);
    for (let j = 0; j < cols; j++) {
      for (let c = 0; c < k; c++) {
        out[j * k + c] = theta[j * k + c] / scale[j];
        out[cols * k + c] -= mean[j] * out[j * k + c];
      }
    }
    return out;
  }

  /** Per-coordinate strengths on W' for a per-row strength on W: l1/σⱼ (power 1) or l2/σⱼ² (power 2). */
  penalty(strength: number, power: 1 | 2): Float64Array {
    const { scale, outputs: k } = this, out = new Float64Array(scale.length * k);
    for (let i = 0; i < out.length; i++) out[i] = strength / scale[Math.floor(i / k)] ** power;
    return out;
  }
}
