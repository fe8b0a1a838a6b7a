// Natural log without lookup tables (fdlibm's e_log.c, as AssemblyScript's shrink-level
// Math.log): the table-driven std version puts data segments in memory, which a
// threaded build would re-apply over live memory each time a thread instantiates it.

/** ln x for finite x ≥ 1 (a softmax denominator, which includes e^0). */
export function logAtLeastOne(x: f64): f64 {
  const
    ln2_hi = reinterpret<f64>(0x3FE62E42FEE00000),
    ln2_lo = reinterpret<f64>(0x3DEA39EF35793C76),
    Lg1 = reinterpret<f64>(0x3FE5555555555593),
    Lg2 = reinterpret<f64>(0x3FD999999997FA04),
    Lg3 = reinterpret<f64>(0x3FD2492494229359),
    Lg4 = reinterpret<f64>(0x3FCC71C51D8E78AF),
    Lg5 = reinterpret<f64>(0x3FC7466496CB03DE),
    Lg6 = reinterpret<f64>(0x3FC39A09D078C69F),
    Lg7 = reinterpret<f64>(0x3FC2F112DF3E5244);
  let u = reinterpret<u64>(x);
  let hx = u32(u >> 32);
  // Reduce x to 2^k·(1 + f) with √2/2 < 1 + f < √2.
  hx += 0x3FF00000 - 0x3FE6A09E;
  const k = (<i32>hx >> 20) - 0x3FF;
  hx = (hx & 0x000FFFFF) + 0x3FE6A09E;
  u = <u64>hx << 32 | (u & 0xFFFFFFFF);
  const f = reinterpret<f64>(u) - 1.0;
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const dk = <f64>k;
  return s * (hfsq + t2 + t1) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}
