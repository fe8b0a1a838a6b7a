const LN2 = 0.6931471805599453;

/**
 * Natural log from + − × ÷ only: Math.log is "implementation-approximated" by the
 * spec and may differ in the last bit between engines. x = m·2^e with m in
 * [√½, √2); ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172, series to s^23.
 * For finite x > 0 (the caller's domain: the polar method's s in (0, 1)).
 */
export function portableLog(x: number): number {
  let e = 0;
  let m = x;
  while (m >= Math.SQRT2) {
    m *= 0.5;
    e++;
  }
  while (m < Math.SQRT1_2) {
    m *= 2;
    e--;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let sum = 0;
  for (let k = 23; k >= 3; k -= 2) sum = (sum + 1 / k) * s2;
  return e * LN2 + 2 * s * (1 + sum);
}
