// A dataset as plain data: JSON-able sizes plus named typed arrays, the form it travels in
// inside a task (to a worker, a file or a job queue), and back.
import { fail } from '../errors.js';
import { type AnyDataset, isSparse, storageOf, validate } from './dataset.js';

export interface DatasetMeta {
  rows: number;
  cols: number;
  /** Set for classification; absent for regression. */
  classes?: number;
  /** Dense `x`, or CSR rows in `rowPtr`, `colIdx`, `values`. */
  format: 'dense' | 'csr';
  /** A u8 / u16 dense x's scale and offset (Dataset.scale / offset). */
  scale?: number;
  offset?: number;
}

export type DatasetBlobs = Record<string, Float32Array | Int32Array | Float64Array | Uint8Array | Uint16Array>;

/** The dataset's sizes and arrays (the arrays themselves, not copies; a view's whole x and its rowIds). */
export function datasetToParts(ds: AnyDataset): { meta: DatasetMeta; blobs: DatasetBlobs } {
  const meta: DatasetMeta = { rows: ds.rows, cols: ds.cols, format: isSparse(ds) ? 'csr' : 'dense', ...(ds.classes === undefined ? {} : { classes: ds.classes }), ...(isSparse(ds) ? {} : storageOf(ds)) };
  const blobs: DatasetBlobs = isSparse(ds) ? { rowPtr: ds.x.rowPtr, colIdx: ds.x.colIdx, values: ds.x.values } : { x: ds.x, ...(ds.rowIds ? { rowIds: ds.rowIds } : {}) };
  return { meta, blobs: { ...blobs, y: ds.y } };
}

/** The dataset back, checked as any user's dataset is (a part missing or of the wrong type → ERR_BAD_ARGUMENT). */
export function datasetFromParts(meta: DatasetMeta, blobs: DatasetBlobs): AnyDataset {
  const { rows, cols, classes, format, scale, offset } = meta ?? ({} as DatasetMeta);
  const y = classes === undefined ? part(blobs, 'y', Float32Array) : part(blobs, 'y', Int32Array);
  const base = { rows, cols, y, ...(classes === undefined ? {} : { classes }) };
  if (format === 'dense') {
    const x = blobs?.x;
    const stored = x instanceof Uint8Array || x instanceof Uint16Array;
    const view = blobs?.rowIds === undefined ? {} : { rowIds: part(blobs, 'rowIds', Int32Array) };
    return validate({ ...base, x: stored ? x : part(blobs, 'x', Float32Array), ...storageOf({ scale, offset }), ...view });
  }
  if (format !== 'csr') fail('ERR_BAD_ARGUMENT', `dataset format must be 'dense' or 'csr', got ${JSON.stringify(format)}`);
  const x = { rows, cols, rowPtr: part(blobs, 'rowPtr', Int32Array), colIdx: part(blobs, 'colIdx', Int32Array), values: part(blobs, 'values', Float32Array) };
  return validate({ ...base, x });
}

function part<T extends Float32Array | Int32Array>(blobs: DatasetBlobs, name: string, type: { new (n: number): T; name: string }): T {
  const v = blobs?.[name];
  if (!(v instanceof type)) fail('ERR_BAD_ARGUMENT', `the dataset's '${name}' must be a ${type.name}, got ${v === undefined ? 'nothing' : (v as object).constructor.name}`);
  return v as T;
}
