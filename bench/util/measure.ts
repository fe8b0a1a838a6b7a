// Timing for benchmarks: warm up, then the median of several timed loops of at least a
// second each (the machine is shared, so one loop can be unlucky).

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface TimingOptions {
  /** Timed loops (the median is taken); at least 3. */
  loops?: number;
  /** Minimum length of each timed loop, ms. */
  minMs?: number;
  /** Warm-up before timing, ms: lets V8 tier up and caches fill. */
  warmMs?: number;
}

/** Median milliseconds per call of `fn`. */
export function msPerCall(fn: () => void, { loops = 3, minMs = 1000, warmMs = 300 }: TimingOptions = {}): number {
  const loop = (ms: number): number => {
    let calls = 0;
    const start = performance.now();
    let now = start;
    do {
      fn();
      calls++;
      now = performance.now();
    } while (now - start < ms);
    return (now - start) / calls;
  };
  loop(warmMs);
  return median(Array.from({ length: Math.max(3, loops) }, () => loop(minMs)));
}
