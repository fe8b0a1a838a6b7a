// Sub-buffer views and row strides: every kernel that takes row-major matrices gives, on
// views at odd offsets with strides wider than the rows, exactly what it gives on packed
// buffers, leaves everything outside the views alone, and the two backends agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import type { Activation, Buf, F32, I32 } from '../src/backend/index.js';
import { SparseExpertsError } from '../src/index.js';
import { reference, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng, type Rng } from './util/prng.js';
import { type Operand, layout, mat } from './util/views.js';

/** Edge sizes listed explicitly: empty, one, odd, and past a SIMD width. */
const EDGE = [0, 1, 2, 3, 5, 7, 9, 17] as const;
const CASES = 30;

type Kernel = (b: Backend, bufs: Buf[]) => unknown;

/**
 * For both backends: packed vs strided layouts give bit-identical operands and return
 * value, nothing outside the views changes; then wasm vs reference within tolerance.
 */
function check(what: string, seed: number, r: Rng, ops: Operand[], kernel: Kernel, atol = 1e-5, rtol = 1e-4): void {
  const results = [wasm, reference].map((b) => {
    const packed = layout(b, ops, false, r, (bufs) => kernel(b, bufs));
    const strided = layout(b, ops, true, r, (bufs) => kernel(b, bufs));
    assert.equal(strided.touched, [], `${b.name} ${what}: wrote outside the views (seed ${seed})`);
    packed.out.forEach((o, k) => allEqual(strided.out[k], o, seed, `${b.name} ${what}: operand ${k} strided vs packed`));
    if (typeof packed.ret === 'number') allEqual([strided.ret as number], [packed.ret], seed, `${b.name} ${what}: return value`);
    return strided;
  });
  results[0].out.forEach((o, k) => allClose(o, results[1].out[k], atol, rtol, seed, `${what}: operand ${k} wasm vs reference`));
}

const f = (b: Buf) => b as F32;
const i = (b: Buf) => b as I32;

test('gemm NN/NT/TN on strided views, with and without accumulate', () => {
  const r = rng(SEED + 60);
  for (let t = 0; t < CASES; t++) {
    const [m, n, k] = [r.pick([...EDGE, 41]), r.pick([...EDGE, 23]), r.pick([...EDGE, 260])];
    const ta = r.int(0, 2) === 1, tb = !ta && r.int(0, 2) === 1, acc = r.int(0, 2) === 1;
    const ops = [mat(r.floats(m * k), ta ? k : m, ta ? m : k), mat(r.floats(k * n), tb ? n : k, tb ? k : n), mat(r.floats(m * n), m, n)];
    check(`gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k} acc=${acc}`, SEED + 60, r, ops, (b, [a, bb, c]) => b.gemm(ta, tb, m, n, k, f(a), f(bb), f(c), acc), 1e-5, 1e-4);
  }
});

test('biasAct, actBackward (rows of cols), colSum, softmax on strided views', () => {
  const r = rng(SEED + 61);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick(EDGE), cols = r.pick(EDGE), act: Activation = r.pick(['relu', 'identity'] as const), acc = r.int(0, 2) === 1;
    const x = mat(r.floats(rows * cols), rows, cols), out = mat(r.floats(rows * cols), rows, cols), vec = { data: r.floats(cols) };
    check(`biasAct ${act} ${rows}×${cols}`, SEED + 61, r, [x, vec, out], (b, [xx, bias, o]) => b.biasAct(f(xx), f(bias), rows, cols, act, f(o)), 0, 0);
    const y = mat(r.floats(rows * cols).map((v) => Math.max(v, 0)), rows, cols); // relu outputs: many exact zeros
    check(`actBackward ${act} ${rows}×${cols}`, SEED + 61, r, [x, y, out], (b, [dy, yy, dx]) => b.actBackward(f(dy), f(yy), rows * cols, act, f(dx), cols), 0, 0);
    check(`colSum ${rows}×${cols} acc=${acc}`, SEED + 61, r, [x, vec], (b, [xx, o]) => b.colSum(f(xx), rows, cols, f(o), acc));
    check(`softmax ${rows}×${cols}`, SEED + 61, r, [x, out], (b, [xx, o]) => b.softmax(f(xx), rows, cols, f(o)), 1e-6, 1e-5);
  }
});

test('softmaxCrossEntropy on strided logits, probs and grad', () => {
  const r = rng(SEED + 62);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick(EDGE), cols = r.pick(EDGE.filter((c) => c > 0)), withGrad = r.int(0, 2) === 1;
    const m = () => mat(r.floats(rows * cols, -4, 4), rows, cols);
    const ops = [m(), { data: r.ints(rows, 0, cols) }, m(), m()];
    check(`softmaxCrossEntropy ${rows}×${cols} grad=${withGrad}`, SEED + 62, r, ops,
      (b, [z, l, p, g]) => b.softmaxCrossEntropy(f(z), i(l), rows, cols, f(p), withGrad ? f(g) : null), 1e-6, 1e-4);
  }
});

test('topk, gatherRows, scatterAddRows on strided views', () => {
  const r = rng(SEED + 63);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick(EDGE), cols = r.pick(EDGE), k = r.int(0, cols + 1), count = r.pick(EDGE), weighted = r.int(0, 2) === 1;
    // Few distinct values, so ties are common.
    const x = mat(Float32Array.from({ length: rows * cols }, () => r.int(-3, 4) / 2), rows, cols);
    check(`topk ${rows}×${cols} k=${k}`, SEED + 63, r, [x, mat(r.floats(rows * k), rows, k), mat(r.ints(rows * k, 0, 9), rows, k)],
      (b, [xx, v, ix]) => b.topk(f(xx), rows, cols, k, f(v), i(ix)), 0, 0);
    if (rows === 0 && count > 0) continue; // no rows to index
    const idx = { data: r.ints(count, 0, rows) };
    check(`gatherRows ${count} of ${rows}×${cols}`, SEED + 63, r, [x, idx, mat(r.floats(count * cols), count, cols)],
      (b, [src, ix, dst]) => b.gatherRows(f(src), cols, i(ix), count, f(dst)), 0, 0);
    check(`scatterAddRows ${count} into ${rows}×${cols} weighted=${weighted}`, SEED + 63, r,
      [mat(r.floats(count * cols), count, cols), idx, mat(r.floats(rows * cols), rows, cols), { data: r.floats(count) }],
      (b, [src, ix, dst, w]) => b.scatterAddRows(f(src), cols, i(ix), count, f(dst), weighted ? f(w) : null), 1e-6, 1e-5);
  }
});

test('csrMatmul (dense operand and output) and matmulCsrT on strided views', () => {
  const r = rng(SEED + 64);
  for (let t = 0; t < CASES; t++) {
    const [m, n, k] = [r.pick([...EDGE, 37]), r.pick(EDGE), r.pick(EDGE)], acc = r.int(0, 2) === 1;
    const sparse = Float32Array.from({ length: m * k }, () => (r.uniform(0, 1) < 0.3 ? r.uniform(-2, 2) : 0));
    const product = (b: Backend, run: (csr: ReturnType<Backend['denseToCsr']>) => void) => {
      const d = b.upload(sparse), csr = b.denseToCsr(d, m, k, 0);
      try { run(csr); } finally { b.freeCsr(csr); b.free(d); }
    };
    check(`csrMatmul ${m}×${k} · ${k}×${n} acc=${acc}`, SEED + 64, r, [mat(r.floats(k * n), k, n), mat(r.floats(m * n), m, n)],
      (b, [bb, c]) => product(b, (a) => b.csrMatmul(a, f(bb), n, f(c), acc)));
    // W is m×k here (out × in): x is n×k, c n×m.
    check(`matmulCsrT ${n}×${k} · (${m}×${k})ᵀ acc=${acc}`, SEED + 64, r, [mat(r.floats(n * k), n, k), mat(r.floats(n * m), n, m)],
      (b, [x, c]) => product(b, (w) => b.matmulCsrT(f(x), n, w, f(c), acc)));
  }
});

test('kmeansAssign on strided points and centroids', () => {
  const r = rng(SEED + 65);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick([...EDGE, 300]), dims = r.pick(EDGE), k = r.pick(EDGE.filter((c) => c > 0));
    // Integer coordinates far apart: the nearest centroid is unambiguous on both backends.
    const x = Float32Array.from({ length: rows * dims }, () => r.int(-3, 4)), c = Float32Array.from({ length: k * dims }, () => r.int(-3, 4) + 0.25 * r.int(0, 2));
    const ops = [mat(x, rows, dims), mat(c, k, dims), { data: new Int32Array(rows) }, { data: new Float32Array(rows) }];
    const results = [wasm, reference].map((b) => {
      const packed = layout(b, ops, false, r, ([xx, cc, a, d]) => b.kmeansAssign(f(xx), rows, dims, f(cc), k, i(a), f(d)));
      const strided = layout(b, ops, true, r, ([xx, cc, a, d]) => b.kmeansAssign(f(xx), rows, dims, f(cc), k, i(a), f(d)));
      assert.equal(strided.touched, [], `${b.name} kmeans: wrote outside the views (seed ${SEED + 65})`);
      packed.out.forEach((o, j) => allEqual(strided.out[j], o, SEED + 65, `${b.name} kmeans ${rows}×${dims} k=${k}: operand ${j}`));
      return strided;
    });
    allClose(results[0].out[3], results[1].out[3], 1e-4, 1e-4, SEED + 65, `kmeans ${rows}×${dims} k=${k}: distances wasm vs reference`);
  }
});

test('one expert\'s rows of a batch: a gemm on a view equals the gemm on a copy', () => {
  // The use case: rows [r0, r0 + n) of a batch, multiplied in place without a copy.
  const r = rng(SEED + 66);
  const [rows, d, h, r0, n] = [50, 13, 7, 17, 21];
  const x = r.floats(rows * d), w = r.floats(h * d);
  for (const b of [wasm, reference]) {
    const before = b.stats();
    const X = b.upload(x), W = b.upload(w), out = b.alloc(n * h), copy = b.upload(x.slice(r0 * d, (r0 + n) * d)), want = b.alloc(n * h);
    const view = b.subBuffer(X, r0 * d, n * d);
    assert.is(b.stats().buffers, before.buffers + 5, `${b.name}: a view allocates nothing`);
    b.gemm(false, true, n, h, d, view, W, out);
    b.gemm(false, true, n, h, d, copy, W, want);
    allEqual(b.read(out), b.read(want), SEED + 66, `${b.name}: view vs copy`);
    allEqual(b.read(view), x.slice(r0 * d, (r0 + n) * d), SEED + 66, `${b.name}: read through the view`);
    b.write(view, [42], 3);
    assert.is(b.read(X)[r0 * d + 3], 42, `${b.name}: the view aliases its parent`);
    for (const buf of [X, W, out, copy, want]) b.free(buf);
    assert.equal(b.stats(), { ...before, highWater: b.stats().highWater }, `${b.name}: everything freed`);
  }
});

test('a view of a view composes offsets; a block of columns keeps its stride', () => {
  for (const b of [wasm, reference]) {
    const parent = b.upload(Float32Array.from({ length: 40 }, (_, j) => j)); // 5 rows of 8
    const tail = b.subBuffer(b.subBuffer(parent, 3, 30), 4, 20);
    allEqual(b.read(tail), Float32Array.from({ length: 20 }, (_, j) => 7 + j), 0, `${b.name}: offsets add up`);
    // Columns 2..4 of rows 1..4, then its rows 1..3 through a view of the view.
    const block = b.subBuffer(parent, 8 + 2, 3 * 8 + 3, 8);
    const lower = b.subBuffer(block, 8, 2 * 8 + 3);
    assert.is(lower.stride, 8, `${b.name}: the stride is inherited`);
    const sums = b.alloc(3);
    b.colSum(lower, 3, 3, sums);
    allEqual(b.read(sums), [18 + 26 + 34, 19 + 27 + 35, 20 + 28 + 36], 0, `${b.name}: column sums of the block`);
    b.free(sums);
    b.free(parent);
  }
});

test('a view outliving its freed parent → ERR_BUFFER_FREED; freeing a view → ERR_BAD_ARGUMENT', () => {
  for (const b of [wasm, reference]) {
    const before = b.stats();
    const parent = b.alloc(16), out = b.alloc(16);
    const view = b.subBuffer(b.subBuffer(parent, 1, 12), 2, 8, 4);
    const code = (call: () => unknown): string | undefined => {
      try {
        call();
      } catch (err) {
        assert.instance(err, SparseExpertsError);
        return (err as SparseExpertsError).code;
      }
      return undefined;
    };
    assert.is(code(() => b.free(view)), 'ERR_BAD_ARGUMENT', `${b.name}: free of a view`);
    assert.is(code(() => b.read(view)), 'ERR_BAD_ARGUMENT', `${b.name}: element-wise read of a strided view`);
    b.free(parent);
    assert.is(code(() => b.softmax(view, 2, 4, out)), 'ERR_BUFFER_FREED', `${b.name}: a view of a freed parent`);
    assert.is(code(() => b.subBuffer(view, 0, 1)), 'ERR_BUFFER_FREED', `${b.name}: a view of a dead view`);
    b.free(out);
    assert.equal(b.stats().buffers, before.buffers, `${b.name}: nothing leaked`);
  }
});

test.run();
