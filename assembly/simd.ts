// One switch between the plain SIMD build and the relaxed-SIMD (FMA) build.

/** a·b + c: fused in the relaxed build, separate multiply and add otherwise. */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
