// A regression model's targets, standardised for training and mapped back on prediction.
// An MSE head starts near 0 and Adam moves it by ≈ lr per step: targets in the hundreds
// (scikit-learn's diabetes: 25–346) are out of reach in the defaults' steps (measured: R²
// −3.9 for MoEModel, −4.6 for a dense MLP on raw diabetes targets; 0.32 standardised).
import { fail } from '../errors.js';
import type { AnyDataset } from './dataset.js';
import { type RowSource, sourceLabels } from './source.js';

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

/** fitTargetScale over a source's targets, in row order: the same bits as on its rows in memory (one pass). */
export async function fitSourceTargetScale(src: RowSource): Promise<TargetScale> {
  return fitTargetScale(await sourceLabels(src));
}

/** `t` from a saved file, checked: a finite mean and a finite std > 0. */
export function checkTargetScale(t: TargetScale): TargetScale {
  return Number.isFinite(t?.mean) && Number.isFinite(t?.std) && t.std > 0 ? t : fail('ERR_BAD_FILE', `a target scale needs a finite mean and a finite std > 0, got ${JSON.stringify(t)}`);
}

/** The dataset with standardised targets (features shared). */
export function scaleTargets<D extends AnyDataset>(ds: D, t: TargetScale): D {
  return { ...ds, y: scaled(ds.y, t) };
}

/** The source with standardised targets, block by block (it no longer travels by reference: its ref opens the raw rows). */
export function scaleSourceTargets(src: RowSource, t: TargetScale): RowSource {
  const { ref: _, blocks: __, ...shape } = src;
  return {
    ...shape,
    async *blocks() {
      for await (const block of src.blocks()) yield { ...block, y: scaled(block.y, t) };
    },
  };
}

/** Predictions on the targets' own scale, in place. */
export function unscaleTargets(p: Float32Array, t: TargetScale): Float32Array {
  for (let i = 0; i < p.length; i++) p[i] = p[i] * t.std + t.mean;
  return p;
}

function scaled(y: ArrayLike<number>, t: TargetScale): Float32Array {
  return Float32Array.from(y, (v) => (v - t.mean) / t.std);
}
