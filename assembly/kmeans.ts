// Nearest-centroid assignment through the GEMM identity ‖x − c‖² = ‖x‖² − 2x·c + ‖c‖²,
// so the cross terms run at GEMM speed; rows go in blocks to bound the scratch.
import { gemm } from "./gemm";

function sqNorm(p: usize, n: i32): f32 {
  const bytes = <usize>n << 2, body = <usize>(n & ~3) << 2;
  let s4 = f32x4.splat(0);
  let j: usize = 0;
  for (; j < body; j += 16) {
    const v = v128.load(p + j);
    s4 = f32x4.add(s4, f32x4.mul(v, v));
  }
  let s = (f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1)) + (f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3));
  for (; j < bytes; j += 4) {
    const v = load<f32>(p + j);
    s += v * v;
  }
  return s;
}

/** Floats of scratch kmeansAssign needs for k centroids and blocks of `block` rows. */
export function kmeansWorkSize(k: i32, block: i32): i32 {
  return k + block * k;
}

/**
 * assign[i] = argmin_j ‖x_i − c_j‖² (ties → lower j), dist[i] = that distance clamped at 0.
 * x is rows×dims (row stride ldx), centroids k×dims (row stride ldc; k ≥ 1 when rows > 0).
 * `work` holds kmeansWorkSize(k, block) floats; `gemmWork` is the GEMM's scratch.
 */
export function kmeansAssign(x: usize, ldx: i32, rows: i32, dims: i32, centroids: usize, ldc: i32, k: i32, assign: usize, dist: usize, work: usize, block: i32, gemmWork: usize): void {
  const rowBytes = <usize>ldx << 2;
  const cn = work, prod = work + (<usize>k << 2);
  for (let j = 0; j < k; j++) store<f32>(cn + (<usize>j << 2), sqNorm(centroids + <usize>j * (<usize>ldc << 2), dims));
  for (let r0 = 0; r0 < rows; r0 += block) {
    const b = min(block, rows - r0);
    const xb = x + <usize>r0 * rowBytes;
    gemm(0, 1, b, k, dims, xb, ldx, centroids, ldc, prod, k, 0, gemmWork);
    for (let i = 0; i < b; i++) {
      const pr = prod + (<usize>(i * k) << 2);
      // ‖x‖² is the same for every centroid: pick by ‖c‖² − 2x·c, add it after.
      let best: f32 = Infinity, arg = 0;
      for (let j = 0; j < k; j++) {
        const d = load<f32>(cn + (<usize>j << 2)) - 2 * load<f32>(pr + (<usize>j << 2));
        if (d < best) { best = d; arg = j; }
      }
      const o = <usize>(r0 + i) << 2;
      store<i32>(assign + o, arg);
      store<f32>(dist + o, max(sqNorm(xb + <usize>i * rowBytes, dims) + best, 0));
    }
  }
}
