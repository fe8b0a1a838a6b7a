// A regression model's targets, standardised for training and mapped back on prediction.
// An MSE head starts near 0 and Adam moves it by ≈ lr per step: targets in the hundreds
// (scikit-learn's diabetes: 25–346) are out of reach in the defaults' steps (measured: R²
// −3.9 for MoEModel, −4.6 for a dense MLP on raw diabetes targets; 0.32 standardised).
import { fail } from '../errors.js';
import type { Dataset } from '../data/dataset.js';

export interface TargetScale {
  mean: number;
  /** Population standard deviation; 1 for a constant target. */
  std: number;
}

/** Mean and standard deviation of `y` (float64 sums). */
export function fitTargetScale(y: ArrayLike<number>): TargetScale {
  let mean = 0, sq = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= Math.max(1, y.length);
  for (let i = 0; i < y.length; i++) sq += (y[i] - mean) ** 2;
  const std = Math.sqrt(sq / Math.max(1, y.length));
  return { mean, std: std > 0 ? std : 1 };
}

/** `t` from a saved file, checked: a finite mean and a finite std > 0. */
export function checkTargetScale(t: TargetScale): TargetScale {
  return Number.isFinite(t?.mean) && Number.isFinite(t?.std) && t.std > 0 ? t : fail('ERR_BAD_FILE', `a target scale needs a finite mean and a finite std > 0, got ${JSON.stringify(t)}`);
}

/** The dataset with standardised targets (features shared). */
export function scaleTargets(ds: Dataset, t: TargetScale): Dataset {
  return { ...ds, y: Float32Array.from(ds.y, (v) => (v - t.mean) / t.std) };
}

/** Predictions on the targets' own scale, in place. */
export function unscaleTargets(p: Float32Array, t: TargetScale): Float32Array {
  for (let i = 0; i < p.length; i++) p[i] = p[i] * t.std + t.mean;
  return p;
}
