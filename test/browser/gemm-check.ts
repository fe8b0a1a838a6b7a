// One GEMM check that runs wherever the library runs (a browser page, an edge VM, a
// CommonJS require): every form against the reference backend of the same bundle, on
// shapes with 0, 1 and non-multiples of 4 and 8.
import type { Backend } from '../../src/index.js';
import type { ReferenceBackend } from '../../src/backend/index.js';
import { allClose } from '../util/close.js';
import { rng } from '../util/prng.js';

export const GEMM_SHAPES: ReadonlyArray<readonly [m: number, n: number, k: number]> = [
  [0, 3, 5], [3, 0, 5], [3, 5, 0], [1, 1, 1], [5, 7, 3], [9, 17, 13], [33, 10, 31], [64, 40, 72],
];

/**
 * c = op(a)·op(b) and c += op(a)·op(b) in NN, NT and TN on `backend` vs `reference`.
 * Throws with the seed, form and shape on the first mismatch; returns how many products matched.
 */
export function checkGemm(backend: Backend, reference: ReferenceBackend, seed: number): number {
  const r = rng(seed);
  const forms = [[false, false], [false, true], [true, false]] as const;
  let checked = 0;
  for (const [m, n, k] of GEMM_SHAPES) {
    for (const [ta, tb] of forms) {
      for (const accumulate of [false, true]) {
        const [a, b, c0] = [r.floats(m * k), r.floats(k * n), r.floats(m * n)];
        const run = (be: Backend): Float32Array => {
          const [ba, bb, bc] = [be.upload(a), be.upload(b), be.upload(c0)];
          be.gemm(ta, tb, m, n, k, ba, bb, bc, accumulate);
          const out = be.read(bc);
          for (const buf of [ba, bb, bc]) be.free(buf);
          return out;
        };
        const form = `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`;
        allClose(run(backend), run(reference), 1e-5, 1e-4, seed, `gemm ${form} m=${m} n=${n} k=${k} accumulate=${accumulate}: c`);
        checked++;
      }
    }
  }
  return checked;
}
