// Stored features kept as bytes (u8) or u16, widened to f32 as a batch is gathered:
// dst = f32(v)·scale + offset, a multiply then an add (never fused, in either build), so the
// result is the same float a host converting first computes.

/** dst[i][:] = src[idx[i]][:]·scale + offset for count rows of cols bytes (indices checked by the host); lds, ldd: row strides in elements. */
export function gatherRowsU8(src: usize, lds: i32, cols: i32, idx: usize, count: i32, scale: f32, offset: f32, dst: usize, ldd: i32): void {
  const body = <usize>(cols & ~7), s4 = f32x4.splat(scale), o4 = f32x4.splat(offset);
  for (let i = 0; i < count; i++) {
    const s = src + <usize>load<i32>(idx + (<usize>i << 2)) * <usize>lds;
    let j: usize = 0;
    for (; j < body; j += 8) {
      const v = v128.load8x8_u(s + j);
      const d = dst + (j << 2);
      v128.store(d, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(v)), s4), o4));
      v128.store(d + 16, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(v)), s4), o4));
    }
    for (; j < <usize>cols; j++) store<f32>(dst + (j << 2), <f32>load<u8>(s + j) * scale + offset);
    dst += <usize>ldd << 2;
  }
}

/** The same for rows of u16 values. */
export function gatherRowsU16(src: usize, lds: i32, cols: i32, idx: usize, count: i32, scale: f32, offset: f32, dst: usize, ldd: i32): void {
  const body = <usize>(cols & ~3), s4 = f32x4.splat(scale), o4 = f32x4.splat(offset);
  for (let i = 0; i < count; i++) {
    const s = src + <usize>load<i32>(idx + (<usize>i << 2)) * (<usize>lds << 1);
    let j: usize = 0;
    for (; j < body; j += 4) {
      v128.store(dst + (j << 2), f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(v128.load16x4_u(s + (j << 1))), s4), o4));
    }
    for (; j < <usize>cols; j++) store<f32>(dst + (j << 2), <f32>load<u16>(s + (j << 1)) * scale + offset);
    dst += <usize>ldd << 2;
  }
}
