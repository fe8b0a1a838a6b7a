// N:M structured sparsity (2:4 is what sparse tensor cores run): along the input
// dimension of each output unit, every group of m consecutive weights keeps its n largest.
import { fail } from '../errors.js';

/**
 * Mask of a rows×cols weight matrix stored row-major, rows = inputs, cols = units
 * (y = x·W). Column c's groups are inputs [g, g + m) for g = 0, m, 2m, …; in each the n
 * largest |w| are kept, ties to the lower input. A tail group of t < m inputs (rows % m ≠ 0)
 * keeps min(n, t): as if padded with zeros to m, so the padded matrix is exactly n:m.
 * Weights a `prior` mask already pruned are never kept (their group keeps fewer).
 */
export function nmMask(w: Float32Array, rows: number, cols: number, n = 2, m = 4, prior?: ArrayLike<number> | null): Float32Array {
  if (!Number.isInteger(m) || m < 1) fail('ERR_BAD_ARGUMENT', `m must be a positive integer, got ${m}`);
  if (!Number.isInteger(n) || n < 0 || n > m) fail('ERR_BAD_ARGUMENT', `n must be an integer in [0, m = ${m}], got ${n}`);
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 0 && cols >= 0) || w.length !== rows * cols) {
    fail('ERR_BAD_SHAPE', `weights have ${w.length} values, expected ${rows} inputs × ${cols} units`);
  }
  if (prior && prior.length !== w.length) fail('ERR_BAD_SHAPE', `prior mask has ${prior.length} values for ${w.length} weights`);
  const mask = new Float32Array(w.length);
  const chosen = new Uint8Array(m);
  for (let c = 0; c < cols; c++) {
    for (let g = 0; g < rows; g += m) {
      const size = Math.min(m, rows - g);
      chosen.fill(0);
      for (let pick = 0; pick < Math.min(n, size); pick++) {
        // The largest surviving |w| not chosen yet; strict > keeps the lower input on ties.
        let best = -1, bestKey = -1;
        for (let j = 0; j < size; j++) {
          const i = (g + j) * cols + c;
          if (chosen[j] || (prior && prior[i] === 0)) continue;
          const key = Math.abs(w[i]);
          if (!Number.isFinite(key)) fail('ERR_NON_FINITE', `weight (${g + j}, ${c}) is ${w[i]}: cannot rank it by magnitude`);
          if (key > bestKey) { best = j; bestKey = key; }
        }
        if (best < 0) break;
        chosen[best] = 1;
        mask[(g + best) * cols + c] = 1;
      }
    }
  }
  return mask;
}
