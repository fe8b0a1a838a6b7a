// Unpacked products: C (m×n) = [C +] A·B with neither operand packed. The GEMM packs A into
// panels so that one block of it serves many B panels, and B so that it streams; when the
// product is small in one direction the copies do not pay: a router's logits x·W_r (n = E:
// one or two B panels, yet a 256 × 784 batch copied for 1.6 M multiply-adds: 133 → 85 µs)
// or an expert's first layer (~32 rows: its 784 × 64 weights copied for 7 row panels,
// 97 → 90 µs). Here A's rows are read where they lie, 5 at a time, against 8-column panels of
// B, in place when n is a multiple of 8 (else packed zero-padded). Every C value is summed as
// the GEMM sums it — from C or 0, then p = 0, 1, … k − 1, one madd each — so both give the
// same bits.
import { madd } from "./simd";

const NR: i32 = 8;

/** Floats of scratch gemmUnpacked needs in `work` for k and n (0 when B is read in place). */
export function gemmUnpackedWorkSize(k: i32, n: i32): i32 {
  return n % NR == 0 ? 0 : ((n + NR - 1) / NR) * NR * k + 5 * NR;
}

/**
 * R×8 tile (R ≤ 5 rows of A and C) over k steps. A's row r, step p at a + r·lda + 4p; B's
 * step p at b + p·bstep (8 floats). Inlined into one function per R, as the GEMM's tiles.
 */
// @ts-ignore: decorator
@inline
function unpackedRows(R: i32, k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc;
  if (load) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    if (R > 1) { c10 = v128.load(r1); c11 = v128.load(r1, 16); }
    if (R > 2) { c20 = v128.load(r2); c21 = v128.load(r2, 16); }
    if (R > 3) { c30 = v128.load(r3); c31 = v128.load(r3, 16); }
    if (R > 4) { c40 = v128.load(r4); c41 = v128.load(r4, 16); }
  }
  const a1 = lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda;
  const end = a + (<usize>k << 2);
  while (a < end) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    if (R > 1) { x = v128.load32_splat(a + a1); c10 = madd(x, b0, c10); c11 = madd(x, b1, c11); }
    if (R > 2) { x = v128.load32_splat(a + a2); c20 = madd(x, b0, c20); c21 = madd(x, b1, c21); }
    if (R > 3) { x = v128.load32_splat(a + a3); c30 = madd(x, b0, c30); c31 = madd(x, b1, c31); }
    if (R > 4) { x = v128.load32_splat(a + a4); c40 = madd(x, b0, c40); c41 = madd(x, b1, c41); }
    a += 4; b += bstep;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  if (R > 1) { v128.store(r1, c10); v128.store(r1, c11, 16); }
  if (R > 2) { v128.store(r2, c20); v128.store(r2, c21, 16); }
  if (R > 3) { v128.store(r3, c30); v128.store(r3, c31, 16); }
  if (R > 4) { v128.store(r4, c40); v128.store(r4, c41, 16); }
}

function unpacked5(k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void { unpackedRows(5, k, a, lda, b, bstep, c, ldc, load); }
function unpacked4(k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void { unpackedRows(4, k, a, lda, b, bstep, c, ldc, load); }
function unpacked3(k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void { unpackedRows(3, k, a, lda, b, bstep, c, ldc, load); }
function unpacked2(k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void { unpackedRows(2, k, a, lda, b, bstep, c, ldc, load); }
function unpacked1(k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void { unpackedRows(1, k, a, lda, b, bstep, c, ldc, load); }

function unpackedTile(rows: i32, k: i32, a: usize, lda: usize, b: usize, bstep: usize, c: usize, ldc: usize, load: bool): void {
  if (rows == 5) unpacked5(k, a, lda, b, bstep, c, ldc, load);
  else if (rows == 4) unpacked4(k, a, lda, b, bstep, c, ldc, load);
  else if (rows == 3) unpacked3(k, a, lda, b, bstep, c, ldc, load);
  else if (rows == 2) unpacked2(k, a, lda, b, bstep, c, ldc, load);
  else unpacked1(k, a, lda, b, bstep, c, ldc, load);
}

/**
 * C (m×n) = A·B (accumulate = 0) or C += A·B (accumulate = 1), A m×k, B k×n, all
 * row-major with row strides lda, ldb, ldc in floats. `work` holds gemmUnpackedWorkSize(k, n)
 * floats (B's zero-padded panels and an edge tile) and must not overlap A, B or C.
 */
export function gemmUnpacked(
  m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const ldcb = <usize>ldc << 2, ldab = <usize>lda << 2;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcb, 0, <usize>n << 2);
    return;
  }
  const fromC = accumulate != 0, inPlace = n % NR == 0, panels = (n + NR - 1) / NR;
  const bstep: usize = inPlace ? <usize>ldb << 2 : 32, panelBytes: usize = inPlace ? 32 : <usize>k << 5;
  const edge = work + panelBytes * panels;
  if (!inPlace) {
    for (let jp = 0; jp < panels; jp++) {
      const cols = min(NR, n - jp * NR);
      let src = b + (<usize>(jp * NR) << 2), dst = work + panelBytes * jp;
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), j < cols ? load<f32>(src + (<usize>j << 2)) : 0);
        src += <usize>ldb << 2; dst += 32;
      }
    }
  }
  for (let i = 0; i < m; i += 5) {
    const rows = min(5, m - i), ai = a + <usize>i * ldab, ci = c + <usize>i * ldcb;
    for (let jp = 0; jp < panels; jp++) {
      const cols = min(NR, n - jp * NR), bp = (inPlace ? b : work) + panelBytes * jp, cij = ci + (<usize>(jp * NR) << 2);
      if (cols == NR) {
        if (rows == 5) unpacked5(k, ai, ldab, bp, bstep, cij, ldcb, fromC);
        else unpackedTile(rows, k, ai, ldab, bp, bstep, cij, ldcb, fromC);
      } else {
        // Fewer than 8 columns: run the tile on a scratch block, copy the valid ones.
        if (fromC) for (let r = 0; r < rows; r++) memory.copy(edge + (<usize>r << 5), cij + <usize>r * ldcb, <usize>cols << 2);
        unpackedTile(rows, k, ai, ldab, bp, 32, edge, 32, fromC);
        for (let r = 0; r < rows; r++) memory.copy(cij + <usize>r * ldcb, edge + (<usize>r << 5), <usize>cols << 2);
      }
    }
  }
}
