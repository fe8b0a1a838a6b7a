// Cutting one kernel call into pieces that write disjoint parts of its output, for the
// intra-op pool (src/backend/threads.ts). Cuts fall where every output element still runs
// the same instructions as in the uncut call, so any cut gives the same bits:
// - gemm: whole columns at multiples of 16 (gemvRow's 16-wide blocks and its scalar tail
//   stay where they were) or whole rows at multiples of 5 (the register tile's height; the
//   packed path's 40-row blocks only group packing), never leaving a last piece of under 5
//   rows, which would switch to the few-rows path;
// - CSR products, row kernels and row gathers: whole rows; element-wise kernels, column sums and
//   scatter-adds (whose rows may meet in one destination row): columns at multiples of 16.

/** The kernels the pool can run, by index (the control block carries the index). */
export const POOLED = [
  'gemm', 'csrMatmul', 'matmulCsrT', 'biasAct', 'softmax', 'actBackward', 'colSum', 'adam', 'sgd',
  'gatherRows', 'gatherRowsU8', 'gatherRowsU16', 'gatherRowsScaled', 'scatterAddRows', 'rowDot', 'topk', 'gemmUnpacked',
] as const;
export type Pooled = (typeof POOLED)[number];
export const FN = Object.fromEntries(POOLED.map((name, i) => [name, i])) as Record<Pooled, number>;

/**
 * Kernels that take scratch: the argument that gets the running thread's GEMM scratch, or
 * 'shared' for the backend's one scratch buffer (such a call is never held for a job of several
 * calls: the buffer is one, and may move before the job runs).
 */
export const SCRATCH: Partial<Record<Pooled, number | 'shared'>> = { gemm: 12, gemmUnpacked: 10, matmulCsrT: 'shared' };

const MR = 5;

/** 0 = b0 < b1 < … < n: n cut into at most `parts` pieces at multiples of `unit`. */
export function cuts(n: number, parts: number, unit: number): number[] {
  const at = [0];
  for (let i = 1; i < parts; i++) {
    const b = Math.round((n * i) / parts / unit) * unit;
    if (b > at[at.length - 1] && b < n) at.push(b);
  }
  at.push(n);
  return at;
}

/** Pieces of gemm's arguments (as KernelExports.gemm takes them), piece p scratch work[p]. */
export function gemmPieces(
  parts: number, transA: number, transB: number, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number, work: readonly number[],
): number[][] {
  // Each piece packs all of the uncut operand again: cut the larger side.
  if (m > n && !(m < MR && !transB)) {
    const at = cuts(m, parts, MR);
    if (at.length > 2 && m - at[at.length - 2] < MR) at.splice(at.length - 2, 1);
    return spans(at, (i0, i1, p) => [transA, transB, i1 - i0, n, k, a + (transA ? i0 : i0 * lda) * 4, lda, b, ldb, c + i0 * ldc * 4, ldc, acc, work[p]]);
  }
  return spans(cuts(n, parts, 16), (j0, j1, p) => [transA, transB, m, j1 - j0, k, a, lda, b + (transB ? j0 * ldb : j0) * 4, ldb, c + j0 * 4, ldc, acc, work[p]]);
}

/** One argument list per span [at[p], at[p+1]). */
export function spans(at: readonly number[], piece: (from: number, to: number, p: number) => number[]): number[][] {
  const out: number[][] = [];
  for (let p = 0; p + 1 < at.length; p++) out.push(piece(at[p], at[p + 1], p));
  return out;
}
