// Closed-form ridge regression: center, form the normal equations (XᵀX by the GEMM
// kernel), solve (XᵀX + αI)w = Xᵀy by Cholesky in float64. Centering keeps the
// intercept unpenalised and the system well scaled.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';

export interface RidgeSolution {
  weights: Float64Array;
  intercept: number;
}

export function solveRidge(backend: Backend, x: Float32Array, y: ArrayLike<number>, rows: number, cols: number, alpha: number): RidgeSolution {
  if (!(alpha >= 0)) fail('ERR_BAD_ARGUMENT', `ridge alpha must be ≥ 0, got ${alpha}`);
  const mean = new Float64Array(cols);
  let yMean = 0;
  for (let r = 0; r < rows; r++) {
    yMean += y[r];
    for (let c = 0; c < cols; c++) mean[c] += x[r * cols + c];
  }
  yMean /= rows;
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  const xc = new Float32Array(rows * cols);
  const xty = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const yr = y[r] - yMean;
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c] - mean[c];
      xc[r * cols + c] = v;
      xty[c] += v * yr;
    }
  }
  const xb = backend.upload(xc), gram = backend.alloc(cols * cols);
  backend.gemm(true, false, cols, cols, rows, xb, xb, gram);
  const A = Float64Array.from(backend.view(gram));
  backend.free(xb);
  backend.free(gram);
  const weights = choleskySolve(A, xty, cols, alpha);
  let intercept = yMean;
  for (let c = 0; c < cols; c++) intercept -= mean[c] * weights[c];
  return { weights, intercept };
}

/**
 * Solve (A + αI)w = b for symmetric positive semi-definite A. With α = 0 and a singular
 * A (collinear features), a jitter of 1e-10·trace/n keeps the factorisation defined.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number, alpha: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += A[i * n + i];
  for (let jitter = alpha, tries = 0; tries < 8; tries++, jitter = Math.max(jitter * 100, (1e-10 * trace) / Math.max(n, 1))) {
    const L = factor(A, n, jitter);
    if (!L) continue;
    // Forward then back substitution.
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
      z[i] = s / L[i * n + i];
    }
    const w = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * w[k];
      w[i] = s / L[i * n + i];
    }
    return w;
  }
  return fail('ERR_DIVERGED', 'the normal equations could not be factorised (non-finite features?)');
}

function factor(A: Float64Array, n: number, jitter: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j] + jitter;
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}
