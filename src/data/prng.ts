// The one seeded generator of the library (init, shuffles, partitions): xoshiro128**
// seeded through splitmix32. Only 32-bit integer math (Math.imul, shifts) and IEEE
// + − × ÷ √ are used, so a seed gives the same bits in every JavaScript runtime.
import { fail } from '../errors.js';
import { portableLog } from './portable-log.js';

const TWO_NEG_32 = 2 ** -32;

/** splitmix32 step: the next state and its mixed output (a good 32-bit hash of a counter). */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed)) fail('ERR_BAD_ARGUMENT', `seed must be an integer, got ${seed}`);
  return seed >>> 0;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN; // the second normal of a polar pair
  /** The seed this stream was built from (fork() derives children from it). */
  readonly seed: number;

  constructor(seed: number) {
    this.seed = checkSeed(seed);
    let st = this.seed;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(st);
      st = next;
      words.push(out);
    }
    this.setState(words);
  }

  /** A generator resumed from state() (or from raw xoshiro128** words, not all zero). */
  static fromState(state: ArrayLike<number>): Rng {
    const rng = new Rng(0);
    rng.setState(Array.from(state));
    return rng;
  }

  /** The four 32-bit state words (unsigned) — enough to resume the stream exactly. */
  state(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  private setState(w: number[]): void {
    if (w.length !== 4 || w.some((v) => !Number.isInteger(v))) fail('ERR_BAD_ARGUMENT', 'state must be four 32-bit integers');
    if (w.every((v) => (v | 0) === 0)) fail('ERR_BAD_ARGUMENT', 'xoshiro128** state must not be all zero');
    this.s0 = w[0] | 0;
    this.s1 = w[1] | 0;
    this.s2 = w[2] | 0;
    this.s3 = w[3] | 0;
    this.spare = NaN;
  }

  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextU32() * TWO_NEG_32;
  }

  /** Standard normal N(0, 1) by Marsaglia's polar method (pairs; the spare is kept). */
  normal(): number {
    if (this.spare === this.spare) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * portableLog(s)) / s);
      this.spare = v * f;
      return u * f;
    }
  }

  /** Uniform integer in [0, n), unbiased (rejection of the short last block), 1 ≤ n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) fail('ERR_BAD_ARGUMENT', `int(n) needs an integer 1 ≤ n ≤ 2^32, got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  /** A uniformly random permutation of 0..n−1. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) fail('ERR_BAD_ARGUMENT', `permutation(n) needs an integer n ≥ 0, got ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /**
   * Child stream i, a function of (this.seed, i) only — not of how much of this stream
   * was drawn — so "expert i gets fork(i)" is the same whichever worker trains it.
   */
  fork(i: number): Rng {
    if (!Number.isInteger(i) || i < 0 || i > 0xffffffff) fail('ERR_BAD_ARGUMENT', `fork(i) needs an integer 0 ≤ i < 2^32, got ${i}`);
    const [, a] = splitmix32(this.seed ^ 0x5bd1e995);
    const [, b] = splitmix32((a + Math.imul(i, 0x27d4eb2f)) | 0);
    return new Rng(b);
  }
}
