// exp for f32 without Math.exp (an f64 call per element is slow in wasm): Cephes' expf.
// x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-7 polynomial, 2^n built in the exponent
// bits. Relative error ≈ 1e-7 over the clamped range; inputs are clamped so 2^n stays a
// normal float: results below ~1.2e-38 flush to that bound, above ~2.4e38 saturate.

const LO: f32 = -87.33654;
const HI: f32 = 88.37626;
const LOG2E: f32 = 1.44269504088896341;
// ln2 split in two so n·C1 is exact.
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

/** e^x for four lanes. */
// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(LO)), f32x4.splat(HI));
  const fn = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fn, f32x4.splat(C1))), f32x4.mul(fn, f32x4.splat(C2)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fn), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** e^x for one value, the same arithmetic as exp4 (tails match the vector body). */
// @ts-ignore: decorator
@inline
export function exp1(x: f32): f32 {
  x = min(max(x, LO), HI);
  const fn = nearest(x * LOG2E);
  const r = x - fn * C1 - fn * C2;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  p = p * r * r + r + 1;
  return p * reinterpret<f32>((<i32>fn + 127) << 23);
}

/** out[i] = e^x[i] over n floats; out may be x. Exported so tests can hold it against Math.exp. */
export function expArray(x: usize, n: i32, out: usize): void {
  const end = x + (<usize>n << 2), end4 = x + (<usize>(n & ~3) << 2);
  while (x < end4) {
    v128.store(out, exp4(v128.load(x)));
    x += 16; out += 16;
  }
  while (x < end) {
    store<f32>(out, exp1(load<f32>(x)));
    x += 4; out += 4;
  }
}
