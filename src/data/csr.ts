// Sparse input rows in CSR (compressed sparse row) form, held in plain typed arrays on
// the host: text and other bag-of-features data stay sparse until a batch is densified.
import { fail } from '../errors.js';

export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into colIdx/values; row r is [rowPtr[r], rowPtr[r+1]). */
  readonly rowPtr: Int32Array;
  /** Column of each stored value, strictly increasing within a row. */
  readonly colIdx: Int32Array;
  readonly values: Float32Array;
}

/** Structure and value checks; throws ERR_BAD_SHAPE / ERR_NON_FINITE naming the row. */
export function validateCsr(m: CsrMatrix): CsrMatrix {
  const { rows, cols, rowPtr, colIdx, values } = m;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) fail('ERR_BAD_SHAPE', `CSR rows/cols must be integers ≥ 0, got ${rows}×${cols}`);
  if (rowPtr.length !== rows + 1) fail('ERR_BAD_SHAPE', `CSR rowPtr has length ${rowPtr.length}, expected rows + 1 = ${rows + 1}`);
  if (rowPtr[0] !== 0) fail('ERR_BAD_SHAPE', `CSR rowPtr[0] must be 0, got ${rowPtr[0]}`);
  const nnz = rowPtr[rows];
  if (colIdx.length !== nnz || values.length !== nnz) fail('ERR_BAD_SHAPE', `CSR colIdx (${colIdx.length}) and values (${values.length}) must both have rowPtr[rows] = ${nnz} entries`);
  for (let r = 0; r < rows; r++) {
    const start = rowPtr[r];
    const end = rowPtr[r + 1];
    if (end < start) fail('ERR_BAD_SHAPE', `CSR rowPtr decreases at row ${r}`);
    for (let p = start; p < end; p++) {
      const c = colIdx[p];
      if (c < 0 || c >= cols) fail('ERR_BAD_SHAPE', `CSR row ${r}: column ${c} outside [0, ${cols})`);
      if (p > start && c <= colIdx[p - 1]) fail('ERR_BAD_SHAPE', `CSR row ${r}: columns must be strictly increasing (${colIdx[p - 1]} then ${c})`);
      if (!Number.isFinite(values[p])) fail('ERR_NON_FINITE', `CSR row ${r}, column ${c}: value ${values[p]}`);
    }
  }
  return m;
}

/** Rows [start, end) as a dense row-major Float32Array — for one small batch at a time. */
export function csrToDense(m: CsrMatrix, start = 0, end = m.rows): Float32Array {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > m.rows || start > end) {
    fail('ERR_BAD_ARGUMENT', `row range [${start}, ${end}) is not inside [0, ${m.rows}]`);
  }
  const out = new Float32Array((end - start) * m.cols);
  for (let r = start; r < end; r++) {
    const base = (r - start) * m.cols;
    for (let p = m.rowPtr[r]; p < m.rowPtr[r + 1]; p++) out[base + m.colIdx[p]] = m.values[p];
  }
  return out;
}

/** Dense row-major → CSR, keeping entries that are not exactly zero. */
export function denseToCsrMatrix(x: Float32Array, rows: number, cols: number): CsrMatrix {
  if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `dense data has ${x.length} values, expected ${rows}×${cols}`);
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      if (v !== 0) {
        colIdx[p] = c;
        values[p++] = v;
      }
    }
    rowPtr[r + 1] = p;
  }
  return { rows, cols, rowPtr, colIdx, values };
}

/** The given rows, in the given order, as a new compact CSR matrix. */
export function takeCsrRows(m: CsrMatrix, indices: ArrayLike<number>): CsrMatrix {
  const n = indices.length;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= m.rows) fail('ERR_BAD_ARGUMENT', `row index ${r} (at position ${i}) outside [0, ${m.rows})`);
    rowPtr[i + 1] = rowPtr[i] + m.rowPtr[r + 1] - m.rowPtr[r];
  }
  const colIdx = new Int32Array(rowPtr[n]);
  const values = new Float32Array(rowPtr[n]);
  for (let i = 0; i < n; i++) {
    const r = indices[i];
    colIdx.set(m.colIdx.subarray(m.rowPtr[r], m.rowPtr[r + 1]), rowPtr[i]);
    values.set(m.values.subarray(m.rowPtr[r], m.rowPtr[r + 1]), rowPtr[i]);
  }
  return { rows: n, cols: m.cols, rowPtr, colIdx, values };
}

/** The given columns, renumbered 0..k−1 in the order given (an expert's feature group). */
export function selectCsrColumns(m: CsrMatrix, columns: ArrayLike<number>): CsrMatrix {
  const map = new Int32Array(m.cols).fill(-1);
  for (let j = 0; j < columns.length; j++) {
    const c = columns[j];
    if (!Number.isInteger(c) || c < 0 || c >= m.cols) fail('ERR_BAD_ARGUMENT', `column ${c} outside [0, ${m.cols})`);
    if (map[c] !== -1) fail('ERR_BAD_ARGUMENT', `column ${c} selected twice`);
    map[c] = j;
  }
  const rowPtr = new Int32Array(m.rows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    const kept: [number, number][] = [];
    for (let p = m.rowPtr[r]; p < m.rowPtr[r + 1]; p++) {
      const j = map[m.colIdx[p]];
      if (j !== -1) kept.push([j, m.values[p]]);
    }
    kept.sort((a, b) => a[0] - b[0]); // renumbering may reorder columns
    for (const [j, v] of kept) {
      colIdx.push(j);
      values.push(v);
    }
    rowPtr[r + 1] = colIdx.length;
  }
  return { rows: m.rows, cols: columns.length, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
}
