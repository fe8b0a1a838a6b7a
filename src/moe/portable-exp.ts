// e^x from + − × ÷ only, as portableLog: Math.exp may differ in the last bit between
// engines, and the noisy router's softplus must give the same bits everywhere.
import { portableLog } from '../data/portable-log.js';

const LN2 = 0.6931471805599453;

/** e^x for x ≤ 0 (the callers' domain): x = n·ln2 + r, |r| ≤ ln2/2, Taylor to r^16, times 2^n exactly. */
function expNonPositive(x: number): number {
  if (x < -745) return 0;
  const n = Math.round(x / LN2), r = x - n * LN2;
  let sum = 1;
  for (let k = 16; k >= 1; k--) sum = 1 + (sum * r) / k;
  let scale = 1;
  for (let i = 0; i < -n; i++) scale *= 0.5;
  return sum * scale;
}

/** log(1 + e^z), stable for large |z|. */
export function softplus(z: number): number {
  const e = expNonPositive(-Math.abs(z));
  // 1 + e rounds e away when it is tiny: log(1 + e) ≈ e − e²/2 there.
  return Math.max(z, 0) + (e < 1e-5 ? e * (1 - e / 2) : portableLog(1 + e));
}

/** 1 / (1 + e^−z). */
export function sigmoid(z: number): number {
  const e = expNonPositive(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}
