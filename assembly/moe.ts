// Mixture-of-experts backward kernels: the per-slot dot product that is the router's
// gate gradient, and the weighted gather that hands each expert its share of dL/dy.
import { madd } from "./simd";

/**
 * out[i] = Σ_c a[r_i][c]·b[i][c] for count rows of cols floats, r_i = idx[i] (idx 0 → i;
 * indices checked by the host); lda, ldb: row strides. With a = dL/dy and b = an expert's
 * outputs, out is dL/dgate.
 */
export function rowDot(a: usize, lda: i32, cols: i32, idx: usize, count: i32, b: usize, ldb: i32, out: usize): void {
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2, aStep = <usize>lda << 2;
  for (let i = 0; i < count; i++) {
    const ar = a + (idx ? <usize>load<i32>(idx + (<usize>i << 2)) : <usize>i) * aStep;
    let s4 = f32x4.splat(0);
    let j: usize = 0;
    for (; j < body; j += 16) s4 = madd(v128.load(ar + j), v128.load(b + j), s4);
    let s = (f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1)) + (f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3));
    for (; j < rowBytes; j += 4) s += load<f32>(ar + j) * load<f32>(b + j);
    store<f32>(out + (<usize>i << 2), s);
    b += <usize>ldb << 2;
  }
}

/** dst[i][:] = w[i]·src[idx[i]][:] for count rows of cols floats (indices checked by the host); lds, ldd: row strides. */
export function gatherRowsScaled(src: usize, lds: i32, cols: i32, idx: usize, count: i32, w: usize, dst: usize, ldd: i32): void {
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2, srcStep = <usize>lds << 2;
  for (let i = 0; i < count; i++) {
    const s = src + <usize>load<i32>(idx + (<usize>i << 2)) * srcStep;
    const k = load<f32>(w + (<usize>i << 2)), k4 = f32x4.splat(k);
    let j: usize = 0;
    for (; j < body; j += 16) v128.store(dst + j, f32x4.mul(k4, v128.load(s + j)));
    for (; j < rowBytes; j += 4) store<f32>(dst + j, k * load<f32>(s + j));
    dst += <usize>ldd << 2;
  }
}
