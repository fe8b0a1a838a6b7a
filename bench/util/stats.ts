// Spread for benchmarks: median and inter-quartile range of repeated measurements (the
// machine is shared, so a lone figure says little).

/** The q-quantile of xs (linear between closest ranks, as numpy's default). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q, lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export interface Spread {
  median: number;
  /** Third quartile minus first. */
  iqr: number;
  q1: number;
  q3: number;
  n: number;
}

export function spread(xs: readonly number[]): Spread {
  const q1 = quantile(xs, 0.25), q3 = quantile(xs, 0.75);
  return { median: median(xs), iqr: q3 - q1, q1, q3, n: xs.length };
}

/** "12.3 (11.9–12.8)": the median and, in brackets, the first to third quartile. */
export function formatSpread(s: Spread, digits = 1, unit = ''): string {
  return `${s.median.toFixed(digits)}${unit} (${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)})`;
}

/** For --json: the median and IQR rounded to `digits`. */
export function jsonSpread(s: Spread, digits = 2): { median: number; iqr: number } {
  return { median: +s.median.toFixed(digits), iqr: +s.iqr.toFixed(digits) };
}
