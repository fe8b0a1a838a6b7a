// CSR kernels: dense → CSR by magnitude (count pass, then fill pass into buffers the host
// sized from the count), CSR × dense, and dense × CSRᵀ (the pruned-layer forward pass).
import { madd } from "./simd";

/** rowPtr[0..rows] for the entries with |x| > threshold; returns nnz. */
export function csrCount(dense: usize, rows: i32, cols: i32, threshold: f32, rowPtr: usize): i32 {
  const t4 = f32x4.splat(threshold);
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2;
  let nnz = 0;
  store<i32>(rowPtr, 0);
  for (let r = 0; r < rows; r++) {
    let j: usize = 0;
    for (; j < body; j += 16) nnz += popcnt(i32x4.bitmask(f32x4.gt(f32x4.abs(v128.load(dense + j)), t4)));
    for (; j < rowBytes; j += 4) nnz += i32(abs(load<f32>(dense + j)) > threshold);
    rowPtr += 4;
    store<i32>(rowPtr, nnz);
    dense += rowBytes;
  }
  return nnz;
}

/** Fill colIdx and values (sized by csrCount) in row order. */
export function csrFill(dense: usize, rows: i32, cols: i32, threshold: f32, colIdx: usize, values: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(dense + (<usize>j << 2));
      if (abs(v) > threshold) {
        store<i32>(colIdx, j);
        store<f32>(values, v);
        colIdx += 4; values += 4;
      }
    }
    dense += <usize>cols << 2;
  }
}

/** c (m×n) = A·b, or += with accumulate; A is CSR m×k, b dense k×n; ldb, ldc: row strides. */
export function csrMatmul(rowPtr: usize, colIdx: usize, values: usize, m: i32, b: usize, ldb: i32, n: i32, c: usize, ldc: i32, accumulate: i32): void {
  const rowBytes = <usize>n << 2, body = <usize>(n & ~3) << 2;
  const bStep = <usize>ldb << 2;
  for (let i = 0; i < m; i++) {
    if (!accumulate) memory.fill(c, 0, rowBytes);
    const end = load<i32>(rowPtr, 4);
    // c[i,:] += a_ij · b[j,:] for each stored a_ij.
    for (let p = load<i32>(rowPtr); p < end; p++) {
      const a = load<f32>(values + (<usize>p << 2));
      const a4 = f32x4.splat(a);
      const br = b + <usize>load<i32>(colIdx + (<usize>p << 2)) * bStep;
      let j: usize = 0;
      for (; j < body; j += 16) v128.store(c + j, madd(a4, v128.load(br + j), v128.load(c + j)));
      for (; j < rowBytes; j += 4) store<f32>(c + j, load<f32>(c + j) + a * load<f32>(br + j));
    }
    rowPtr += 4; c += <usize>ldc << 2;
  }
}

/** Batch rows per block of the dense × CSRᵀ product: four v128 accumulators. */
const MB: i32 = 16;

/** Floats of scratch matmulCsrT needs in `work` for an inner dimension k. */
export function csrTWorkSize(k: i32): i32 {
  return MB * k;
}

/** work[j·width + r] = x[i0 + r][j] for r < rows, zero for rows ≤ r < width; ldx: x's row stride. */
function packT(x: usize, ldx: i32, k: i32, i0: i32, rows: i32, width: i32, work: usize): void {
  const stride = <usize>width << 2;
  for (let r = 0; r < width; r++) {
    let dst = work + (<usize>r << 2);
    if (r < rows) {
      let src = x + (<usize>(i0 + r) * ldx << 2);
      for (let j = 0; j < k; j++) { store<f32>(dst, load<f32>(src)); src += 4; dst += stride; }
    } else {
      for (let j = 0; j < k; j++) { store<f32>(dst, 0); dst += stride; }
    }
  }
}

/** Write lane l of acc to c[(base + l)·ldc + o] for the rows that exist. */
// @ts-ignore: decorator
@inline
function put(acc: v128, rows: i32, base: i32, c: usize, ldc: i32, o: i32, accumulate: bool): void {
  for (let l = 0; l < 4; l++) {
    if (base + l >= rows) return;
    const p = c + ((<usize>(base + l) * ldc + o) << 2);
    const v = f32x4.extract_lane(acc, 0);
    store<f32>(p, accumulate ? load<f32>(p) + v : v);
    acc = v128.shuffle<f32>(acc, acc, 1, 2, 3, 0);
  }
}

/**
 * c (m×n) = x·Wᵀ, or += with accumulate; x dense m×k, W CSR n×k. Vectorised over the
 * batch: 16 rows of x are packed transposed into `work` (csrTWorkSize(k) floats), so each
 * stored weight w_oj multiplies the contiguous x[i0..i0+16][j] with four v128 madds. The
 * last rows run in 4-wide blocks. ldx, ldc: the row strides of x and c.
 */
export function matmulCsrT(x: usize, ldx: i32, m: i32, k: i32, rowPtr: usize, colIdx: usize, values: usize, n: i32, c: usize, ldc: i32, accumulate: i32, work: usize): void {
  const acc = accumulate != 0;
  let i0 = 0;
  for (; i0 + MB <= m; i0 += MB) {
    packT(x, ldx, k, i0, MB, MB, work);
    const cb = c + (<usize>i0 * ldc << 2);
    for (let o = 0; o < n; o++) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      const end = load<i32>(rowPtr + (<usize>o << 2), 4);
      for (let p = load<i32>(rowPtr + (<usize>o << 2)); p < end; p++) {
        const w = v128.load32_splat(values + (<usize>p << 2));
        const xp = work + (<usize>load<i32>(colIdx + (<usize>p << 2)) << 6);
        a0 = madd(w, v128.load(xp), a0);
        a1 = madd(w, v128.load(xp, 16), a1);
        a2 = madd(w, v128.load(xp, 32), a2);
        a3 = madd(w, v128.load(xp, 48), a3);
      }
      put(a0, MB, 0, cb, ldc, o, acc); put(a1, MB, 4, cb, ldc, o, acc);
      put(a2, MB, 8, cb, ldc, o, acc); put(a3, MB, 12, cb, ldc, o, acc);
    }
  }
  for (; i0 < m; i0 += 4) {
    const rows = min(4, m - i0);
    packT(x, ldx, k, i0, rows, 4, work);
    const cb = c + (<usize>i0 * ldc << 2);
    for (let o = 0; o < n; o++) {
      let a0 = f32x4.splat(0);
      const end = load<i32>(rowPtr + (<usize>o << 2), 4);
      for (let p = load<i32>(rowPtr + (<usize>o << 2)); p < end; p++) {
        const xp = work + (<usize>load<i32>(colIdx + (<usize>p << 2)) << 4);
        a0 = madd(v128.load32_splat(values + (<usize>p << 2)), v128.load(xp), a0);
      }
      put(a0, rows, 0, cb, ldc, o, acc);
    }
  }
}
