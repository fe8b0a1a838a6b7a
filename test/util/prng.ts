// A seeded PRNG for tests (mulberry32): never Math.random, so every failure replays.

/** The base seed: SEED from the environment, else a fixed one. */
export const SEED = Number(process.env.SEED ?? 20240601);

export interface Rng {
  /** Uniform in [lo, hi). */
  uniform(lo?: number, hi?: number): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  /** n uniform floats in [lo, hi). */
  floats(n: number, lo?: number, hi?: number): Float32Array;
  /** n integers in [lo, hi). */
  ints(n: number, lo: number, hi: number): Int32Array;
  /** One element of xs. */
  pick<T>(xs: readonly T[]): T;
}

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const uniform = (lo = -1, hi = 1): number => lo + (hi - lo) * next();
  const int = (lo: number, hi: number): number => lo + Math.floor((hi - lo) * next());
  return {
    uniform,
    int,
    floats: (n, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => uniform(lo, hi)),
    ints: (n, lo, hi) => Int32Array.from({ length: n }, () => int(lo, hi)),
    pick: (xs) => xs[int(0, xs.length)],
  };
}

/** Sizes every kernel test draws from: 0, 1, and non-multiples of 4 and 8. */
export const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64] as const;
