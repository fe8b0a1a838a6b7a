// Checks the host runs before a kernel that would index memory with caller data:
// a label or row index out of range, or a malformed CSR, must fail in TypeScript, not
// read or write outside its buffers.

/** Index of the first of n i32 values outside [0, limit), or -1. */
export function firstBadIndex(idx: usize, n: i32, limit: i32): i32 {
  for (let i = 0; i < n; i++) {
    if (<u32>load<i32>(idx + (<usize>i << 2)) >= <u32>limit) return i;
  }
  return -1;
}

/** 1 if rowPtr runs from 0 to nnz without decreasing and every column is in [0, cols). */
export function csrValid(rowPtr: usize, colIdx: usize, rows: i32, cols: i32, nnz: i32): i32 {
  if (load<i32>(rowPtr) != 0 || load<i32>(rowPtr + (<usize>rows << 2)) != nnz) return 0;
  for (let r = 0; r < rows; r++) {
    const p = rowPtr + (<usize>r << 2);
    if (load<i32>(p, 4) < load<i32>(p)) return 0;
  }
  return firstBadIndex(colIdx, nnz, cols) < 0 ? 1 : 0;
}
