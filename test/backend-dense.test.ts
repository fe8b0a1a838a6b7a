// Dense kernels, wasm against the reference twin: GEMM in every form, bias + activation,
// activation backward, column sums, softmax, softmax cross-entropy, and the polynomial exp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WasmBackend } from '../src/backend/wasm.js';
import { type Activation, createBackend } from '../src/backend/index.js';
import { twin, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';

const CASES = 40;

test('gemm NN/NT/TN, with and without accumulate, matches the reference', () => {
  const r = rng(SEED);
  for (let t = 0; t < CASES; t++) {
    const [m, n, k] = [r.pick([...SIZES, 70]), r.pick([...SIZES, 300]), r.pick([...SIZES, 100, 300])];
    const ta = r.int(0, 2) === 1, tb = r.int(0, 2) === 1, acc = r.int(0, 2) === 1;
    if (ta && tb) continue; // not a form the library uses
    const [w, ref] = twin([r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const, (b, [a, bb, c]) => b.gemm(ta, tb, m, n, k, a, bb, c, acc));
    allClose(w.out[2], ref.out[2], 1e-5, 1e-4, SEED, `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k} acc=${acc}`);
  }
});

test('gemm NN/NT/TN at the edges: m, n, k of 0, 1 and non-multiples of 4, every combination', () => {
  const r = rng(SEED + 9);
  const forms = [[false, false], [false, true], [true, false]] as const;
  for (const [ta, tb] of forms) {
    for (const m of [0, 1, 3, 5, 6, 9, 17]) {
      for (const n of [0, 1, 4, 7, 33]) {
        for (const k of [0, 1, 2, 9]) {
          for (const acc of [false, true]) {
            const [w, ref] = twin([r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const, (b, [a, bb, c]) => b.gemm(ta, tb, m, n, k, a, bb, c, acc));
            allClose(w.out[2], ref.out[2], 1e-5, 1e-4, SEED + 9, `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k} acc=${acc}`);
          }
        }
      }
    }
  }
});

test('gemm: a row of C does not depend on the rows computed with it (last panels of 1–4 rows sum as full ones), in every form', () => {
  const r = rng(SEED + 13), n = 19, k = 300, rows = 12;
  const forms = [[false, false], [false, true], [true, false], [true, true]] as const;
  for (const [ta, tb] of forms) {
    const a = r.floats(rows * k), bb = r.floats(k * n), c0 = r.floats(rows * n);
    for (const acc of [false, true]) {
      const [whole] = twin([a, bb, c0] as const, (b, [x, y, c]) => b.gemm(ta, tb, rows, n, k, x, y, c, acc));
      for (const m of [6, 7, 8, 9]) {
        // op(A)'s first m rows: for a stored-transposed A, its first m columns.
        const am = ta ? Float32Array.from({ length: k * m }, (_, i) => a[Math.floor(i / m) * rows + (i % m)]) : a.subarray(0, m * k);
        const [part] = twin([am, bb, c0.slice(0, m * n)] as const, (b, [x, y, c]) => b.gemm(ta, tb, m, n, k, x, y, c, acc));
        assert.equal(Array.from(part.out[2] as Float32Array), Array.from((whole.out[2] as Float32Array).subarray(0, m * n)), `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m} of ${rows} rows acc=${acc}`);
      }
    }
  }
});

test('gemm TT matches the reference', () => {
  const r = rng(SEED + 11);
  for (let t = 0; t < CASES / 2; t++) {
    const [m, n, k] = [r.pick([...SIZES, 8]), r.pick([...SIZES, 300]), r.pick([...SIZES, 300])], acc = r.int(0, 2) === 1;
    const [w, ref] = twin([r.floats(m * k), r.floats(k * n), r.floats(m * n)] as const, (b, [a, bb, c]) => b.gemm(true, true, m, n, k, a, bb, c, acc));
    allClose(w.out[2], ref.out[2], 1e-5, 1e-4, SEED + 11, `gemm TT ${m}×${n}×${k} acc=${acc}`);
  }
});

test('gemm packs within its scratch: the buffer allocated right after it is untouched by the largest slices', async () => {
  // A backend of its own (not the default): its GEMM scratch comes first, so a buffer allocated next lies just past it.
  const b = await createBackend({ build: wasm.name === 'wasm-relaxed' ? 'relaxed' : 'simd', threads: 1 });
  const guard = b.upload(new Float32Array(1 << 16).fill(7));
  const r = rng(SEED + 12), [m, n, k] = [41, 300, 600];
  const a = b.upload(r.floats(m * k)), bb = b.upload(r.floats(k * n)), c = b.alloc(m * n);
  b.gemm(false, false, m, n, k, a, bb, c);
  assert.ok(b.read(guard).every((x) => x === 7), 'gemm wrote past its scratch');
  for (const buf of [guard, a, bb, c]) b.free(buf);
});

test('biasAct: relu and identity, with and without bias, in place', () => {
  const r = rng(SEED + 1);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick(SIZES), cols = r.pick(SIZES), act: Activation = r.pick(['relu', 'identity'] as const);
    const withBias = r.int(0, 2) === 1, inPlace = r.int(0, 2) === 1;
    const [w, ref] = twin([r.floats(rows * cols), r.floats(cols), r.floats(rows * cols)] as const, (b, [x, bias, out]) =>
      b.biasAct(x, withBias ? bias : null, rows, cols, act, inPlace ? x : out));
    const o = inPlace ? 0 : 2;
    allClose(w.out[o], ref.out[o], 0, 0, SEED + 1, `biasAct ${act} ${rows}×${cols}`);
  }
});

test('actBackward: relu mask from y > 0, identity passes, dx may be dy', () => {
  const r = rng(SEED + 2);
  for (let t = 0; t < CASES; t++) {
    const n = r.pick(SIZES) * r.int(1, 4), act: Activation = r.pick(['relu', 'identity'] as const), inPlace = r.int(0, 2) === 1;
    const y = r.floats(n).map((v) => Math.max(v, 0)); // relu outputs: many exact zeros
    const [w, ref] = twin([r.floats(n), y, r.floats(n)] as const, (b, [dy, yy, dx]) => b.actBackward(dy, yy, n, act, inPlace ? dy : dx));
    const o = inPlace ? 0 : 2;
    allClose(w.out[o], ref.out[o], 0, 0, SEED + 2, `actBackward ${act} n=${n}`);
  }
});

test('colSum: plain and accumulate', () => {
  const r = rng(SEED + 3);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick([...SIZES, 200]), cols = r.pick(SIZES), acc = r.int(0, 2) === 1;
    const [w, ref] = twin([r.floats(rows * cols), r.floats(cols)] as const, (b, [x, out]) => b.colSum(x, rows, cols, out, acc));
    allClose(w.out[1], ref.out[1], 1e-5, 1e-5, SEED + 3, `colSum ${rows}×${cols} acc=${acc}`);
  }
});

test('exp kernel: relative error < 1e-6 against Math.exp over [-87, 88]', () => {
  const k = (wasm as WasmBackend).k;
  const n = 100_003;
  const x = Float32Array.from({ length: n }, (_, i) => -87 + (175 * i) / (n - 1));
  const buf = wasm.upload(x);
  try {
    const p = (wasm as unknown as { ptr(b: unknown): number }).ptr(buf);
    k.expArray(p, n, p);
    const got = wasm.read(buf);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - Math.exp(x[i])) / Math.exp(x[i]));
    assert.ok(worst < 1e-6, `worst relative error ${worst}`);
  } finally {
    wasm.free(buf);
  }
});

test('softmax: rows sum to 1 and match the reference, in place too; large logits stay finite', () => {
  const r = rng(SEED + 4);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick(SIZES), cols = r.pick(SIZES.filter((s) => s > 0)), inPlace = r.int(0, 2) === 1;
    const x = r.floats(rows * cols, -30, 30);
    if (rows > 0 && t % 5 === 0) x[0] = 1e30; // max-shift keeps this finite
    const [w, ref] = twin([x, r.floats(rows * cols)] as const, (b, [xx, out]) => b.softmax(xx, rows, cols, inPlace ? xx : out));
    const o = inPlace ? 0 : 1;
    allClose(w.out[o], ref.out[o], 1e-7, 1e-5, SEED + 4, `softmax ${rows}×${cols}`);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += w.out[o][i * cols + j];
      assert.ok(Math.abs(s - 1) < 1e-5, `row ${i} sums to ${s} (seed ${SEED + 4})`);
    }
  }
});

test('softmaxCrossEntropy: probs, gradient and mean loss match; default scale is 1/rows', () => {
  const r = rng(SEED + 5);
  for (let t = 0; t < CASES; t++) {
    const rows = r.pick(SIZES), cols = r.pick(SIZES.filter((s) => s > 0));
    const scale = t % 3 === 0 ? undefined : r.uniform(0.01, 2), withGrad = t % 4 !== 1;
    const x = r.floats(rows * cols, -40, 40);
    const [w, ref] = twin([x, r.ints(rows, 0, cols), r.floats(rows * cols), r.floats(rows * cols)] as const, (b, [lg, lb, p, g]) =>
      b.softmaxCrossEntropy(lg, lb, rows, cols, p, withGrad ? g : null, scale));
    const what = `sce ${rows}×${cols} scale=${scale}`;
    allClose([w.ret], [ref.ret], 1e-5, 1e-5, SEED + 5, `${what} loss`);
    allClose(w.out[2], ref.out[2], 1e-7, 1e-5, SEED + 5, `${what} probs`);
    if (withGrad) allClose(w.out[3], ref.out[3], 1e-7, 1e-5, SEED + 5, `${what} grad`);
  }
});

test('softmaxCrossEntropy: hand-computed loss and gradient', () => {
  const [w] = twin([new Float32Array([0, Math.log(3)]), new Int32Array([1]), new Float32Array(2), new Float32Array(2)] as const,
    (b, [lg, lb, p, g]) => b.softmaxCrossEntropy(lg, lb, 1, 2, p, g));
  // p = [1/4, 3/4]; loss = −log(3/4); grad = p − [0, 1].
  allClose([w.ret], [-Math.log(0.75)], 1e-7, 1e-6, 0, 'loss');
  allClose(w.out[2], [0.25, 0.75], 1e-7, 1e-6, 0, 'probs');
  allClose(w.out[3], [0.25, -0.25], 1e-7, 1e-6, 0, 'grad');
});

test('softmaxCrossEntropy: a vanishing label probability gives the capped loss −log(2^-126)', () => {
  const [w, ref] = twin([new Float32Array([0, 500]), new Int32Array([0]), new Float32Array(2)] as const,
    (b, [lg, lb, p]) => b.softmaxCrossEntropy(lg, lb, 1, 2, p, null));
  allClose([w.ret, ref.ret], [126 * Math.LN2, 126 * Math.LN2], 1e-5, 1e-6, 0, 'capped loss');
});

test.run();
