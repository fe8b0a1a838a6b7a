// CSR kernels, wasm against the reference: dense → CSR, CSR × dense, dense × CSRᵀ, and
// round trips (CSR products equal dense GEMM with the thresholded matrix).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import type { Csr } from '../src/backend/index.js';
import { reference, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';

/** A rows×cols matrix with roughly `density` of its entries above 0.5 in magnitude. */
function sparseish(r: ReturnType<typeof rng>, rows: number, cols: number, density: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => (r.uniform(0, 1) < density ? r.pick([-1, 1]) * r.uniform(0.6, 2) : r.uniform(-0.5, 0.5)));
}

function thresholded(d: Float32Array, threshold: number): Float32Array {
  return d.map((v) => (Math.abs(v) > threshold ? v : 0));
}

function readCsr(b: Backend, c: Csr): { rowPtr: Int32Array; colIdx: Int32Array; values: Float32Array } {
  return { rowPtr: b.read(c.rowPtr), colIdx: b.read(c.colIdx), values: b.read(c.values) };
}

test('denseToCsr: identical structure and values on both backends', () => {
  const r = rng(SEED + 10);
  for (let t = 0; t < 40; t++) {
    const rows = r.pick(SIZES), cols = r.pick(SIZES), density = r.pick([0, 0.1, 0.5, 1]);
    const d = sparseish(r, rows, cols, density), threshold = r.pick([0.5, 0, -1]);
    const [w, ref] = [wasm, reference].map((b) => {
      const buf = b.upload(d), c = b.denseToCsr(buf, rows, cols, threshold);
      const out = { nnz: c.nnz, ...readCsr(b, c) };
      b.freeCsr(c); b.free(buf);
      return out;
    });
    const what = `denseToCsr ${rows}×${cols} t=${threshold}`;
    assert.is(w.nnz, ref.nnz, `${what} nnz (seed ${SEED + 10})`);
    allEqual(w.rowPtr, ref.rowPtr, SEED + 10, `${what} rowPtr`);
    allEqual(w.colIdx, ref.colIdx, SEED + 10, `${what} colIdx`);
    allEqual(w.values, ref.values, SEED + 10, `${what} values`);
    assert.is(ref.nnz, d.filter((v) => Math.abs(v) > threshold).length, `${what} nnz count`);
  }
});

test('round trip: csrMatmul and matmulCsrT equal dense GEMM with the thresholded matrix', () => {
  const r = rng(SEED + 11);
  for (let t = 0; t < 40; t++) {
    const seed = SEED + 11;
    const rows = r.pick(SIZES), cols = r.pick(SIZES), n = r.pick(SIZES), m = r.pick([...SIZES, 40]);
    const acc = r.int(0, 2) === 1, threshold = 0.5;
    const a = sparseish(r, rows, cols, r.pick([0.05, 0.3, 1])), dense = thresholded(a, threshold);
    const bMat = r.floats(cols * n), x = r.floats(m * cols), c0 = r.floats(Math.max(rows * n, m * rows));
    for (const b of [wasm, reference]) {
      const [A, D, B, X] = [b.upload(a), b.upload(dense), b.upload(bMat), b.upload(x)];
      const csr = b.denseToCsr(A, rows, cols, threshold);
      const [c1, c2, c3, c4] = [b.upload(c0), b.upload(c0), b.upload(c0), b.upload(c0)];
      // A·B (rows×n) both ways.
      b.csrMatmul(csr, B, n, c1, acc);
      b.gemm(false, false, rows, n, cols, D, B, c2, acc);
      allClose(b.read(c1), b.read(c2), 1e-5, 1e-4, seed, `${b.name} csrMatmul ${rows}×${cols}·${cols}×${n} acc=${acc}`);
      // X·Aᵀ (m×rows) both ways.
      b.matmulCsrT(X, m, csr, c3, acc);
      b.gemm(false, true, m, rows, cols, X, D, c4, acc);
      allClose(b.read(c3), b.read(c4), 1e-5, 1e-4, seed, `${b.name} matmulCsrT ${m}×${cols}·(${rows}×${cols})ᵀ acc=${acc}`);
      b.freeCsr(csr);
      for (const buf of [A, D, B, X, c1, c2, c3, c4]) b.free(buf);
    }
  }
});

test('matmulCsrT: every batch size from 0 to 40 against the reference', () => {
  const r = rng(SEED + 12);
  const [rows, cols] = [13, 37];
  const wMat = sparseish(r, rows, cols, 0.2);
  for (let m = 0; m <= 40; m++) {
    const x = r.floats(m * cols);
    const [got, want] = [wasm, reference].map((b) => {
      const [W, X, C] = [b.upload(wMat), b.upload(x), b.alloc(m * rows)];
      const csr = b.denseToCsr(W, rows, cols, 0.5);
      b.matmulCsrT(X, m, csr, C);
      const out = b.read(C);
      b.freeCsr(csr);
      for (const buf of [W, X, C]) b.free(buf);
      return out;
    });
    allClose(got, want, 1e-5, 1e-4, SEED + 12, `matmulCsrT m=${m}`);
  }
});

test('a hand-made CSR (not from denseToCsr) is checked and used', () => {
  for (const b of [wasm, reference]) {
    // [[0, 2], [3, 0]] · [[1], [10]] = [[20], [3]]
    const csr: Csr = { rows: 2, cols: 2, nnz: 2, rowPtr: b.upload(new Int32Array([0, 1, 2])), colIdx: b.upload(new Int32Array([1, 0])), values: b.upload(new Float32Array([2, 3])) };
    const B = b.upload(new Float32Array([1, 10])), C = b.alloc(2);
    b.csrMatmul(csr, B, 1, C);
    allEqual(b.read(C), [20, 3], 0, `${b.name} hand CSR`);
    b.freeCsr(csr);
    for (const buf of [B, C]) b.free(buf);
  }
});

test.run();
