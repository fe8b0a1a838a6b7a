// Argument checks shared by every backend, so both fail the same way before any kernel runs.
import { fail } from '../errors.js';
import type { Activation, AdamOptions, Buf, Csr, DType, F32, I32, SgdOptions, U16, U8 } from './backend.js';

/** Bytes per element of each buffer dtype. */
export const BYTES: Record<DType, number> = { f32: 4, i32: 4, u8: 1, u16: 2 };

/** The dtype of the buffer upload() makes for `data`. */
export function dtypeOf(data: Float32Array | Int32Array | Uint8Array | Uint16Array): DType {
  return data instanceof Int32Array ? 'i32' : data instanceof Uint8Array ? 'u8' : data instanceof Uint16Array ? 'u16' : 'f32';
}

/** A non-negative integer size. */
export function dim(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) fail('ERR_BAD_SHAPE', `${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** `buf` is an unstrided buffer of `dtype` with at least `need` elements. */
export function fits(name: string, buf: Buf, need: number, dtype: DType = 'f32'): void {
  if (buf.dtype !== dtype) fail('ERR_BAD_ARGUMENT', `${name} must be an ${dtype} buffer, got ${buf.dtype}`);
  unstrided(name, buf);
  if (buf.length < need) {
    fail('ERR_BAD_SHAPE', `${name} holds ${buf.length} elements but ${need} are needed`);
  }
}

/** Element-wise calls see a buffer as one run of elements: a strided view is not one. */
export function unstrided(name: string, buf: Buf): void {
  if (buf.stride !== undefined) fail('ERR_BAD_ARGUMENT', `${name} is a strided view (row stride ${buf.stride}): this call takes an unstrided buffer or view`);
}

/**
 * `buf` holds a rows×cols row-major matrix of `dtype`: packed, or a strided view whose rows
 * start `stride` elements apart. Returns the row stride the kernels step by.
 */
export function matrix(name: string, buf: Buf, rows: number, cols: number, dtype: DType = 'f32'): number {
  if (buf.dtype !== dtype) fail('ERR_BAD_ARGUMENT', `${name} must be an ${dtype} buffer, got ${buf.dtype}`);
  if (buf.stride === undefined) {
    if (buf.length < rows * cols) fail('ERR_BAD_SHAPE', `${name} holds ${buf.length} elements but ${rows * cols} are needed`);
    return cols;
  }
  const ld = buf.stride;
  if (cols > ld) fail('ERR_BAD_SHAPE', `${name} has row stride ${ld}, less than its ${cols} columns: rows would overlap`);
  const need = rows > 0 ? (rows - 1) * ld + cols : 0;
  if (buf.length < need) fail('ERR_BAD_SHAPE', `${name} holds ${buf.length} elements but ${rows}×${cols} at row stride ${ld} needs ${need}`);
  return ld;
}

/** Checks of a view: offset + length within the parent, an integer stride ≥ 1. */
export function viewArgs(buf: Buf, offset: number, length: number, stride: number | undefined): void {
  dim('offset', offset); dim('length', length);
  if (offset + length > buf.length) fail('ERR_BAD_SHAPE', `a view of ${length} elements from offset ${offset} does not fit in a buffer of ${buf.length}`);
  if (stride !== undefined && (!Number.isInteger(stride) || stride < 1)) fail('ERR_BAD_SHAPE', `stride must be an integer ≥ 1, got ${stride}`);
}

export function finite(name: string, v: number): number {
  if (!Number.isFinite(v)) fail('ERR_BAD_ARGUMENT', `${name} must be a finite number, got ${v}`);
  return v;
}

/** Sizes and buffer lengths of a CSR; its contents are checked by each backend (csrValid). */
export function csrShape(name: string, a: Csr): void {
  dim(`${name}.rows`, a.rows);
  dim(`${name}.cols`, a.cols);
  dim(`${name}.nnz`, a.nnz);
  fits(`${name}.rowPtr`, a.rowPtr, a.rows + 1, 'i32');
  fits(`${name}.colIdx`, a.colIdx, a.nnz, 'i32');
  fits(`${name}.values`, a.values, a.nnz);
}

/** A number in [lo, hi] (or [lo, hi) with `open`), else ERR_BAD_ARGUMENT. */
export function inRange(name: string, v: number, lo: number, hi: number, open = false): number {
  if (!(v >= lo && (open ? v < hi : v <= hi))) fail('ERR_BAD_ARGUMENT', `${name} must be in [${lo}, ${hi}${open ? ')' : ']'}, got ${v}`);
  return v;
}

/** The kernel code of an activation: 0 identity, 1 relu. */
export function activationCode(act: Activation): number {
  if (act === 'identity') return 0;
  if (act === 'relu') return 1;
  return fail('ERR_BAD_ARGUMENT', `activation must be 'identity' or 'relu', got ${String(act)}`);
}

/** Whole rows of `cols` floats that fit in `buf` at its row stride (any number when cols is 0). */
export function rowsIn(buf: Buf, cols: number): number {
  if (cols === 0) return 0x7fffffff;
  const ld = buf.stride ?? cols;
  return buf.length < cols ? 0 : Math.floor((buf.length - cols) / ld) + 1;
}

/** The per-step scalars of Adam, shared by both backends so they round alike. */
export function adamScalars(o: AdamOptions): { lrT: number; beta1: number; beta2: number; eps: number; decay: number; shrink: number } {
  const lr = inRange('lr', o.lr, 0, Infinity, true);
  const beta1 = inRange('beta1', o.beta1, 0, 1, true);
  const beta2 = inRange('beta2', o.beta2, 0, 1, true);
  const eps = o.eps;
  if (!(eps > 0 && eps < Infinity)) fail('ERR_BAD_ARGUMENT', `eps must be a finite number > 0, got ${eps}`);
  if (!Number.isInteger(o.step) || o.step < 1) fail('ERR_BAD_ARGUMENT', `step must be an integer ≥ 1 (1-based), got ${o.step}`);
  const l1 = inRange('l1', o.l1 ?? 0, 0, Infinity, true);
  const wd = inRange('weightDecay', o.weightDecay ?? 0, 0, Infinity, true);
  const lrT = (lr * Math.sqrt(1 - beta2 ** o.step)) / (1 - beta1 ** o.step);
  return { lrT, beta1, beta2, eps, decay: lr * wd, shrink: lr * l1 };
}

/** The per-step scalars of SGD; `hasVelocity` says whether a velocity buffer came with it. */
export function sgdScalars(o: SgdOptions, hasVelocity: boolean): { lr: number; momentum: number; l2: number; shrink: number } {
  const lr = inRange('lr', o.lr, 0, Infinity, true);
  const momentum = inRange('momentum', o.momentum ?? 0, 0, 1, true);
  if (momentum > 0 && !hasVelocity) fail('ERR_BAD_ARGUMENT', 'momentum > 0 needs a velocity buffer of n floats');
  const l2 = inRange('l2', o.l2 ?? 0, 0, Infinity, true);
  const l1 = inRange('l1', o.l1 ?? 0, 0, Infinity, true);
  return { lr, momentum, l2, shrink: lr * l1 };
}

// ---- per-kernel argument checks: both backends call these first ----

export function gemmArgs(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32): { lda: number; ldb: number; ldc: number } {
  dim('m', m); dim('n', n); dim('k', k);
  // Strides are of the matrices as stored: a is k×m when transposed, b n×k.
  const lda = transA ? matrix('a', a, k, m) : matrix('a', a, m, k);
  const ldb = transB ? matrix('b', b, n, k) : matrix('b', b, k, n);
  return { lda, ldb, ldc: matrix('c', c, m, n) };
}

export function biasActArgs(x: F32, bias: F32 | null, rows: number, cols: number, act: Activation, out: F32): { act: number; ldx: number; ldo: number } {
  dim('rows', rows); dim('cols', cols);
  const ldx = matrix('x', x, rows, cols), ldo = matrix('out', out, rows, cols);
  if (bias) fits('bias', bias, cols);
  return { act: activationCode(act), ldx, ldo };
}

/** n elements as one row, or as rows of `cols` (which may be strided views). */
export function actBackwardArgs(dy: F32, y: F32, n: number, act: Activation, dx: F32, cols: number | undefined): { act: number; rows: number; cols: number; lddy: number; ldy: number; lddx: number } {
  dim('n', n);
  if (cols === undefined) {
    fits('dy', dy, n); fits('y', y, n); fits('dx', dx, n);
    return { act: activationCode(act), rows: 1, cols: n, lddy: n, ldy: n, lddx: n };
  }
  dim('cols', cols);
  if (cols === 0 ? n !== 0 : n % cols !== 0) fail('ERR_BAD_SHAPE', `n = ${n} is not a whole number of rows of ${cols}`);
  const rows = cols > 0 ? n / cols : 0;
  const lddy = matrix('dy', dy, rows, cols), ldy = matrix('y', y, rows, cols), lddx = matrix('dx', dx, rows, cols);
  return { act: activationCode(act), rows, cols, lddy, ldy, lddx };
}

/** Returns the row stride of x. */
export function colSumArgs(x: F32, rows: number, cols: number, out: F32): number {
  dim('rows', rows); dim('cols', cols);
  const ldx = matrix('x', x, rows, cols);
  fits('out', out, cols);
  return ldx;
}

export function softmaxArgs(x: F32, rows: number, cols: number, out: F32): { ldx: number; ldo: number } {
  dim('rows', rows); dim('cols', cols);
  return { ldx: matrix('x', x, rows, cols), ldo: matrix('out', out, rows, cols) };
}

/** Returns the gradient scale, 1/rows (the mean loss's gradient) unless given, and the row strides. */
export function softmaxCrossEntropyArgs(logits: F32, labels: I32, rows: number, cols: number, probs: F32, grad: F32 | null, gradScale: number | undefined): { scale: number; ldl: number; ldp: number; ldg: number } {
  dim('rows', rows); dim('cols', cols);
  const ldl = matrix('logits', logits, rows, cols), ldp = matrix('probs', probs, rows, cols);
  fits('labels', labels, rows, 'i32');
  const ldg = grad ? matrix('grad', grad, rows, cols) : 0;
  if (rows > 0 && cols === 0) fail('ERR_BAD_SHAPE', 'cols must be ≥ 1 when there are rows to classify');
  return { scale: finite('gradScale', gradScale ?? (rows > 0 ? 1 / rows : 1)), ldl, ldp, ldg };
}

export function labelError(row: number, label: number, cols: number): never {
  return fail('ERR_LABEL_RANGE', `labels[${row}] = ${label} is outside [0, ${cols})`);
}

export function adamArgs(param: F32, grad: F32, m: F32, v: F32, n: number, opts: AdamOptions, mask: F32 | null | undefined): ReturnType<typeof adamScalars> {
  dim('n', n);
  fits('param', param, n); fits('grad', grad, n); fits('m', m, n); fits('v', v, n);
  if (mask) fits('mask', mask, n);
  return adamScalars(opts);
}

export function sgdArgs(param: F32, grad: F32, velocity: F32 | null, n: number, opts: SgdOptions, mask: F32 | null | undefined): ReturnType<typeof sgdScalars> {
  dim('n', n);
  fits('param', param, n); fits('grad', grad, n);
  if (velocity) fits('velocity', velocity, n);
  if (mask) fits('mask', mask, n);
  return sgdScalars(opts, velocity !== null);
}

export function denseToCsrArgs(dense: F32, rows: number, cols: number, threshold: number): void {
  dim('rows', rows); dim('cols', cols);
  fits('dense', dense, rows * cols);
  finite('threshold', threshold);
}

export function csrMatmulArgs(a: Csr, b: F32, n: number, c: F32): { ldb: number; ldc: number } {
  csrShape('a', a);
  dim('n', n);
  return { ldb: matrix('b', b, a.cols, n), ldc: matrix('c', c, a.rows, n) };
}

export function matmulCsrTArgs(x: F32, m: number, w: Csr, c: F32): { ldx: number; ldc: number } {
  csrShape('w', w);
  dim('m', m);
  return { ldx: matrix('x', x, m, w.cols), ldc: matrix('c', c, m, w.rows) };
}

export function csrContentError(name: string): never {
  return fail('ERR_BAD_SHAPE', `${name} is not a valid CSR: rowPtr must rise from 0 to nnz and every column index lie in [0, cols)`);
}

export function kmeansAssignArgs(x: F32, rows: number, dims: number, centroids: F32, k: number, assign: I32, dist: F32): { ldx: number; ldc: number } {
  dim('rows', rows); dim('dims', dims); dim('k', k);
  if (rows > 0 && k === 0) fail('ERR_BAD_SHAPE', 'k must be ≥ 1 to assign points');
  const ldx = matrix('x', x, rows, dims), ldc = matrix('centroids', centroids, k, dims);
  fits('assign', assign, rows, 'i32'); fits('dist', dist, rows);
  return { ldx, ldc };
}

export function topkArgs(x: F32, rows: number, cols: number, k: number, values: F32, indices: I32): { ldx: number; ldv: number; ldi: number } {
  dim('rows', rows); dim('cols', cols); dim('k', k);
  if (k > cols) fail('ERR_BAD_SHAPE', `k = ${k} exceeds cols = ${cols}`);
  return { ldx: matrix('x', x, rows, cols), ldv: matrix('values', values, rows, k), ldi: matrix('indices', indices, rows, k, 'i32') };
}

/** Returns how many rows `src` holds (the bound for idx) and the row strides. */
export function gatherRowsArgs(src: F32, cols: number, idx: I32, count: number, dst: F32): { limit: number; lds: number; ldd: number } {
  dim('cols', cols); dim('count', count);
  fits('idx', idx, count, 'i32');
  const ldd = matrix('dst', dst, count, cols), lds = matrix('src', src, 0, cols);
  return { limit: rowsIn(src, cols), lds, ldd };
}

/** The same for stored u8 / u16 rows widened to f32; scale and offset must be finite. */
export function gatherRowsWidenArgs(src: U8 | U16, cols: number, idx: I32, count: number, dst: F32, scale: number, offset: number): { limit: number; lds: number; ldd: number } {
  dim('cols', cols); dim('count', count);
  finite('scale', scale); finite('offset', offset);
  if (src.dtype !== 'u8' && src.dtype !== 'u16') fail('ERR_BAD_ARGUMENT', `src must be a u8 or u16 buffer, got ${(src as Buf).dtype}`);
  fits('idx', idx, count, 'i32');
  const ldd = matrix('dst', dst, count, cols), lds = matrix('src', src, 0, cols, src.dtype);
  return { limit: rowsIn(src, cols), lds, ldd };
}

/** Returns how many rows `dst` holds (the bound for idx) and the row strides. */
export function scatterAddRowsArgs(src: F32, cols: number, idx: I32, count: number, dst: F32, w: F32 | null | undefined): { limit: number; lds: number; ldd: number } {
  dim('cols', cols); dim('count', count);
  const lds = matrix('src', src, count, cols);
  fits('idx', idx, count, 'i32');
  if (w) fits('w', w, count);
  const ldd = matrix('dst', dst, 0, cols);
  return { limit: rowsIn(dst, cols), lds, ldd };
}

// ---- mixture of experts ----

/** Returns how many rows `a` holds (the bound for idx) and the row strides. */
export function rowDotArgs(a: F32, cols: number, idx: I32 | null, count: number, b: F32, out: F32): { limit: number; lda: number; ldb: number } {
  dim('cols', cols); dim('count', count);
  const ldb = matrix('b', b, count, cols);
  fits('out', out, count);
  if (!idx) return { limit: count, lda: matrix('a', a, count, cols), ldb };
  fits('idx', idx, count, 'i32');
  return { limit: rowsIn(a, cols), lda: matrix('a', a, 0, cols), ldb };
}

/** Returns how many rows `src` holds (the bound for idx) and the row strides. */
export function gatherRowsScaledArgs(src: F32, cols: number, idx: I32, count: number, w: F32, dst: F32): { limit: number; lds: number; ldd: number } {
  fits('w', w, count);
  return gatherRowsArgs(src, cols, idx, count, dst);
}

export function indexError(name: string, i: number, value: number, limit: number): never {
  return fail('ERR_BAD_SHAPE', `${name}[${i}] = ${value} is outside [0, ${limit}): no such row`);
}
