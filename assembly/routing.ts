// Routing kernels: per-row top-k, and row gather / weighted scatter-add (dispatching
// tokens to experts and combining their outputs back).
import { madd } from "./simd";

/**
 * Per row of x (rows×cols): the k largest values, descending, ties → lower column first,
 * into values/indices (rows×k). Insertion into the sorted k-list: O(cols·k), fine for the
 * small k of routing. 0 ≤ k ≤ cols. ldx, ldv, ldi: the row strides of x, values, indices.
 */
export function topk(x: usize, ldx: i32, rows: i32, cols: i32, k: i32, values: usize, ldv: i32, indices: usize, ldi: i32): void {
  if (k <= 0) return;
  const last = <usize>(k - 1) << 2;
  for (let r = 0; r < rows; r++) {
    let filled = 0;
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(x + (<usize>j << 2));
      // A value equal to the current k-th comes from a higher column: it loses.
      if (filled == k && !(v > load<f32>(values + last))) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && load<f32>(values + (<usize>(p - 1) << 2)) < v) {
        const q = <usize>(p - 1) << 2;
        store<f32>(values + (<usize>p << 2), load<f32>(values + q));
        store<i32>(indices + (<usize>p << 2), load<i32>(indices + q));
        p--;
      }
      store<f32>(values + (<usize>p << 2), v);
      store<i32>(indices + (<usize>p << 2), j);
    }
    x += <usize>ldx << 2;
    values += <usize>ldv << 2; indices += <usize>ldi << 2;
  }
}

/** dst[i][:] = src[idx[i]][:] for count rows of cols floats (indices checked by the host); lds, ldd: row strides. */
export function gatherRows(src: usize, lds: i32, cols: i32, idx: usize, count: i32, dst: usize, ldd: i32): void {
  const rowBytes = <usize>cols << 2, srcStep = <usize>lds << 2;
  for (let i = 0; i < count; i++) {
    memory.copy(dst, src + <usize>load<i32>(idx + (<usize>i << 2)) * srcStep, rowBytes);
    dst += <usize>ldd << 2;
  }
}

/** dst[idx[i]][:] += w[i]·src[i][:] in order i = 0, 1, …; w 0 = all ones; lds, ldd: row strides. */
export function scatterAddRows(src: usize, lds: i32, cols: i32, idx: usize, count: i32, dst: usize, ldd: i32, w: usize): void {
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2, dstStep = <usize>ldd << 2;
  for (let i = 0; i < count; i++) {
    const d = dst + <usize>load<i32>(idx + (<usize>i << 2)) * dstStep;
    const s = w ? load<f32>(w + (<usize>i << 2)) : 1;
    const s4 = f32x4.splat(s);
    let j: usize = 0;
    for (; j < body; j += 16) v128.store(d + j, madd(s4, v128.load(src + j), v128.load(d + j)));
    for (; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(d + j) + s * load<f32>(src + j));
    src += <usize>lds << 2;
  }
}
