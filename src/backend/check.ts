// Argument checks shared by every backend, so both fail the same way before any kernel runs.
import { fail } from '../errors.js';
import type { Buf, Csr, DType } from './backend.js';

/** A non-negative integer size. */
export function dim(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) fail('ERR_BAD_SHAPE', `${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** `buf` is a live buffer of `dtype` with at least `need` elements. */
export function fits(name: string, buf: Buf, need: number, dtype: DType = 'f32'): void {
  if (buf.dtype !== dtype) fail('ERR_BAD_ARGUMENT', `${name} must be an ${dtype} buffer, got ${buf.dtype}`);
  if (buf.length < need) {
    fail('ERR_BAD_SHAPE', `${name} holds ${buf.length} elements but ${need} are needed`);
  }
}

export function finite(name: string, v: number): number {
  if (!Number.isFinite(v)) fail('ERR_BAD_ARGUMENT', `${name} must be a finite number, got ${v}`);
  return v;
}

export function csrShape(name: string, a: Csr): void {
  dim(`${name}.rows`, a.rows);
  dim(`${name}.cols`, a.cols);
  fits(`${name}.rowPtr`, a.rowPtr, a.rows + 1, 'i32');
  fits(`${name}.colIdx`, a.colIdx, a.nnz, 'i32');
  fits(`${name}.values`, a.values, a.nnz);
}
