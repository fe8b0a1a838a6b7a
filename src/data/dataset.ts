// The dataset types every trainer takes: dense row-major features or sparse CSR rows,
// with integer class labels (classification, `classes` set) or float targets (regression).
import { fail } from '../errors.js';
import { type CsrMatrix, selectCsrColumns, takeCsrRows, validateCsr } from './csr.js';

export type Labels = Int32Array | Float32Array;

/** Dense features as stored: float32, or bytes / u16 (e.g. image pixels) kept at their size. */
export type DenseX = Float32Array | Uint8Array | Uint16Array;

/** Dense rows; `Dataset` alone is float32 features, `Dataset<DenseX>` any stored kind. */
export interface Dataset<X extends DenseX = Float32Array> {
  /** rows × cols features, row-major. */
  readonly x: X;
  /**
   * For a u8 / u16 x: each feature is f32(x)·scale + offset, an f32 multiply then an f32 add
   * (defaults 1 and 0; e.g. scale 1/255 for pixels in [0, 1]). A float32 x takes neither.
   */
  readonly scale?: number;
  readonly offset?: number;
  readonly rows: number;
  readonly cols: number;
  /** One label per row: class ids in [0, classes) when `classes` is set, else regression targets. */
  readonly y: Labels;
  /** Number of classes (classification); absent for regression. */
  readonly classes?: number;
  /**
   * Set on a view (rowsView): the dataset's rows are these rows of x, which holds
   * x.length / cols rows (e.g. one SharedArrayBuffer every expert's view reads); `rows` is
   * rowIds.length and y has one label per entry. Absent: x is exactly the rows, in order.
   */
  readonly rowIds?: Int32Array;
}

/** The same, with sparse rows (hashed bag-of-words and other text-like input). */
export interface SparseDataset {
  readonly x: CsrMatrix;
  readonly rows: number;
  readonly cols: number;
  readonly y: Labels;
  readonly classes?: number;
}

export type AnyDataset = Dataset<DenseX> | SparseDataset;

/**
 * Rows to predict: float32 rows × cols, CSR rows, or a dense dataset as it is stored — u8 /
 * u16 rows are widened a batch at a time, a view's rows read through its rowIds, never the
 * whole set converted.
 */
export type PredictRows = Float32Array | CsrMatrix | Dataset<DenseX>;

/** True for a dense dataset given as rows to predict. */
export function isDenseDataset(x: PredictRows): x is Dataset<DenseX> {
  return !(x instanceof Float32Array) && ArrayBuffer.isView((x as Dataset<DenseX>).x);
}

export function isSparse(ds: AnyDataset): ds is SparseDataset {
  return !ArrayBuffer.isView(ds.x);
}

export interface FromArraysOptions {
  /** 'classification' (default): integer labels → Int32Array; 'regression': Float32Array targets. */
  task?: 'classification' | 'regression';
  /** Number of classes; default max label + 1. */
  classes?: number;
}

/** Build a dense dataset from nested arrays; every row must have the same length. */
export function fromArrays(features: ArrayLike<ArrayLike<number>>, labels: ArrayLike<number>, options: FromArraysOptions = {}): Dataset {
  const rows = features.length;
  if (rows === 0) fail('ERR_EMPTY', 'fromArrays: no rows');
  if (labels.length !== rows) fail('ERR_BAD_SHAPE', `fromArrays: ${rows} feature rows but ${labels.length} labels`);
  const cols = features[0].length;
  const x = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = features[r];
    if (row.length !== cols) fail('ERR_BAD_SHAPE', `fromArrays: row ${r} has ${row.length} values, row 0 has ${cols}`);
    for (let c = 0; c < cols; c++) x[r * cols + c] = row[c];
  }
  if (options.task === 'regression') return validate({ x, rows, cols, y: Float32Array.from(labels) });
  let max = 0;
  for (let i = 0; i < rows; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) fail('ERR_LABEL_RANGE', `fromArrays: label ${v} at row ${i} is not an integer class id`);
    if (v > max) max = v;
  }
  return validate({ x, rows, cols, y: Int32Array.from(labels), classes: options.classes ?? max + 1 });
}

/**
 * Check shapes, finiteness and labels; returns the dataset so calls chain.
 * ERR_EMPTY (no rows or columns), ERR_BAD_SHAPE (x or y length), ERR_NON_FINITE (naming
 * row and column), ERR_LABEL_RANGE (a class id that is not an integer in [0, classes)).
 */
export function validate<D extends AnyDataset>(ds: D): D {
  const { rows, cols, y, classes } = ds;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) fail('ERR_BAD_SHAPE', `rows and cols must be integers ≥ 0, got ${rows}×${cols}`);
  if (rows === 0) fail('ERR_EMPTY', 'the dataset has no rows');
  if (cols === 0) fail('ERR_EMPTY', 'the dataset has no feature columns');
  if (isSparse(ds)) {
    if (ds.x.rows !== rows || ds.x.cols !== cols) fail('ERR_BAD_SHAPE', `sparse x is ${ds.x.rows}×${ds.x.cols}, dataset says ${rows}×${cols}`);
    validateCsr(ds.x);
  } else {
    const x = ds.x;
    if (!(x instanceof Float32Array || x instanceof Uint8Array || x instanceof Uint16Array)) fail('ERR_BAD_ARGUMENT', `dense x must be a Float32Array, Uint8Array or Uint16Array, got ${(x as object)?.constructor?.name}`);
    const ids = ds.rowIds;
    if (ids) checkRowIds(ids, rows, x.length / cols);
    else if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected rows×cols = ${rows}×${cols} = ${rows * cols}`);
    checkStorage(ds);
    if (x instanceof Float32Array) {
      for (let r = 0; r < rows; r++) {
        const at = (ids ? ids[r] : r) * cols;
        for (let c = 0; c < cols; c++) if (!Number.isFinite(x[at + c])) fail('ERR_NON_FINITE', `feature at row ${r}, column ${c} is ${x[at + c]}`);
      }
    }
  }
  if (y.length !== rows) fail('ERR_BAD_SHAPE', `y has ${y.length} labels for ${rows} rows`);
  if (classes === undefined) {
    for (let i = 0; i < rows; i++) if (!Number.isFinite(y[i])) fail('ERR_NON_FINITE', `target at row ${i} is ${y[i]}`);
  } else {
    if (!Number.isInteger(classes) || classes < 1) fail('ERR_BAD_ARGUMENT', `classes must be an integer ≥ 1, got ${classes}`);
    for (let i = 0; i < rows; i++) {
      const v = y[i];
      if (!Number.isInteger(v) || v < 0 || v >= classes) fail('ERR_LABEL_RANGE', `label ${v} at row ${i} is not an integer in [0, ${classes})`);
    }
  }
  return ds;
}

/** A view's row ids: one per row, each a row of x (which must hold whole rows). */
function checkRowIds(ids: Int32Array, rows: number, stored: number): void {
  if (!(ids instanceof Int32Array)) fail('ERR_BAD_ARGUMENT', `rowIds must be an Int32Array, got ${(ids as object)?.constructor?.name}`);
  if (!Number.isInteger(stored)) fail('ERR_BAD_SHAPE', `x has ${stored} rows' worth of values, not a whole number of rows`);
  if (ids.length !== rows) fail('ERR_BAD_SHAPE', `rowIds has ${ids.length} entries for ${rows} rows`);
  for (let i = 0; i < rows; i++) if (ids[i] < 0 || ids[i] >= stored) fail('ERR_BAD_ARGUMENT', `rowIds[${i}] = ${ids[i]} is outside x's ${stored} rows`);
}

/** scale and offset: finite numbers, and only on u8 / u16 features. */
export function checkStorage(ds: Pick<Dataset<DenseX>, 'x' | 'scale' | 'offset'>): void {
  const { scale, offset } = ds;
  if (scale === undefined && offset === undefined) return;
  if (ds.x instanceof Float32Array) fail('ERR_BAD_ARGUMENT', 'scale and offset describe u8 / u16 features; float32 features take neither (scale them yourself)');
  for (const [name, v] of [['scale', scale], ['offset', offset]] as const) {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) fail('ERR_BAD_ARGUMENT', `${name} must be a finite number, got ${v}`);
  }
}

/** The scale and offset that are set (none on float32 features), to carry over to a dataset made from another. */
export function storageOf(ds: { scale?: number; offset?: number }): { scale?: number; offset?: number } {
  return { ...(ds.scale === undefined ? {} : { scale: ds.scale }), ...(ds.offset === undefined ? {} : { offset: ds.offset }) };
}

/**
 * The features as float32: x itself when stored so, else each value widened as the batch
 * gather does (f32(v)·scale, then + offset, both rounded to f32). The one conversion every
 * reader that needs floats goes through.
 */
export function floatRows(ds: Dataset<DenseX>): Float32Array {
  const { x, rowIds: ids, rows, cols } = ds;
  if (x instanceof Float32Array && !ids) return x;
  const out = new Float32Array(rows * cols), k = Math.fround(ds.scale ?? 1), o = Math.fround(ds.offset ?? 0);
  for (let r = 0; r < rows; r++) {
    const from = (ids ? ids[r] : r) * cols, to = r * cols;
    if (x instanceof Float32Array) out.set(x.subarray(from, from + cols), to);
    else for (let c = 0; c < cols; c++) out[to + c] = Math.fround(x[from + c] * k) + o;
  }
  return out;
}

/** The features as the prediction calls take them: CSR rows as they are, dense rows as float32 (floatRows). */
export function featureRows(ds: AnyDataset): Float32Array | CsrMatrix {
  return isSparse(ds) ? ds.x : floatRows(ds);
}

/** The same dataset with float32 features (itself when they already are). */
export function toFloat32(ds: Dataset<DenseX>): Dataset;
export function toFloat32(ds: SparseDataset): SparseDataset;
export function toFloat32(ds: AnyDataset): Dataset | SparseDataset;
export function toFloat32(ds: AnyDataset): Dataset | SparseDataset {
  if (isSparse(ds)) return ds;
  if (ds.x instanceof Float32Array && !ds.rowIds) return ds as Dataset;
  const { scale: _s, offset: _o, rowIds: _r, ...rest } = ds;
  return { ...rest, x: floatRows(ds) };
}

function labelsLike(y: Labels, n: number): Labels {
  return y instanceof Int32Array ? new Int32Array(n) : new Float32Array(n);
}

/** The labels of the given rows, in that order. */
export function takeLabels(y: Labels, indices: ArrayLike<number>): Labels {
  const out = labelsLike(y, indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = y[indices[i]];
  return out;
}

/**
 * The given rows (in the given order, repeats allowed) as a new contiguous dataset; of a
 * view (rowIds set), a view of those rows — still no row copied.
 */
export function take<D extends AnyDataset>(ds: D, indices: ArrayLike<number>): D;
export function take(ds: AnyDataset, indices: ArrayLike<number>): AnyDataset {
  if (!isSparse(ds) && ds.rowIds) return rowsView(ds, indices);
  const n = indices.length;
  const y = takeChecked(ds, indices);
  const base = { rows: n, cols: ds.cols, y, ...(ds.classes === undefined ? {} : { classes: ds.classes }) };
  if (isSparse(ds)) return { ...base, x: takeCsrRows(ds.x, indices) };
  const cols = ds.cols;
  const x = denseLike(ds.x, n * cols);
  for (let i = 0; i < n; i++) x.set(ds.x.subarray(indices[i] * cols, (indices[i] + 1) * cols), i * cols);
  return { ...base, ...storageOf(ds), x };
}

/**
 * The given rows of a dense dataset as a view: the same x, read through an index list
 * (rowIds), with their labels. Experts on any thread train on views of one shared x.
 */
export function rowsView(ds: Dataset<DenseX>, indices: ArrayLike<number>): Dataset<DenseX> {
  const y = takeChecked(ds, indices), from = ds.rowIds;
  const rowIds = Int32Array.from(indices, (r) => (from ? from[r] : r));
  return { rows: indices.length, cols: ds.cols, y, ...(ds.classes === undefined ? {} : { classes: ds.classes }), ...storageOf(ds), x: ds.x, rowIds };
}

/** The labels of the given rows; every index must be a row of ds (ERR_BAD_ARGUMENT). */
function takeChecked(ds: AnyDataset, indices: ArrayLike<number>): Labels {
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= ds.rows) fail('ERR_BAD_ARGUMENT', `row index ${r} (at position ${i}) outside [0, ${ds.rows})`);
  }
  return takeLabels(ds.y, indices);
}

/** A zero array of the same stored kind. */
function denseLike(x: DenseX, n: number): DenseX {
  return new (x.constructor as new (n: number) => DenseX)(n);
}

/** The given feature columns (a feature-group expert's view), renumbered in the order given. */
export function selectColumns<D extends AnyDataset>(ds: D, columns: ArrayLike<number>): D;
export function selectColumns(ds: AnyDataset, columns: ArrayLike<number>): AnyDataset {
  const k = columns.length;
  const base = { rows: ds.rows, cols: k, y: ds.y.slice(), ...(ds.classes === undefined ? {} : { classes: ds.classes }) };
  if (isSparse(ds)) return { ...base, x: selectCsrColumns(ds.x, columns) };
  for (let j = 0; j < k; j++) {
    const c = columns[j];
    if (!Number.isInteger(c) || c < 0 || c >= ds.cols) fail('ERR_BAD_ARGUMENT', `column ${c} outside [0, ${ds.cols})`);
  }
  const x = denseLike(ds.x, ds.rows * k), ids = ds.rowIds;
  for (let r = 0; r < ds.rows; r++) {
    const src = (ids ? ids[r] : r) * ds.cols;
    for (let j = 0; j < k; j++) x[r * k + j] = ds.x[src + columns[j]];
  }
  return { ...base, ...storageOf(ds), x };
}

/** Class ids → rows × classes one-hot targets. */
export function oneHot(y: ArrayLike<number>, classes: number): Float32Array {
  if (!Number.isInteger(classes) || classes < 1) fail('ERR_BAD_ARGUMENT', `classes must be an integer ≥ 1, got ${classes}`);
  const out = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) fail('ERR_LABEL_RANGE', `label ${v} at row ${i} is not an integer in [0, ${classes})`);
    out[i * classes + v] = 1;
  }
  return out;
}
