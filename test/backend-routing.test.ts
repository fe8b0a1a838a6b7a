// Clustering and routing kernels, wasm against the reference: k-means assignment, top-k,
// row gather and weighted scatter-add.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { twin } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';

test('kmeansAssign: the chosen centroid is a nearest one and distances match', () => {
  const r = rng(SEED + 20);
  for (let t = 0; t < 40; t++) {
    const rows = r.pick([...SIZES, 300, 600]), dims = r.pick(SIZES), k = r.pick(SIZES.filter((s) => s > 0));
    const x = r.floats(rows * dims, -3, 3), c = r.floats(k * dims, -3, 3);
    const [w, ref] = twin([x, c, new Int32Array(rows), new Float32Array(rows)] as const, (b, [xx, cc, a, d]) => b.kmeansAssign(xx, rows, dims, cc, k, a, d));
    const what = `kmeans ${rows}×${dims} k=${k}`;
    // The GEMM identity rounds differently from Σ(x − c)²: compare distances, not indices.
    // Worst over 60 seeds, both builds: 9.2e-5 at dims = 64, i.e. 0.19 of this bound.
    const tol = 1e-5 * (1 + dims);
    allClose(w.out[3], ref.out[3], tol, 0, SEED + 20, `${what} dist`);
    const got = w.out[2];
    for (let i = 0; i < rows; i++) {
      let d = 0;
      for (let p = 0; p < dims; p++) d += (x[i * dims + p] - c[got[i] * dims + p]) ** 2;
      assert.ok(got[i] >= 0 && got[i] < k && d <= ref.out[3][i] + tol, `${what}: row ${i} → ${got[i]} at ${d}, nearest ${ref.out[2][i]} at ${ref.out[3][i]} (seed ${SEED + 20})`);
    }
  }
});

test('kmeansAssign: ties go to the lower centroid index', () => {
  const [w, ref] = twin([new Float32Array([0, 0]), new Float32Array([1, 0, -1, 0, 0, 1]), new Int32Array(1), new Float32Array(1)] as const,
    (b, [x, c, a, d]) => b.kmeansAssign(x, 1, 2, c, 3, a, d));
  allEqual([w.out[2][0], ref.out[2][0]], [0, 0], 0, 'tie');
  allClose([w.out[3][0]], [1], 1e-6, 0, 0, 'tie distance');
});

test('topk: values descending, ties to the lower column, equal to the reference', () => {
  const r = rng(SEED + 21);
  for (let t = 0; t < 60; t++) {
    const rows = r.pick(SIZES), cols = r.pick(SIZES), k = r.int(0, cols + 1);
    // Few distinct values, so ties are common.
    const x = Float32Array.from({ length: rows * cols }, () => r.int(-3, 4) / 2);
    const [w, ref] = twin([x, new Float32Array(rows * k), new Int32Array(rows * k)] as const, (b, [xx, v, i]) => b.topk(xx, rows, cols, k, v, i));
    allEqual(w.out[1], ref.out[1], SEED + 21, `topk ${rows}×${cols} k=${k} values`);
    allEqual(w.out[2], ref.out[2], SEED + 21, `topk ${rows}×${cols} k=${k} indices`);
  }
  const [w] = twin([new Float32Array([1, 3, 3, 2, 3]), new Float32Array(3), new Int32Array(3)] as const, (b, [x, v, i]) => b.topk(x, 1, 5, 3, v, i));
  allEqual(w.out[2], [1, 2, 4], 0, 'hand topk');
});

test('gatherRows copies the indexed rows, repeats allowed', () => {
  const r = rng(SEED + 22);
  for (let t = 0; t < 40; t++) {
    const srcRows = r.pick(SIZES.filter((s) => s > 0)), cols = r.pick(SIZES), count = r.pick(SIZES);
    const [w, ref] = twin([r.floats(srcRows * cols), r.ints(count, 0, srcRows), r.floats(count * cols)] as const,
      (b, [src, idx, dst]) => b.gatherRows(src, cols, idx, count, dst));
    allEqual(w.out[2], ref.out[2], SEED + 22, `gather ${count} of ${srcRows}×${cols}`);
  }
});

test('scatterAddRows accumulates weighted rows, duplicates in order', () => {
  const r = rng(SEED + 23);
  for (let t = 0; t < 40; t++) {
    const dstRows = r.pick(SIZES.filter((s) => s > 0)), cols = r.pick(SIZES), count = r.pick(SIZES), weighted = r.int(0, 2) === 1;
    const [w, ref] = twin([r.floats(count * cols), r.ints(count, 0, dstRows), r.floats(dstRows * cols), r.floats(count)] as const,
      (b, [src, idx, dst, wt]) => b.scatterAddRows(src, cols, idx, count, dst, weighted ? wt : null));
    allClose(w.out[2], ref.out[2], 1e-6, 1e-5, SEED + 23, `scatter ${count} into ${dstRows}×${cols} weighted=${weighted}`);
  }
});

test.run();
