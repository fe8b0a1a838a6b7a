// Parameter updates: Adam (Keras semantics, bias correction folded into lrT by the host)
// and SGD with momentum, each with decoupled decay or L2, an L1 proximal shrink and an
// optional mask (0 pins a weight at exactly zero). The scalar tail runs the same vector
// arithmetic on one lane (load32_zero / store32_lane), so every element rounds alike.

// @ts-ignore: decorator
@inline
function ld(p: usize, one: bool): v128 {
  return one ? v128.load32_zero(p) : v128.load(p);
}

// @ts-ignore: decorator
@inline
function st(p: usize, v: v128, one: bool): void {
  if (one) v128.store32_lane(p, v, 0);
  else v128.store(p, v);
}

/** sign(w)·max(|w| − s, 0), written so |w| ≤ s gives exactly 0. */
// @ts-ignore: decorator
@inline
function shrinkBy(w: v128, s: v128): v128 {
  return f32x4.sub(w, f32x4.min(f32x4.max(w, f32x4.neg(s)), s));
}

/**
 * Moments below 1e-30 become 0: a weight whose gradient stays 0 (a pixel that is always 0)
 * would otherwise decay its moments into denormals, which wasm cannot flush and the CPU
 * computes ~100× slower. The change to w is ≤ lrT·1e-30/ε, far below any weight's ulp.
 */
// @ts-ignore: decorator
@inline
function flushTiny(x: v128): v128 {
  return flushTinyPositive(f32x4.abs(x), x);
}

/** flushTiny of x ≥ 0 (or NaN) given |x|: one operation fewer. */
// @ts-ignore: decorator
@inline
function flushTinyPositive(abs: v128, x: v128): v128 {
  return v128.and(x, f32x4.ge(abs, f32x4.splat(1e-30)));
}

// @ts-ignore: decorator
@inline
function adamAt(
  o: usize, one: bool, plain: bool, param: usize, grad: usize, m: usize, v: usize, mask: usize,
  lrT: v128, b1: v128, c1: v128, b2: v128, c2: v128, eps: v128, decay: v128, shrink: v128,
): void {
  let g = ld(grad + o, one);
  let keep = i32x4.splat(-1);
  if (!plain && mask) {
    keep = f32x4.ne(ld(mask + o, one), f32x4.splat(0));
    g = v128.and(g, keep);
  }
  const mt = flushTiny(f32x4.add(f32x4.mul(b1, ld(m + o, one)), f32x4.mul(c1, g)));
  const vt0 = f32x4.add(f32x4.mul(b2, ld(v + o, one)), f32x4.mul(c2, f32x4.mul(g, g)));
  const vt = flushTinyPositive(vt0, vt0);
  let w = ld(param + o, one);
  if (!plain) w = f32x4.sub(w, f32x4.mul(decay, w));
  w = f32x4.sub(w, f32x4.div(f32x4.mul(lrT, mt), f32x4.add(f32x4.sqrt(vt), eps)));
  // Without decay and shrink both steps leave w as it is, except that they turn −0 into +0: so does + 0.
  w = plain ? f32x4.add(w, f32x4.splat(0)) : v128.and(shrinkBy(w, shrink), keep);
  st(m + o, mt, one); st(v + o, vt, one); st(param + o, w, one);
}

/**
 * Adam over n floats: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², w ← w − decay·w,
 * w ← w − lrT·m/(√v + ε), then the shrink; moments below 1e-30 flush to 0 (flushTiny).
 * lrT = lr·√(1−β2^t)/(1−β1^t), decay = lr·wd, shrink = lr·l1. 1 − β comes from the host in
 * f64: f32(1) − f32(0.999) is off by 1e-5.
 * mask 0 = none; a masked element sees a zero gradient and ends at 0.
 */
export function adam(
  param: usize, grad: usize, m: usize, v: usize, mask: usize, n: i32,
  lrT: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32, decay: f32, shrink: f32,
): void {
  const l = f32x4.splat(lrT), b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), e = f32x4.splat(eps);
  const c1 = f32x4.splat(oneMinusBeta1), c2 = f32x4.splat(oneMinusBeta2);
  const d = f32x4.splat(decay), s = f32x4.splat(shrink);
  const bytes = <usize>n << 2, body = <usize>(n & ~3) << 2;
  let o: usize = 0;
  if (!mask && decay == 0 && shrink == 0) {
    // The common case gets its own loop: the general one (mask, decay, shrink) runs 2.2× slower per element.
    for (; o < body; o += 16) adamAt(o, false, true, param, grad, m, v, 0, l, b1, c1, b2, c2, e, d, s);
    for (; o < bytes; o += 4) adamAt(o, true, true, param, grad, m, v, 0, l, b1, c1, b2, c2, e, d, s);
    return;
  }
  for (; o < body; o += 16) adamAt(o, false, false, param, grad, m, v, mask, l, b1, c1, b2, c2, e, d, s);
  for (; o < bytes; o += 4) adamAt(o, true, false, param, grad, m, v, mask, l, b1, c1, b2, c2, e, d, s);
}

// @ts-ignore: decorator
@inline
function sgdAt(o: usize, one: bool, param: usize, grad: usize, vel: usize, mask: usize, lr: v128, mom: v128, l2: v128, shrink: v128): void {
  let w = ld(param + o, one);
  let g = f32x4.add(ld(grad + o, one), f32x4.mul(l2, w));
  let keep = i32x4.splat(-1);
  if (mask) {
    keep = f32x4.ne(ld(mask + o, one), f32x4.splat(0));
    g = v128.and(g, keep);
  }
  if (vel) {
    const vt = f32x4.sub(f32x4.mul(mom, ld(vel + o, one)), f32x4.mul(lr, g));
    st(vel + o, vt, one);
    w = f32x4.add(w, vt);
  } else {
    w = f32x4.sub(w, f32x4.mul(lr, g));
  }
  st(param + o, v128.and(shrinkBy(w, shrink), keep), one);
}

/**
 * SGD over n floats (Keras momentum): g ← g + l2·w; with a velocity buffer
 * vel ← momentum·vel − lr·g, w ← w + vel, else w ← w − lr·g; then the shrink
 * (shrink = lr·l1). vel 0 = none, mask 0 = none.
 */
export function sgd(param: usize, grad: usize, vel: usize, mask: usize, n: i32, lr: f32, momentum: f32, l2: f32, shrink: f32): void {
  const l = f32x4.splat(lr), mo = f32x4.splat(momentum), c = f32x4.splat(l2), s = f32x4.splat(shrink);
  const bytes = <usize>n << 2, body = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < body; o += 16) sgdAt(o, false, param, grad, vel, mask, l, mo, c, s);
  for (; o < bytes; o += 4) sgdAt(o, true, param, grad, vel, mask, l, mo, c, s);
}
