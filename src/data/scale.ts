// Feature scaling as a fitted, saved step: x' = (x − offset) / scale per column, fit on
// the training rows and applied unchanged to every later row. 'standard' is
// scikit-learn's StandardScaler (mean, population standard deviation), 'minmax' its
// MinMaxScaler onto [0, 1]; a constant column keeps scale 1, as there. SparseExpertModel
// scales 'standard' safely (minStd: NEAR_CONSTANT_STD; MoEModel not yet, as that would move
// the bits of its published figures): a column nearly constant on the training
// rows is centred but not divided — 1 / std would turn the first unusual value it meets
// into thousands (300 MNIST digits: two pixels, each lit faintly in a row or two, have std
// < 1e-3, and held-out digits that light them become values up to 1,566).
import { fail } from '../errors.js';
import { type AnyDataset, type Dataset, type DenseX, floatRows, isSparse } from './dataset.js';

export type ScaleKind = 'standard' | 'minmax';

/**
 * The models' floor for dividing by a column's standard deviation, in the column's own units.
 * Features of real data in small units stay above it (breast cancer's smallest, 2.3e-3;
 * scikit-learn's unit-norm diabetes columns, 4.8e-2); data whose variation is meaningful
 * below it should be rescaled first. 1e-2 would also catch pixels lit in a few rows (300
 * digits: 14 columns), but then breast cancer's 5 smallest columns too.
 */
export const NEAR_CONSTANT_STD = 1e-3;

export interface ScalerOptions {
  /** 'standard': columns whose training std is below this are centred but not divided (default 0: scikit-learn's rule alone). */
  minStd?: number;
}

export interface ScalerJSON {
  kind: ScaleKind;
  offset: number[];
  scale: number[];
}

export abstract class FeatureScaler {
  abstract readonly kind: ScaleKind;
  protected state: { offset: Float64Array; scale: Float64Array } | null = null;

  /** Columns the scaler was fit on. */
  get cols(): number {
    return this.fitted().offset.length;
  }

  /** Learn offset and scale from rows × cols dense values (float64 sums). */
  fit(x: Float32Array, rows: number, cols: number): this {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) fail('ERR_EMPTY', `a scaler needs at least one row and column, got ${rows}×${cols}`);
    if (!(x instanceof Float32Array) || x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x?.length} values, expected ${rows} rows × ${cols} columns`);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) fail('ERR_NON_FINITE', `value at row ${Math.floor(i / cols)}, column ${i % cols} is ${x[i]}`);
    this.state = this.learn(x, rows, cols);
    return this;
  }

  /** fit() on a dataset's (dense) features. */
  fitDataset(ds: AnyDataset): this {
    return this.fit(denseX(ds), ds.rows, ds.cols);
  }

  /** Scaled copy of rows × cols values. */
  transform(x: Float32Array, rows: number): Float32Array {
    const { offset, scale } = this.fitted(), cols = offset.length;
    if (!(x instanceof Float32Array) || !Number.isInteger(rows) || rows < 0 || x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x?.length} values, expected ${rows} rows × ${cols} columns (the scaler's)`);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const c = i % cols;
      out[i] = (x[i] - offset[c]) / scale[c];
    }
    return out;
  }

  /** The dataset with scaled features (labels shared). */
  transformDataset<D extends AnyDataset>(ds: D): Dataset & Omit<D, 'x' | 'scale' | 'offset'> {
    const { scale: _scale, offset: _offset, ...rest } = ds as Dataset<DenseX>;
    return { ...rest, x: this.transform(denseX(ds), ds.rows) } as Dataset & Omit<D, 'x' | 'scale' | 'offset'>;
  }

  fitTransform(x: Float32Array, rows: number, cols: number): Float32Array {
    return this.fit(x, rows, cols).transform(x, rows);
  }

  toJSON(): ScalerJSON {
    const { offset, scale } = this.fitted();
    return { kind: this.kind, offset: Array.from(offset), scale: Array.from(scale) };
  }

  protected abstract learn(x: Float32Array, rows: number, cols: number): { offset: Float64Array; scale: Float64Array };

  private fitted(): { offset: Float64Array; scale: Float64Array } {
    return this.state ?? fail('ERR_NOT_FITTED', `${this.kind} scaler: call fit() on the training rows first`);
  }

  /** Rebuild from toJSON() output. */
  static fromJSON(json: ScalerJSON): FeatureScaler {
    const s = createScaler(json?.kind);
    const { offset, scale } = json;
    if (!Array.isArray(offset) || !Array.isArray(scale) || offset.length === 0 || offset.length !== scale.length
      || offset.some((v) => !Number.isFinite(v)) || scale.some((v) => !(v > 0) || !Number.isFinite(v))) {
      fail('ERR_BAD_FILE', 'scaler JSON needs equal-length finite offset and positive scale arrays');
    }
    s.state = { offset: Float64Array.from(offset), scale: Float64Array.from(scale) };
    return s;
  }
}

/** Zero mean, unit (population) variance per column. */
export class StandardScaler extends FeatureScaler {
  readonly kind = 'standard' as const;
  private readonly minStd: number;

  constructor(options: ScalerOptions = {}) {
    super();
    const { minStd = 0 } = options;
    if (!(minStd >= 0 && Number.isFinite(minStd))) fail('ERR_BAD_ARGUMENT', `minStd must be a finite number ≥ 0, got ${minStd}`);
    this.minStd = minStd;
  }

  protected learn(x: Float32Array, rows: number, cols: number): { offset: Float64Array; scale: Float64Array } {
    const mean = new Float64Array(cols), scale = new Float64Array(cols);
    for (let i = 0; i < x.length; i++) mean[i % cols] += x[i];
    for (let c = 0; c < cols; c++) mean[c] /= rows;
    for (let i = 0; i < x.length; i++) scale[i % cols] += (x[i] - mean[i % cols]) ** 2;
    for (let c = 0; c < cols; c++) {
      const std = Math.sqrt(scale[c] / rows);
      scale[c] = std < this.minStd ? 1 : unitIfFlat(std, mean[c]);
    }
    return { offset: mean, scale };
  }
}

/** Each column onto [0, 1] by its training minimum and maximum. */
export class MinMaxScaler extends FeatureScaler {
  readonly kind = 'minmax' as const;

  protected learn(x: Float32Array, _rows: number, cols: number): { offset: Float64Array; scale: Float64Array } {
    const min = new Float64Array(cols).fill(Infinity), max = new Float64Array(cols).fill(-Infinity);
    for (let i = 0; i < x.length; i++) {
      const c = i % cols;
      if (x[i] < min[c]) min[c] = x[i];
      if (x[i] > max[c]) max[c] = x[i];
    }
    const scale = new Float64Array(cols);
    for (let c = 0; c < cols; c++) scale[c] = unitIfFlat(max[c] - min[c], min[c]);
    return { offset: min, scale };
  }
}

export function createScaler(kind: ScaleKind, options: ScalerOptions = {}): FeatureScaler {
  if (kind === 'standard') return new StandardScaler(options);
  if (kind === 'minmax') return new MinMaxScaler();
  return fail('ERR_BAD_ARGUMENT', `scale must be 'standard' or 'minmax', got '${String(kind)}'`);
}

/** A spread at rounding level of the column's values counts as constant (scikit-learn's rule). */
function unitIfFlat(spread: number, level: number): number {
  return spread > 10 * Number.EPSILON * Math.max(1, Math.abs(level)) ? spread : 1;
}

function denseX(ds: AnyDataset): Float32Array {
  if (isSparse(ds)) fail('ERR_BAD_ARGUMENT', 'scaling centres columns, which would make sparse rows dense: scale sparse data yourself or leave it unscaled');
  return floatRows(ds);
}
