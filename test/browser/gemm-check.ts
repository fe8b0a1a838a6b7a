// One GEMM check that runs wherever the library runs (a browser page, an edge VM, a
// CommonJS require): every form against the reference backend of the same bundle, on
// shapes with 0, 1 and non-multiples of 4 and 8. No imports, so a page can run it as is.
import type { Backend, ReferenceBackend } from '../../src/index.js';

export const GEMM_SHAPES: ReadonlyArray<readonly [m: number, n: number, k: number]> = [
  [0, 3, 5], [3, 0, 5], [3, 5, 0], [1, 1, 1], [5, 7, 3], [9, 17, 13], [33, 10, 31], [64, 40, 72],
];

/** mulberry32: a seeded PRNG in [-1, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 31) - 1;
  };
}

/**
 * c = op(a)·op(b) and c += op(a)·op(b) in NN, NT and TN on `backend` vs `reference`.
 * Throws with the seed, form and shape on the first mismatch; returns how many products matched.
 */
export function checkGemm(backend: Backend, reference: ReferenceBackend, seed: number): number {
  const rand = prng(seed);
  const forms = [[false, false], [false, true], [true, false]] as const;
  let checked = 0;
  for (const [m, n, k] of GEMM_SHAPES) {
    for (const [ta, tb] of forms) {
      for (const accumulate of [false, true]) {
        const a = Float32Array.from({ length: m * k }, rand);
        const b = Float32Array.from({ length: k * n }, rand);
        const c0 = Float32Array.from({ length: m * n }, rand);
        const run = (be: Backend): Float32Array => {
          const [ba, bb, bc] = [be.upload(a), be.upload(b), be.upload(c0)];
          be.gemm(ta, tb, m, n, k, ba, bb, bc, accumulate);
          const out = be.read(bc);
          for (const buf of [ba, bb, bc]) be.free(buf);
          return out;
        };
        const got = run(backend), want = run(reference);
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]))) {
            const form = `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`;
            throw new Error(`gemm ${form} m=${m} n=${n} k=${k} accumulate=${accumulate} seed=${seed}: c[${i}] = ${got[i]}, reference ${want[i]}`);
          }
        }
        checked++;
      }
    }
  }
  return checked;
}
