// The mixture-of-experts kernels, wasm against the reference: per-row dot products
// (gate gradients) and the weighted row gather, over shapes incl. 0, 1 and odd.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { F32, I32 } from '../src/backend/index.js';
import { SparseExpertsError } from '../src/errors.js';
import { reference, twin, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';
import { layout, mat } from './util/views.js';

test('rowDot: plain and indexed rows equal the reference', () => {
  const r = rng(SEED + 40);
  for (let t = 0; t < 60; t++) {
    const aRows = r.pick(SIZES.filter((s) => s > 0)), cols = r.pick(SIZES), count = r.pick(SIZES), indexed = r.int(0, 2) === 1;
    const n = indexed ? count : Math.min(count, aRows);
    const [w, ref] = twin([r.floats(aRows * cols), r.ints(n, 0, aRows), r.floats(n * cols), r.floats(n)] as const,
      (b, [a, idx, bb, out]) => b.rowDot(a, cols, indexed ? idx : null, n, bb, out));
    // f32 lanes against float64: the error grows with the row length.
    allClose(w.out[3], ref.out[3], 1e-6 * (1 + cols), 1e-5, SEED + 40, `rowDot ${n}×${cols} indexed=${indexed}`);
  }
  const [w] = twin([new Float32Array([1, 2, 3, 4, 5, 6]), new Int32Array([1, 0]), new Float32Array([1, 1, 1, 2, 0, 1]), new Float32Array(2)] as const,
    (b, [a, idx, bb, out]) => b.rowDot(a, 3, idx, 2, bb, out));
  allEqual(w.out[3], [15, 5], 0, 'hand rowDot');
});

test('gatherRowsScaled: weighted copies of the indexed rows, repeats allowed', () => {
  const r = rng(SEED + 41);
  for (let t = 0; t < 40; t++) {
    const srcRows = r.pick(SIZES.filter((s) => s > 0)), cols = r.pick(SIZES), count = r.pick(SIZES);
    const [w, ref] = twin([r.floats(srcRows * cols), r.ints(count, 0, srcRows), r.floats(count), r.floats(count * cols)] as const,
      (b, [src, idx, wt, dst]) => b.gatherRowsScaled(src, cols, idx, count, wt, dst));
    allEqual(w.out[3], ref.out[3], SEED + 41, `gatherRowsScaled ${count} of ${srcRows}×${cols}`);
  }
});

test('both kernels on strided views at odd offsets: the packed result, nothing outside touched', () => {
  const r = rng(SEED + 42);
  for (let t = 0; t < 30; t++) {
    const rows = r.pick([1, 2, 3, 5, 9]), cols = r.pick([0, 1, 3, 4, 7, 17]), count = r.pick([0, 1, 2, 5, 9]), indexed = r.int(0, 2) === 1;
    const n = indexed ? count : Math.min(count, rows);
    const a = mat(r.floats(rows * cols), rows, cols), idx = { data: r.ints(n, 0, rows) };
    for (const b of [wasm, reference]) {
      const kernels = [
        [`rowDot ${n}×${cols} indexed=${indexed}`, [a, idx, mat(r.floats(n * cols), n, cols), { data: r.floats(n) }],
          (bufs: unknown[]) => b.rowDot(bufs[0] as F32, cols, indexed ? (bufs[1] as I32) : null, n, bufs[2] as F32, bufs[3] as F32)],
        [`gatherRowsScaled ${n} of ${rows}×${cols}`, [a, idx, { data: r.floats(n) }, mat(r.floats(n * cols), n, cols)],
          (bufs: unknown[]) => b.gatherRowsScaled(bufs[0] as F32, cols, bufs[1] as I32, n, bufs[2] as F32, bufs[3] as F32)],
      ] as const;
      for (const [what, ops, run] of kernels) {
        const packed = layout(b, [...ops], false, r, run), strided = layout(b, [...ops], true, r, run);
        assert.equal(strided.touched, [], `${b.name} ${what}: wrote outside the views (seed ${SEED + 42})`);
        packed.out.forEach((o, k) => allEqual(strided.out[k], o, SEED + 42, `${b.name} ${what}: operand ${k} strided vs packed`));
      }
    }
  }
});

test('bad indices and short buffers fail alike on both backends, nothing leaks', () => {
  for (const b of [wasm, reference]) {
    const before = b.stats();
    const a = b.upload(new Float32Array(6)), idx = b.upload(new Int32Array([0, 2])), out = b.alloc(2), wt = b.alloc(2);
    for (const call of [
      () => b.rowDot(a, 3, idx, 2, a, out),
      () => b.gatherRowsScaled(a, 3, idx, 2, wt, a),
      () => b.rowDot(a, 3, null, 3, a, out),
      () => b.gatherRowsScaled(a, 3, idx, 3, wt, a),
    ]) {
      try {
        call();
        assert.unreachable(`${b.name} accepted bad arguments`);
      } catch (err) {
        assert.instance(err, SparseExpertsError);
        assert.is((err as SparseExpertsError).code, 'ERR_BAD_SHAPE');
      }
    }
    for (const x of [a, idx, out, wt]) b.free(x);
    assert.equal(b.stats().buffers, before.buffers);
    assert.equal(b.stats().bytesInUse, before.bytesInUse);
  }
});

test.run();
