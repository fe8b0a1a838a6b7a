// The GEMM's narrow kernels (assembly/narrow.ts: NN with 9 … 12 columns of C, TN with at most 12
// but 8, as a 10-class layer's forward and weight gradient): against the reference over random narrow shapes
// incl. 0, 1 and non-multiples of 4, and bit for bit against the GEMM without them (gemmPacked),
// packed and on strided views, in both accumulate modes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { F32 } from '../src/backend/index.js';
import { gemmArgs } from '../src/backend/check.js';
import type { WasmBackend } from '../src/backend/wasm.js';
import { exec, twin, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';
import { layout, mat } from './util/views.js';

/** 0 … 16 columns: up to the narrow kernels' bound and past it. */
const COLS = Array.from({ length: 17 }, (_, i) => i);
const ROWS = [...SIZES, 128, 512];
const DEEP = [...SIZES, 128, 257];
type Form = 'NN' | 'TN' | 'unpacked';
const FORMS: Form[] = ['NN', 'TN', 'unpacked'];

function product(form: Form, m: number, n: number, k: number, a: F32, b: F32, c: F32, acc: boolean): void {
  if (form === 'unpacked') wasm.gemmUnpacked(m, n, k, a, b, c, acc);
  else wasm.gemm(form === 'TN', false, m, n, k, a, b, c, acc);
}

/** The GEMM without its narrow kernels, on the same buffers or views. */
function gemmPacked(transA: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, acc: boolean): void {
  const w = wasm as WasmBackend, ptr = (x: F32) => (w as unknown as { ptr(b: F32): number }).ptr(x);
  const { lda, ldb, ldc } = gemmArgs(transA, false, m, n, k, a, b, c);
  const work = wasm.alloc(w.k.gemmWorkSize());
  try {
    w.k.gemmPacked(+transA, 0, m, n, k, ptr(a), lda, ptr(b), ldb, ptr(c), ldc, +acc, ptr(work));
  } finally {
    wasm.free(work);
  }
}

test('narrow products (NN, TN, gemmUnpacked; n = 0 … 16) equal the reference, both accumulate modes', () => {
  const r = rng(SEED + 70);
  for (let t = 0; t < 150; t++) {
    const form = r.pick(FORMS), m = r.pick(ROWS), n = r.pick(COLS), k = r.pick(DEEP), acc = r.int(0, 2) === 1;
    const [w, ref] = twin([r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const, (b, [a, bb, c]) =>
      form === 'unpacked' ? b.gemmUnpacked(m, n, k, a, bb, c, acc) : b.gemm(form === 'TN', false, m, n, k, a, bb, c, acc));
    allClose(w.out[2], ref.out[2], 1e-6 * (1 + k), 1e-5, SEED + 70, `${form} ${m}×${n}×${k} accumulate=${acc}`);
  }
});

test('narrow products give the GEMM\'s bits (the same sums in the same order)', () => {
  const r = rng(SEED + 71);
  for (let t = 0; t < 150; t++) {
    const form = r.pick(FORMS), m = r.pick(ROWS), n = r.pick(COLS), k = r.pick(DEEP), acc = r.int(0, 2) === 1;
    const inputs = [r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const;
    const got = exec(wasm, inputs, ([a, b, c]) => product(form, m, n, k, a, b, c, acc));
    const want = exec(wasm, inputs, ([a, b, c]) => gemmPacked(form === 'TN', m, n, k, a, b, c, acc));
    const same = got.out[2].every((v, i) => Object.is(v, want.out[2][i]));
    assert.ok(same, `${form} ${m}×${n}×${k} accumulate=${acc} differs from the GEMM in some bit (seed ${SEED + 71})`);
  }
});

test('narrow products on strided views: the GEMM\'s bits, nothing outside touched', () => {
  const r = rng(SEED + 72);
  for (let t = 0; t < 60; t++) {
    const form = r.pick(FORMS), m = r.pick([5, 6, 9, 13, 37]), n = r.pick([1, 3, 4, 7, 8, 10, 12]), k = r.pick([1, 3, 9, 33]), acc = r.int(0, 2) === 1;
    const tA = form === 'TN';
    const ops = [tA ? mat(r.floats(k * m), k, m) : mat(r.floats(m * k), m, k), mat(r.floats(k * n), k, n), mat(r.floats(m * n), m, n)];
    const seed = r.int(0, 1 << 30);
    const strided = layout(wasm, ops, true, rng(seed), (bufs) => product(form, m, n, k, bufs[0] as F32, bufs[1] as F32, bufs[2] as F32, acc));
    const gemm = layout(wasm, ops, true, rng(seed), (bufs) => gemmPacked(tA, m, n, k, bufs[0] as F32, bufs[1] as F32, bufs[2] as F32, acc));
    assert.equal(strided.touched, [], `${form} ${m}×${n}×${k}: wrote outside the views (seed ${SEED + 72})`);
    allEqual(strided.out[2], gemm.out[2], SEED + 72, `${form} ${m}×${n}×${k} accumulate=${acc}: narrow vs GEMM on strided views`);
  }
});

test.run();
