// Batches of rows in backend memory. Dense rows: a training set within RESIDENT_BYTES (as
// stored: u8 / u16 stay bytes / u16s) is uploaded once — a view's rows only — and each batch
// gathered from it by the (thread-cut) gather kernels; a larger one never lives there whole
// (it may be many experts' shared rows read through a view's rowIds): each batch's rows are
// copied from the host, then u8 / u16 widened to f32 by a kernel. Sparse rows: each batch is
// sliced from the host CSR (and, for training, transposed) into grow-only buffers, so wasm
// memory grows only when a batch holds more non-zeros than any before it.
import type { Backend, Buf, Csr, F32, I32, U16, U8 } from '../backend/backend.js';
import type { CsrMatrix } from '../data/csr.js';
import { type AnyDataset, type Dataset, type DenseX, type PredictRows, type SparseDataset, isDenseDataset, isSparse } from '../data/dataset.js';
import { SparseExpertsError } from '../errors.js';
import type { LayerInput, SparseRows } from './layer.js';

export interface Batches<T> {
  /** The rows `ids` (training) or `ids` in order (prediction) as the network's input. */
  load(ids: Int32Array): T;
  dispose(): void;
}

/**
 * Backend memory a dense training set's rows may hold for a whole fit, as stored (64 MiB:
 * e.g. 21,000 float32 or 85,000 u8 rows of 784). Gathering a batch in wasm beats copying its
 * rows from the host — most on the shared-memory builds, where the copy is serial and slower
 * and the gather is cut across the threads — at the price of the set's bytes in wasm memory.
 */
export const RESIDENT_BYTES = 64 * 2 ** 20;

/**
 * Training batches of at most `batchSize` rows of `ds`, sparse ones with their transpose.
 * Dense rows of at most `residentBytes` (default 0: never) are uploaded once, for batches
 * loaded many times (epochs); otherwise each batch is copied from the host.
 */
export function trainingBatches(b: Backend, ds: SparseDataset, batchSize: number, residentBytes?: number): Batches<Required<SparseRows>>;
export function trainingBatches(b: Backend, ds: Dataset<DenseX>, batchSize: number, residentBytes?: number): Batches<F32>;
export function trainingBatches(b: Backend, ds: AnyDataset, batchSize: number, residentBytes?: number): Batches<F32 | SparseRows>;
export function trainingBatches(b: Backend, ds: AnyDataset, batchSize: number, residentBytes = 0): Batches<F32 | SparseRows> {
  if (isSparse(ds)) {
    const x = new CsrStage(b, batchSize), xT = new CsrStage(b, ds.cols);
    return {
      load: (ids) => {
        x.gather(ds.x, ids);
        return { x: x.upload(), xT: xT.transposeOf(x).upload() };
      },
      dispose: () => (x.dispose(), xT.dispose()),
    };
  }
  const resident = ds.rows * ds.cols * ds.x.BYTES_PER_ELEMENT <= residentBytes ? residentBatches(b, ds, batchSize) : null;
  if (resident) return resident;
  const x = ds.x, cols = ds.cols, batch = b.alloc(batchSize * cols);
  // A view's rows are rows rowIds of x.
  const view = ds.rowIds, at = (id: number) => (view ? view[id] : id) * cols;
  if (x instanceof Float32Array) {
    return {
      load: (ids) => {
        const to = b.view(batch);
        for (let i = 0; i < ids.length; i++) to.set(x.subarray(at(ids[i]), at(ids[i]) + cols), i * cols);
        return batch;
      },
      dispose: () => b.free(batch),
    };
  }
  // Stored bytes / u16s are copied as they are, then widened to f32 by the kernel.
  const stage = x instanceof Uint8Array ? b.alloc(batchSize * cols, 'u8') : b.alloc(batchSize * cols, 'u16');
  const order = b.upload(Int32Array.from({ length: batchSize }, (_, i) => i));
  const scale = ds.scale ?? 1, offset = ds.offset ?? 0;
  return {
    load: (ids) => {
      const to = b.view(stage as U8) as Uint8Array | Uint16Array;
      for (let i = 0; i < ids.length; i++) to.set(x.subarray(at(ids[i]), at(ids[i]) + cols), i * cols);
      b.gatherRowsWiden(stage, cols, order, ids.length, batch, scale, offset);
      return batch;
    },
    dispose: () => [stage, order, batch].forEach((buf) => b.free(buf)),
  };
}

/**
 * Batches gathered by a kernel from the rows of `ds` (a view's rows, in view order) uploaded as
 * stored; null when the backend's memory cannot hold them (a capped maximum): the fit then
 * copies each batch, as a larger set does.
 */
function residentBatches(b: Backend, ds: Dataset<DenseX>, batchSize: number): Batches<F32> | null {
  const { x, rows, cols } = ds, view = ds.rowIds;
  const bufs: Buf[] = [];
  try {
    const stored = x instanceof Float32Array ? b.alloc(rows * cols) : x instanceof Uint8Array ? b.alloc(rows * cols, 'u8') : b.alloc(rows * cols, 'u16');
    bufs.push(stored);
    const to = b.view(stored as U8) as DenseX;
    if (view) for (let i = 0; i < rows; i++) to.set(x.subarray(view[i] * cols, (view[i] + 1) * cols), i * cols);
    else to.set(x);
    const idx = b.alloc(batchSize, 'i32'), batch = b.alloc(batchSize * cols);
    bufs.push(idx, batch);
    const scale = ds.scale ?? 1, offset = ds.offset ?? 0;
    return {
      load: (ids) => {
        b.write(idx, ids);
        if (stored.dtype === 'f32') b.gatherRows(stored as F32, cols, idx, ids.length, batch);
        else b.gatherRowsWiden(stored as U8 | U16, cols, idx, ids.length, batch, scale, offset);
        return batch;
      },
      dispose: () => bufs.forEach((buf) => b.free(buf)),
    };
  } catch (err) {
    bufs.forEach((buf) => b.free(buf)); // rows too large for the backend's memory leave nothing behind
    if (err instanceof SparseExpertsError && err.code === 'ERR_OUT_OF_MEMORY') return null;
    throw err;
  }
}

/** Prediction batches of at most `batchSize` rows of x (dense rows × cols, CSR, or a dense dataset as stored). */
export function predictionBatches(b: Backend, x: PredictRows, cols: number, batchSize: number): Batches<LayerInput> {
  if (isDenseDataset(x)) return trainingBatches(b, x, batchSize); // rows gathered (and widened) per batch
  if (!(x instanceof Float32Array)) {
    const stage = new CsrStage(b, batchSize);
    return { load: (ids) => ({ x: stage.gather(x, ids).upload() }), dispose: () => stage.dispose() };
  }
  const batch = b.alloc(batchSize * cols);
  return {
    load: (ids) => {
      // Prediction batches are consecutive rows: one contiguous copy.
      const start = ids.length > 0 ? ids[0] : 0;
      b.write(batch, x.subarray(start * cols, (start + ids.length) * cols));
      return batch;
    },
    dispose: () => b.free(batch),
  };
}

/** One CSR staged on the host and mirrored in backend buffers that only grow. */
class CsrStage {
  rows = 0;
  cols = 0;
  nnz = 0;
  rowPtr: Int32Array;
  colIdx = new Int32Array(0);
  values = new Float32Array(0);
  private readonly bRowPtr: I32;
  private bColIdx: I32 | null = null;
  private bValues: F32 | null = null;

  constructor(
    private readonly b: Backend,
    maxRows: number,
  ) {
    this.rowPtr = new Int32Array(maxRows + 1);
    this.bRowPtr = b.alloc(maxRows + 1, 'i32');
  }

  /** Rows `ids` of m, in that order. */
  gather(m: CsrMatrix, ids: Int32Array): this {
    let nnz = 0;
    for (let i = 0; i < ids.length; i++) nnz += m.rowPtr[ids[i] + 1] - m.rowPtr[ids[i]];
    this.shape(ids.length, m.cols, nnz);
    let p = 0;
    for (let i = 0; i < ids.length; i++) {
      const from = m.rowPtr[ids[i]], to = m.rowPtr[ids[i] + 1];
      this.colIdx.set(m.colIdx.subarray(from, to), p);
      this.values.set(m.values.subarray(from, to), p);
      p += to - from;
      this.rowPtr[i + 1] = p;
    }
    return this;
  }

  /** The transpose of `a` (a counting sort by column; rows stay ascending within a column). */
  transposeOf(a: CsrStage): this {
    this.shape(a.cols, a.rows, a.nnz);
    const tp = this.rowPtr.fill(0, 0, a.cols + 1);
    for (let p = 0; p < a.nnz; p++) tp[a.colIdx[p] + 1]++;
    for (let c = 0; c < a.cols; c++) tp[c + 1] += tp[c];
    // tp[c] is the next free slot of column c; afterwards it is column c's end.
    for (let r = 0; r < a.rows; r++) {
      for (let p = a.rowPtr[r]; p < a.rowPtr[r + 1]; p++) {
        const q = tp[a.colIdx[p]]++;
        this.colIdx[q] = r;
        this.values[q] = a.values[p];
      }
    }
    for (let c = a.cols; c > 0; c--) tp[c] = tp[c - 1];
    tp[0] = 0;
    return this;
  }

  /**
   * Copy the staged matrix to the backend. A new Csr object each time, so a backend that
   * checks a CSR once per object checks every batch.
   */
  upload(): Csr {
    const { b, rows, nnz } = this;
    b.write(this.bRowPtr, this.rowPtr.subarray(0, rows + 1));
    b.write(this.bColIdx!, this.colIdx.subarray(0, nnz));
    b.write(this.bValues!, this.values.subarray(0, nnz));
    return { rows, cols: this.cols, nnz, rowPtr: this.bRowPtr, colIdx: this.bColIdx!, values: this.bValues! };
  }

  dispose(): void {
    for (const buf of [this.bRowPtr, this.bColIdx, this.bValues]) if (buf) this.b.free(buf);
    this.bColIdx = this.bValues = null;
  }

  private shape(rows: number, cols: number, nnz: number): void {
    this.rows = rows;
    this.cols = cols;
    this.nnz = nnz;
    this.rowPtr[0] = 0;
    if (this.bColIdx && nnz <= this.colIdx.length) return;
    const capacity = Math.max(nnz, 2 * this.colIdx.length, 1);
    this.colIdx = new Int32Array(capacity);
    this.values = new Float32Array(capacity);
    if (this.bColIdx) this.b.free(this.bColIdx);
    if (this.bValues) this.b.free(this.bValues);
    this.bColIdx = this.b.alloc(capacity, 'i32');
    this.bValues = this.b.alloc(capacity);
  }
}
