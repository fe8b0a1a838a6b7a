// f32 GEMM: C (m×n) = [C +] op(A)·op(B), row-major, op = identity or transpose.
// BLIS-style: B is packed into 8-column panels, A into 5-row panels, and a 5×8
// register tile (10 accumulators) runs over a KC-deep slice. All three forms share
// the micro-kernel; only the packing differs, so NT and TN (the backward pass) run
// as fast as NN. A narrow C (NN, TN: a 10-class layer's products) runs assembly/narrow.ts's kernels,
// which sum every C value in the same order with the same madd.
import { madd } from "./simd";
import { gemmNarrowNN, gemmNarrowTN, narrowWorkSize } from "./narrow";

const MR: i32 = 5;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 40;
const NC: i32 = 256;

/** Floats of scratch the caller must provide in `work` (packed A, packed B, one edge tile). */
export function gemmWorkSize(): i32 {
  return MC * KC + KC * NC + MR * NR;
}

/**
 * R×8 micro-kernel (R ≤ 5 rows of C) over kc steps; `load` = start from C instead of zero. A's
 * 5 values of a step are side by side, `astep` bytes after the last step's: packed, or a transposed A
 * read in place (no packing: 10 % off the experts' 784 × 32 × 64 weight gradients).
 * Each value is splat as it is loaded: one broadcast load, as cheap as a vector load,
 * from a panel a quarter of the size of a pre-broadcast one, so a 40 × kc block of it
 * stays in L1 (11–12 % faster on the 784 × 64 layer's products, the same on 512³). Why 5×8: V8 does not fold loads into SIMD
 * arithmetic, so each step costs 2 + MR loads besides the 4·MR multiplies and adds, and
 * 5 rows is the most that fits its 15 usable xmm registers (10 accumulators, 2 B
 * vectors, A, a product) without spilling. Inlined into one function per R (tile5 … tile1),
 * with R a constant: a last panel of fewer rows (an expert's 32 rows: 6 × 5 + 2) runs only
 * its rows, every C value summed in the same order. Each must stay a separate function:
 * inlined into the loop nest, V8 unrolls the k loop, hoists every load to the top and runs slower.
 */
// @ts-ignore: decorator
@inline
function tileRows(R: i32, kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void {
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
  const end = bp + (<usize>kc << 5);
  while (bp < end) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    if (R > 1) { a = v128.load32_splat(ap, 4); c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); }
    if (R > 2) { a = v128.load32_splat(ap, 8); c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); }
    if (R > 3) { a = v128.load32_splat(ap, 12); c30 = madd(a, b0, c30); c31 = madd(a, b1, c31); }
    if (R > 4) { a = v128.load32_splat(ap, 16); c40 = madd(a, b0, c40); c41 = madd(a, b1, c41); }
    ap += astep; bp += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  if (R > 1) { v128.store(r1, c10); v128.store(r1, c11, 16); }
  if (R > 2) { v128.store(r2, c20); v128.store(r2, c21, 16); }
  if (R > 3) { v128.store(r3, c30); v128.store(r3, c31, 16); }
  if (R > 4) { v128.store(r4, c40); v128.store(r4, c41, 16); }
}

function tile5(kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void { tileRows(5, kc, ap, astep, bp, c, ldc, load); }
function tile4(kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void { tileRows(4, kc, ap, astep, bp, c, ldc, load); }
function tile3(kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void { tileRows(3, kc, ap, astep, bp, c, ldc, load); }
function tile2(kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void { tileRows(2, kc, ap, astep, bp, c, ldc, load); }
function tile1(kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void { tileRows(1, kc, ap, astep, bp, c, ldc, load); }

/** The micro-kernel over the first `rows` (1 … 5) rows of an A panel and C; full panels call tile5 directly (a k = 32 product runs ~1,000 tiles). */
function tile(rows: i32, kc: i32, ap: usize, astep: usize, bp: usize, c: usize, ldc: usize, load: bool): void {
  if (rows == 5) tile5(kc, ap, astep, bp, c, ldc, load);
  else if (rows == 4) tile4(kc, ap, astep, bp, c, ldc, load);
  else if (rows == 3) tile3(kc, ap, astep, bp, c, ldc, load);
  else if (rows == 2) tile2(kc, ap, astep, bp, c, ldc, load);
  else tile1(kc, ap, astep, bp, c, ldc, load);
}

/** Pack rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into 5-row panels (5 floats a step), zero-padded. */
function packA(transA: bool, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  // Element (i, p) of op(A) sits at a + i*si + p*sp.
  const si: usize = transA ? 4 : <usize>lda << 2;
  const sp: usize = transA ? <usize>lda << 2 : 4;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    let src = a + <usize>(i0 + ir) * si + <usize>p0 * sp;
    if (rows == MR) {
      const si2 = si << 1, si3 = si2 + si, si4 = si2 << 1;
      for (let p = 0; p < kc; p++) {
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + si), 4);
        store<f32>(dst, load<f32>(src + si2), 8);
        store<f32>(dst, load<f32>(src + si3), 12);
        store<f32>(dst, load<f32>(src + si4), 16);
        dst += 20; src += sp;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) {
          store<f32>(dst + (<usize>i << 2), i < rows ? load<f32>(src + <usize>i * si) : 0);
        }
        dst += 20; src += sp;
      }
    }
  }
}

/** Pack rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) into 8-column panels, zero-padded. */
function packB(transB: bool, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  const step = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (transB) {
      // B stored n×k: column j of op(B) is row j of B.
      const s0 = b + ((<usize>(j0 + jr) * ldb + p0) << 2);
      let p = 0;
      if (cols == NR) {
        // Four k steps at a time: load 4 values from each of the 8 rows, transpose 4×4 blocks.
        const s4 = s0 + (step << 2);
        for (; p + 4 <= kc; p += 4) {
          const o = <usize>p << 2;
          const x0 = v128.load(s0 + o), x1 = v128.load(s0 + step + o);
          const x2 = v128.load(s0 + (step << 1) + o), x3 = v128.load(s0 + step * 3 + o);
          const y0 = v128.load(s4 + o), y1 = v128.load(s4 + step + o);
          const y2 = v128.load(s4 + (step << 1) + o), y3 = v128.load(s4 + step * 3 + o);
          const xl0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), xl1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const xh0 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), xh1 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const yl0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), yl1 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
          const yh0 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), yh1 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
          v128.store(dst, v128.shuffle<f32>(xl0, xl1, 0, 1, 4, 5));
          v128.store(dst, v128.shuffle<f32>(yl0, yl1, 0, 1, 4, 5), 16);
          v128.store(dst, v128.shuffle<f32>(xl0, xl1, 2, 3, 6, 7), 32);
          v128.store(dst, v128.shuffle<f32>(yl0, yl1, 2, 3, 6, 7), 48);
          v128.store(dst, v128.shuffle<f32>(xh0, xh1, 0, 1, 4, 5), 64);
          v128.store(dst, v128.shuffle<f32>(yh0, yh1, 0, 1, 4, 5), 80);
          v128.store(dst, v128.shuffle<f32>(xh0, xh1, 2, 3, 6, 7), 96);
          v128.store(dst, v128.shuffle<f32>(yh0, yh1, 2, 3, 6, 7), 112);
          dst += 128;
        }
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), j < cols ? load<f32>(s0 + <usize>j * step + o) : 0);
        dst += 32;
      }
    } else {
      let src = b + ((<usize>p0 * ldb + j0 + jr) << 2);
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
          dst += 32; src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), j < cols ? load<f32>(src + (<usize>j << 2)) : 0);
          dst += 32; src += step;
        }
      }
    }
  }
}

/**
 * One row of C, columns [0, n): c = [c +] Σ_p a(p)·B[p] (`add` = keep c), a(p) at a + p*sa, B rows ldb apart.
 * 16 columns at a time (a whole cache line of each B row), k in slices of KC so the
 * slice of B stays in L2 while the few rows of a small-m product reuse it.
 */
function gemvRow(k: i32, n: i32, a: usize, sa: usize, b: usize, ldb: usize, c: usize, add: bool): void {
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const cj = c + (<usize>j << 2);
    let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
    if (add) { x0 = v128.load(cj); x1 = v128.load(cj, 16); x2 = v128.load(cj, 32); x3 = v128.load(cj, 48); }
    let bp = b + (<usize>j << 2), ap = a;
    for (let p = 0; p < k; p++) {
      const s = v128.load32_splat(ap);
      x0 = madd(s, v128.load(bp), x0); x1 = madd(s, v128.load(bp, 16), x1);
      x2 = madd(s, v128.load(bp, 32), x2); x3 = madd(s, v128.load(bp, 48), x3);
      ap += sa; bp += ldb;
    }
    v128.store(cj, x0); v128.store(cj, x1, 16); v128.store(cj, x2, 32); v128.store(cj, x3, 48);
  }
  for (; j < n; j++) {
    let x: f32 = add ? load<f32>(c + (<usize>j << 2)) : 0;
    let bp = b + (<usize>j << 2), ap = a;
    for (let p = 0; p < k; p++) { x += load<f32>(ap) * load<f32>(bp); ap += sa; bp += ldb; }
    store<f32>(c + (<usize>j << 2), x);
  }
}

/**
 * C = op(A)·op(B) (accumulate = 0) or C += op(A)·op(B) (accumulate = 1).
 * op(A) is m×k, op(B) is k×n; lda/ldb/ldc are row strides in floats of the stored matrices.
 * `work` must hold gemmWorkSize() floats and must not overlap A, B or C.
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  accumulate: i32, work: usize,
): void {
  // Narrow C (assembly/narrow.ts; measured 1 thread, m ≥ 128): NN 1.9–2.2× the GEMM's speed at
  // 9 … 12 columns, TN 1.2–2× up to 12 except at 8 (8 fill the GEMM's panel: it is as fast or
  // faster). Fewer than 5 rows keep the GEMM's row-by-row path: it sums the scalar tail unfused.
  if (m >= MR && n > 0 && n <= 12 && k > 0 && !transB && narrowWorkSize(k) <= gemmWorkSize()) {
    if (!transA && n > 8) return gemmNarrowNN(m, n, k, a, lda, b, ldb, c, ldc, accumulate, work);
    if (transA && n != 8) return gemmNarrowTN(m, n, k, a, lda, b, ldb, c, ldc, accumulate, work);
  }
  gemmPacked(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, work);
}

/** The GEMM without the narrow kernels: what they must match bit for bit (tests call it). */
export function gemmPacked(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  accumulate: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const ldcb = <usize>ldc << 2;
  if (k <= 0) {
    // Empty inner dimension: the product is zero.
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldcb, 0, <usize>n << 2);
    return;
  }
  if (m < MR && !transB) {
    // Few rows (inference on a handful of samples): packing B would cost more than the
    // product, so stream B's rows directly.
    const si: usize = transA ? 4 : <usize>lda << 2;
    const sp: usize = transA ? <usize>lda << 2 : 4;
    const ldbb = <usize>ldb << 2;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      for (let i = 0; i < m; i++) {
        gemvRow(kc, n, a + <usize>i * si + <usize>pc * sp, sp, b + <usize>pc * ldbb, ldbb, c + <usize>i * ldcb, accumulate != 0 || pc > 0);
      }
    }
    return;
  }
  const ap = work, bp = work + (<usize>(MC * KC) << 2), edge = bp + (<usize>(KC * NC) << 2);
  // Even k slices: 784 = 4×196 rather than 3×256 + 16, whose short tail would pay
  // the C traffic and packing of a whole slice for few flops.
  const kstep = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kstep) {
      const kc = min(kstep, k - pc);
      const load = accumulate != 0 || pc > 0;
      packB(transB != 0, b, ldb, pc, kc, jc, nc, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        // Stored transposed, op(A)'s 5 rows of a step lie side by side: full panels are read where they lie.
        const full = transA ? mc - mc % MR : 0;
        packA(transA != 0, a, lda, ic + full, mc - full, pc, kc, ap);
        // The A panel stays in L1 while the B panels stream from L2.
        for (let ir = 0; ir < mc; ir += MR) {
          const rows = min(MR, mc - ir);
          const inPlace = ir < full, astep: usize = inPlace ? <usize>lda << 2 : 20;
          const apanel = inPlace ? a + ((<usize>pc * lda + ic + ir) << 2) : ap + (<usize>((ir - full) * kc) << 2);
          for (let jr = 0; jr < nc; jr += NR) {
            const cols = min(NR, nc - jr);
            const bpanel = bp + (<usize>(jr * kc) << 2);
            const cij = c + <usize>(ic + ir) * ldcb + (<usize>(jc + jr) << 2);
            if (rows == MR && cols == NR) {
              tile5(kc, apanel, astep, bpanel, cij, ldcb, load);
            } else if (cols == NR) {
              tile(rows, kc, apanel, astep, bpanel, cij, ldcb, load);
            } else {
              // Edge tile: run the tile on a scratch block, copy the valid columns.
              if (load) {
                for (let i = 0; i < rows; i++) memory.copy(edge + (<usize>i << 5), cij + <usize>i * ldcb, <usize>cols << 2);
              }
              tile(rows, kc, apanel, astep, bpanel, edge, 32, load);
              for (let i = 0; i < rows; i++) memory.copy(cij + <usize>i * ldcb, edge + (<usize>i << 5), <usize>cols << 2);
            }
          }
        }
      }
    }
  }
}
