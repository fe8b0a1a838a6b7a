// gemmUnpacked (neither operand packed: a router's x·W_r, an expert's first layer): against the
// reference over shapes incl. 0, 1, odd, n = 1 … 16 and wider, bit for bit against the wasm GEMM
// it stands in for, on strided views, and with bad shapes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { F32 } from '../src/backend/index.js';
import { SparseExpertsError } from '../src/errors.js';
import { exec, reference, twin, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';
import { layout, mat } from './util/views.js';

const COLS = Array.from({ length: 16 }, (_, i) => i + 1);

test('gemmUnpacked equals the reference over random shapes, n = 1 … 16 and wider, both accumulate modes', () => {
  const r = rng(SEED + 60);
  for (let t = 0; t < 120; t++) {
    const m = r.pick(SIZES), k = r.pick([...SIZES, 784]), n = t < 100 ? r.pick(COLS) : r.pick([0, 17, 24, 33, 64, 65, 80]), acc = r.int(0, 2) === 1;
    const [w, ref] = twin([r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const, (b, [a, bb, c]) => b.gemmUnpacked(m, n, k, a, bb, c, acc));
    // f32 sums against float64: the error grows with k.
    allClose(w.out[2], ref.out[2], 1e-6 * (1 + k), 1e-5, SEED + 60, `gemmUnpacked ${m}×${n}×${k} accumulate=${acc}`);
  }
});

test('gemmUnpacked gives the GEMM\'s bits (the same sums in the same order)', () => {
  const r = rng(SEED + 61);
  for (let t = 0; t < 80; t++) {
    const m = r.pick([...SIZES, 256]), k = r.pick([...SIZES, 257, 784]), n = r.pick([...COLS, 24, 64, 65]), acc = r.int(0, 2) === 1;
    const inputs = [r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const;
    const unpacked = exec(wasm, inputs, ([a, b, c]) => wasm.gemmUnpacked(m, n, k, a, b, c, acc));
    const gemm = exec(wasm, inputs, ([a, b, c]) => wasm.gemm(false, false, m, n, k, a, b, c, acc));
    const same = unpacked.out[2].every((v, i) => Object.is(v, gemm.out[2][i]));
    assert.ok(same, `gemmUnpacked ${m}×${n}×${k} accumulate=${acc} differs from gemm in some bit (seed ${SEED + 61})`);
  }
});

test('gemmUnpacked on strided views: the packed result, nothing outside touched', () => {
  const r = rng(SEED + 62);
  for (let t = 0; t < 30; t++) {
    const m = r.pick([1, 2, 5, 6, 11]), k = r.pick([1, 3, 4, 9]), n = r.pick([1, 3, 8, 12, 16]);
    const ops = [mat(r.floats(m * k), m, k), mat(r.floats(k * n), k, n), mat(r.floats(m * n), m, n)];
    for (const b of [wasm, reference]) {
      const run = (bufs: unknown[]) => b.gemmUnpacked(m, n, k, bufs[0] as F32, bufs[1] as F32, bufs[2] as F32, true);
      const packed = layout(b, ops, false, r, run), strided = layout(b, ops, true, r, run);
      assert.equal(strided.touched, [], `${b.name} gemmUnpacked ${m}×${n}×${k}: wrote outside the views (seed ${SEED + 62})`);
      allEqual(strided.out[2], packed.out[2], SEED + 62, `${b.name} gemmUnpacked ${m}×${n}×${k}: strided vs packed`);
    }
  }
});

test('gemmUnpacked: short buffers fail alike on both backends, nothing leaks', () => {
  for (const b of [wasm, reference]) {
    const before = b.stats();
    const a = b.alloc(6), w = b.alloc(4), c = b.alloc(6);
    for (const call of [() => b.gemmUnpacked(4, 2, 2, a, w, c), () => b.gemmUnpacked(3, 2, 3, a, w, c), () => b.gemmUnpacked(-1, 2, 2, a, w, c)]) {
      try {
        call();
        assert.unreachable(`${b.name} accepted bad arguments`);
      } catch (err) {
        assert.instance(err, SparseExpertsError);
      }
    }
    for (const x of [a, w, c]) b.free(x);
    assert.equal(b.stats().buffers, before.buffers);
    assert.equal(b.stats().bytesInUse, before.bytesInUse);
  }
});

test.run();
