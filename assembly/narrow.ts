// Narrow products: C = [C +] A·B with few columns (a 10-class output layer's forward, 128 × 512 → 10)
// and C = [C +] Aᵀ·B with few columns (its weight gradient hᵀ·dy, 512 × 10 from k = 128 rows).
// The GEMM's 8-column panels run such a C at 10/16 of their lanes and copy every edge tile
// through scratch; here:
// - NN, 9 … 12 columns: each row of C is 3 vectors (10 → 12 lanes), held for 3 rows (13 registers),
//   B read in place at 12 columns, else from a zero-padded copy (at 8 columns gemmUnpacked's
//   panel is full; fewer are off the models' shapes and their tiles would not fit the size budget);
// - TN: Cᵀ is the product, a 5 × 8 tile of it holds 5 columns × 8 rows of C: op(A)'s 8 rows of a
//   step lie side by side in A's row p (read in place), B's 5 columns of the step in B's row p
//   (splat), so n = 10 fills two tiles; the tile goes to C through a scratch block, transposed.
// Every C value is summed as the GEMM sums it — from C or 0, then p = 0, 1, … k − 1, one madd of
// the same two factors each — so both give the same bits, whichever of them runs.
import { madd } from "./simd";

/** Floats of scratch the narrow kernels need for k (12 columns of B, or 8 of A and a tile). */
export function narrowWorkSize(k: i32): i32 {
  return k * 12 + 5 * 8;
}

/** The first t (1 … 4) floats at p, zero above. */
// @ts-ignore: decorator
@inline
function loadPart(p: usize, t: i32): v128 {
  if (t == 4) return v128.load(p);
  if (t == 1) return v128.load32_zero(p);
  const x = v128.load64_zero(p);
  return t == 2 ? x : v128.load32_lane(p, x, 2, 8);
}

/** Stores the first t (1 … 4) lanes of x at p. */
// @ts-ignore: decorator
@inline
function storePart(p: usize, x: v128, t: i32): void {
  if (t == 4) v128.store(p, x);
  else if (t == 1) v128.store32_lane(p, x, 0);
  else {
    v128.store64_lane(p, x, 0);
    if (t == 3) v128.store32_lane(p, x, 2, 8);
  }
}

/**
 * R rows × 3 vectors of C (9 … 12 columns) over k steps. A's row r, step p at a + r·lda + 4p;
 * B's step p at b + p·bstep (12 floats, zero-padded); the last vector of C holds t (1 … 4) columns.
 * Inlined into one function per R, as the GEMM's tiles.
 */
// @ts-ignore: decorator
@inline
function nnRows(R: i32, k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, t: i32, load: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  const r1 = c + ldc, r2 = r1 + ldc;
  if (load) {
    c00 = v128.load(c); c01 = v128.load(c, 16); c02 = loadPart(c + 32, t);
    if (R > 1) { c10 = v128.load(r1); c11 = v128.load(r1, 16); c12 = loadPart(r1 + 32, t); }
    if (R > 2) { c20 = v128.load(r2); c21 = v128.load(r2, 16); c22 = loadPart(r2 + 32, t); }
  }
  const end = a + (<usize>k << 2);
  while (a < end) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01); c02 = madd(x, b2, c02);
    if (R > 1) { x = v128.load32_splat(a + lda); c10 = madd(x, b0, c10); c11 = madd(x, b1, c11); c12 = madd(x, b2, c12); }
    if (R > 2) { x = v128.load32_splat(a + (lda << 1)); c20 = madd(x, b0, c20); c21 = madd(x, b1, c21); c22 = madd(x, b2, c22); }
    a += 4; b += bstep;
  }
  v128.store(c, c00); v128.store(c, c01, 16); storePart(c + 32, c02, t);
  if (R > 1) { v128.store(r1, c10); v128.store(r1, c11, 16); storePart(r1 + 32, c12, t); }
  if (R > 2) { v128.store(r2, c20); v128.store(r2, c21, 16); storePart(r2 + 32, c22, t); }
}

function nn3(k: i32, a: usize, lda: usize, b: usize, bs: usize, c: usize, ldc: usize, t: i32, l: bool): void { nnRows(3, k, a, lda, b, bs, c, ldc, t, l); }
function nn2(k: i32, a: usize, lda: usize, b: usize, bs: usize, c: usize, ldc: usize, t: i32, l: bool): void { nnRows(2, k, a, lda, b, bs, c, ldc, t, l); }
function nn1(k: i32, a: usize, lda: usize, b: usize, bs: usize, c: usize, ldc: usize, t: i32, l: bool): void { nnRows(1, k, a, lda, b, bs, c, ldc, t, l); }

/**
 * C (m×n) = [C +] A·B for 9 ≤ n ≤ 12, k ≥ 1, A m×k, B k×n row-major (strides in floats).
 * `work` holds narrowWorkSize(k) floats and must not overlap A, B or C.
 */
export function gemmNarrowNN(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, work: usize): void {
  const t = n - 8, ldbb = <usize>ldb << 2;
  let bp = b, bstep = ldbb;
  if (t < 4) {
    // Zero-padded copy of B: 8 columns as they are, the last t and zeros.
    let src = b, dst = work;
    for (let p = 0; p < k; p++) {
      v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16); v128.store(dst + 32, loadPart(src + 32, t));
      src += ldbb; dst += 48;
    }
    bp = work; bstep = 48;
  }
  // 3 rows: 9 accumulators, 3 vectors of B and one of A fit 15 registers.
  const ldab = <usize>lda << 2, ldcb = <usize>ldc << 2, load = accumulate != 0;
  let i = 0;
  for (; i + 3 <= m; i += 3) nn3(k, a + <usize>i * ldab, ldab, bp, bstep, c + <usize>i * ldcb, ldcb, t, load);
  if (m - i == 2) nn2(k, a + <usize>i * ldab, ldab, bp, bstep, c + <usize>i * ldcb, ldcb, t, load);
  else if (m - i == 1) nn1(k, a + <usize>i * ldab, ldab, bp, bstep, c + <usize>i * ldcb, ldcb, t, load);
}

/**
 * R × 8 tile of Cᵀ (R ≤ 5 columns of C, 8 of its rows) over k steps: op(A)'s 8 values of step p
 * at a + p·astep, B's R values at b + p·bstep. The tile is in (or is read from, if `load`) the
 * scratch block `tile`, column r of C at tile + 32r.
 */
// @ts-ignore: decorator
@inline
function tnRows(R: i32, k: i32, a: usize, astep: usize, b: usize, bstep: usize, tile: usize, load: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  if (load) {
    c00 = v128.load(tile); c01 = v128.load(tile, 16);
    if (R > 1) { c10 = v128.load(tile, 32); c11 = v128.load(tile, 48); }
    if (R > 2) { c20 = v128.load(tile, 64); c21 = v128.load(tile, 80); }
    if (R > 3) { c30 = v128.load(tile, 96); c31 = v128.load(tile, 112); }
    if (R > 4) { c40 = v128.load(tile, 128); c41 = v128.load(tile, 144); }
  }
  for (let p = 0; p < k; p++) {
    const a0 = v128.load(a), a1 = v128.load(a, 16);
    let x = v128.load32_splat(b);
    c00 = madd(x, a0, c00); c01 = madd(x, a1, c01);
    if (R > 1) { x = v128.load32_splat(b, 4); c10 = madd(x, a0, c10); c11 = madd(x, a1, c11); }
    if (R > 2) { x = v128.load32_splat(b, 8); c20 = madd(x, a0, c20); c21 = madd(x, a1, c21); }
    if (R > 3) { x = v128.load32_splat(b, 12); c30 = madd(x, a0, c30); c31 = madd(x, a1, c31); }
    if (R > 4) { x = v128.load32_splat(b, 16); c40 = madd(x, a0, c40); c41 = madd(x, a1, c41); }
    a += astep; b += bstep;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  if (R > 1) { v128.store(tile, c10, 32); v128.store(tile, c11, 48); }
  if (R > 2) { v128.store(tile, c20, 64); v128.store(tile, c21, 80); }
  if (R > 3) { v128.store(tile, c30, 96); v128.store(tile, c31, 112); }
  if (R > 4) { v128.store(tile, c40, 128); v128.store(tile, c41, 144); }
}

function tn5(k: i32, a: usize, as: usize, b: usize, bs: usize, tile: usize, l: bool): void { tnRows(5, k, a, as, b, bs, tile, l); }
function tn4(k: i32, a: usize, as: usize, b: usize, bs: usize, tile: usize, l: bool): void { tnRows(4, k, a, as, b, bs, tile, l); }
function tn3(k: i32, a: usize, as: usize, b: usize, bs: usize, tile: usize, l: bool): void { tnRows(3, k, a, as, b, bs, tile, l); }
function tn2(k: i32, a: usize, as: usize, b: usize, bs: usize, tile: usize, l: bool): void { tnRows(2, k, a, as, b, bs, tile, l); }
function tn1(k: i32, a: usize, as: usize, b: usize, bs: usize, tile: usize, l: bool): void { tnRows(1, k, a, as, b, bs, tile, l); }

function tnTile(cols: i32, k: i32, a: usize, as: usize, b: usize, bs: usize, tile: usize, l: bool): void {
  if (cols == 5) tn5(k, a, as, b, bs, tile, l);
  else if (cols == 4) tn4(k, a, as, b, bs, tile, l);
  else if (cols == 3) tn3(k, a, as, b, bs, tile, l);
  else if (cols == 2) tn2(k, a, as, b, bs, tile, l);
  else tn1(k, a, as, b, bs, tile, l);
}

/**
 * C (m×n) = [C +] Aᵀ·B for 1 ≤ n, k ≥ 1, A stored k×m, B k×n (strides in floats).
 * `work` holds narrowWorkSize(k) floats and must not overlap A, B or C.
 */
export function gemmNarrowTN(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, work: usize): void {
  const ldab = <usize>lda << 2, ldbb = <usize>ldb << 2, ldcb = <usize>ldc << 2, fromC = accumulate != 0;
  const tile = work + (<usize>k << 5), rest = work;
  // Tiles of even height (8 = 4 + 4 rather than 5 + 3): the short one would pay more loads a multiply-add.
  const h = (n + (n + 4) / 5 - 1) / ((n + 4) / 5);
  for (let i = 0; i < m; i += 8) {
    const rows = min(8, m - i);
    const ap = a + (<usize>i << 2);
    if (rows < 8) {
      // The last rows of C: their k × rows block of A, zero-padded to 8 wide.
      let src = ap, dst = rest;
      for (let p = 0; p < k; p++) {
        for (let r = 0; r < 8; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
        src += ldab; dst += 32;
      }
    }
    const ci = c + <usize>i * ldcb;
    for (let j = 0; j < n; j += h) {
      const cols = min(h, n - j), cij = ci + (<usize>j << 2), bj = b + (<usize>j << 2);
      if (fromC) {
        for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) store<f32>(tile + (<usize>(q * 8 + r) << 2), load<f32>(cij + <usize>r * ldcb + (<usize>q << 2)));
      }
      // Two call sites keep the tiles out of this loop nest (see assembly/gemm.ts's tiles).
      if (rows == 8) tnTile(cols, k, ap, ldab, bj, ldbb, tile, fromC);
      else tnTile(cols, k, rest, 32, bj, ldbb, tile, fromC);
      for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) store<f32>(cij + <usize>r * ldcb + (<usize>q << 2), load<f32>(tile + (<usize>(q * 8 + r) << 2)));
    }
  }
}
