// The intra-op pool: every pooled kernel on 1, 2 and 3 threads over one shared memory, on
// odd shapes large enough to be cut, against the reference and bit for bit against 1 thread.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WasmBackend } from '../src/backend/wasm.js';
import type { Backend } from '../src/index.js';
import { type F32, type I32, backendFor, createBackend, kernelRef } from '../src/backend/index.js';
import { FN, cuts, gemmPieces } from '../src/backend/split.js';
import { FAILED, FINISHED, SPIN_MS, TICKET, argsAt, claimPieces, pieceAt, waitWhile, word } from '../src/backend/thread-control.js';
import { type ThreadPool, setCoreShare } from '../src/backend/threads.js';
import type { Arr } from './util/backends.js';
import { exec, reference } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const pools: Backend[] = await Promise.all([1, 2, 3].map((threads) => createBackend({ build: 'simd', threads })));
const [one] = pools;

/** Runs `run` on every pool and the reference; checks closeness to the reference and identity with 1 thread. */
function onAll(seed: number, what: string, arrays: readonly Arr[], run: (b: Backend, bufs: F32[]) => void, outs: number[], atol = 1e-5, rtol = 1e-4): void {
  const cut = pools.map((b) => (b as WasmBackend).pooledCalls);
  const ref = exec(reference, arrays, (bufs) => run(reference, bufs as unknown as F32[]));
  const base = exec(one, arrays, (bufs) => run(one, bufs as unknown as F32[]));
  for (const o of outs) allClose(base.out[o], ref.out[o], atol, rtol, seed, `${what} vs reference`);
  for (const b of pools.slice(1)) {
    const got = exec(b, arrays, (bufs) => run(b, bufs as unknown as F32[]));
    for (const o of outs) allEqual(got.out[o], base.out[o], seed, `${what} on ${b.threads} threads vs 1`);
  }
  assert.equal(pools.map((b, i) => (b as WasmBackend).pooledCalls > cut[i]), [false, true, true], `${what} was cut into pieces (seed ${seed})`);
}

test('the pools run the shared-memory build on the threads asked for', () => {
  assert.equal(pools.map((b) => [kernelRef(b).build, b.threads]), [['simd', 1], ['simd-threads', 2], ['simd-threads', 3]]);
});

test('gemm in every form, strided and accumulating, is bit-identical on 1, 2 and 3 threads', () => {
  const r = rng(SEED + 40);
  // Few rows (the gemv path, cut by columns), tall (cut by rows, a short last block), wide, transposed.
  const shapes = [[3, 6001, 97], [4, 2523, 161], [211, 9, 901], [85, 13, 1433], [67, 131, 191], [129, 257, 53]];
  for (const [m, n, k] of shapes) {
    for (const [ta, tb] of [[false, false], [false, true], [true, false]]) {
      const acc = r.int(0, 2) === 1, pad = r.int(0, 3);
      const [ra, ca] = ta ? [k, m] : [m, k], [rb, cb] = tb ? [n, k] : [k, n];
      // a and c as strided views (a leading dimension wider than the matrix).
      const lda = ca + pad, ldc = n + pad;
      onAll(SEED + 40, `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k} acc=${acc} pad=${pad}`,
        [r.floats(ra * lda), r.floats(rb * cb), r.floats(m * ldc)],
        (b, [a, bb, c]) => b.gemm(ta, tb, m, n, k, b.subBuffer(a, 0, (ra - 1) * lda + ca, lda), bb, b.subBuffer(c, 0, (m - 1) * ldc + n, ldc), acc), [2], 2e-4, 1e-4);
    }
  }
});

test('gemm is cut for these shapes: by columns at multiples of 16, by rows at multiples of 5, never a last block under 5 rows', () => {
  const widths = (p: number[][], i: number) => p.map((x) => x[i]);
  assert.equal(widths(gemmPieces(3, 0, 0, 3, 1001, 97, 0, 97, 0, 1001, 0, 1001, 0, [0, 0, 0]), 3), [336, 336, 329]);
  assert.equal(widths(gemmPieces(2, 0, 0, 211, 9, 301, 0, 301, 0, 9, 0, 9, 0, [0, 0]), 2), [105, 106]);
  assert.equal(widths(gemmPieces(3, 0, 0, 43, 9, 301, 0, 301, 0, 9, 0, 9, 0, [0, 0, 0]), 2), [15, 15, 13]);
  assert.equal(widths(gemmPieces(2, 0, 0, 7, 3, 301, 0, 301, 0, 3, 0, 3, 0, [0, 0]), 2), [7]);
  assert.equal(cuts(100, 3, 16), [0, 32, 64, 100]);
});

test('CSR × dense and dense × CSRᵀ are bit-identical on 1, 2 and 3 threads', () => {
  const r = rng(SEED + 41);
  const [m, k, n] = [301, 777, 203];
  const sparse = r.floats(m * k).map((v) => (Math.abs(v) < 0.7 ? 0 : v));
  onAll(SEED + 41, `csrMatmul ${m}×${k}·${k}×${n}`, [sparse, r.floats(k * n), r.floats(m * n)], (b, [a, bb, c]) => {
    const csr = b.denseToCsr(a, m, k, 0);
    b.csrMatmul(csr, bb, n, c, true);
    b.freeCsr(csr);
  }, [2]);
  const rows = 203, wOut = 301;
  onAll(SEED + 41, `matmulCsrT ${rows}×${k}·(${wOut}×${k})ᵀ`, [r.floats(rows * k), sparse, r.floats(rows * wOut)], (b, [x, wd, c]) => {
    const w = b.denseToCsr(wd, wOut, k, 0);
    b.matmulCsrT(x, rows, w, c);
    b.freeCsr(w);
  }, [2]);
});

test('row-wise and element-wise kernels are bit-identical on 1, 2 and 3 threads', () => {
  const r = rng(SEED + 42);
  const [rows, cols] = [333, 301], n = rows * cols;
  onAll(SEED + 42, 'biasAct relu', [r.floats(n), r.floats(cols), r.floats(n)], (b, [x, bias, out]) => b.biasAct(x, bias, rows, cols, 'relu', out), [2], 0, 0);
  onAll(SEED + 42, 'softmax', [r.floats(n, -5, 5), r.floats(n)], (b, [x, out]) => b.softmax(x, rows, cols, out), [1], 1e-6, 1e-5);
  onAll(SEED + 42, 'actBackward relu', [r.floats(n), r.floats(n), r.floats(n)], (b, [dy, y, dx]) => b.actBackward(dy, y, n, 'relu', dx), [2], 0, 0);
  onAll(SEED + 42, 'actBackward relu by rows', [r.floats(n), r.floats(n), r.floats(n)], (b, [dy, y, dx]) => b.actBackward(dy, y, n, 'relu', dx, cols), [2], 0, 0);
  const idx = r.ints(rows, 0, rows);
  onAll(SEED + 42, 'gatherRows', [r.floats(n), idx, r.floats(n)], (b, [src, ix, dst]) => b.gatherRows(src, cols, ix as unknown as I32, rows, dst), [2], 0, 0);
  onAll(SEED + 42, 'colSum', [r.floats(n), r.floats(cols)], (b, [x, out]) => b.colSum(x, rows, cols, out, true), [1], 1e-4, 1e-4);
  const bytes = Uint8Array.from(r.ints(n, 0, 256)), words = Uint16Array.from(r.ints(n, 0, 65536));
  for (const [name, src] of [['u8', bytes], ['u16', words]] as const) {
    onAll(SEED + 42, `gatherRowsWiden ${name}`, [idx, r.floats(n)], (b, [ix, dst]) => {
      const s = src instanceof Uint8Array ? b.upload(src) : b.upload(src);
      b.gatherRowsWiden(s, cols, ix as unknown as I32, rows, dst, 1 / 255, -0.5);
      b.free(s);
    }, [1], 1e-6, 1e-6);
  }
  onAll(SEED + 42, 'gatherRowsScaled', [r.floats(n), idx, r.floats(rows), r.floats(n)], (b, [src, ix, w, dst]) => b.gatherRowsScaled(src, cols, ix as unknown as I32, rows, w, dst), [3], 0, 0);
  // Repeated destinations: rows meeting in one output row still add in order.
  const into = r.ints(rows, 0, 17);
  onAll(SEED + 42, 'scatterAddRows weighted', [r.floats(n), into, r.floats(17 * cols), r.floats(rows)], (b, [src, ix, dst, w]) => b.scatterAddRows(src, cols, ix as unknown as I32, rows, dst, w), [2], 1e-5, 1e-4);
  onAll(SEED + 42, 'rowDot by index', [r.floats(17 * cols), into, r.floats(n), r.floats(rows)], (b, [a, ix, bb, out]) => b.rowDot(a, cols, ix as unknown as I32, rows, bb, out), [3], 1e-4, 1e-4);
  onAll(SEED + 42, 'rowDot row by row', [r.floats(n), r.floats(n), r.floats(rows)], (b, [a, bb, out]) => b.rowDot(a, cols, null, rows, bb, out), [2], 1e-4, 1e-4);
  onAll(SEED + 42, 'topk', [r.floats(n), r.floats(rows * 5), r.ints(rows * 5, 0, 1)], (b, [x, v, ix]) => b.topk(x, rows, cols, 5, v, ix as unknown as I32), [1, 2], 0, 0);
  const mask = r.floats(n).map((v) => (v > -0.5 ? 1 : 0));
  onAll(SEED + 42, 'adam', [r.floats(n), r.floats(n), r.floats(n), r.floats(n, 0, 1), mask], (b, [p, g, m, v, k]) =>
    b.adam(p, g, m, v, n, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7, step: 3, l1: 1e-4, weightDecay: 1e-3 }, k), [0, 2, 3], 1e-6, 1e-5);
  onAll(SEED + 42, 'sgd', [r.floats(n), r.floats(n), r.floats(n)], (b, [p, g, vel]) => b.sgd(p, g, vel, n, { lr: 0.1, momentum: 0.9, l2: 1e-3 }), [0, 2], 1e-6, 1e-5);
});

test('in a pool worker, a backend cuts its calls over floor(cores / busy workers) threads', () => {
  const b = pools[1] as WasmBackend, busy = new Int32Array(new SharedArrayBuffer(4));
  const [m, n, k] = [130, 150, 170];
  const a = b.alloc(m * k), bb = b.alloc(k * n), c = b.alloc(m * n);
  const cut = (workers: number) => {
    busy[0] = workers;
    const before = b.pooledCalls;
    b.gemm(false, false, m, n, k, a, bb, c);
    return b.pooledCalls > before;
  };
  try {
    setCoreShare({ busy, cores: 2 });
    assert.equal([cut(2), cut(1), cut(3), cut(0)], [false, true, false, true]);
    setCoreShare(undefined);
    assert.ok(cut(5), 'without a share the backend cuts again');
  } finally {
    setCoreShare(undefined);
    for (const buf of [a, bb, c]) b.free(buf);
  }
});

test('the helpers see memory grown after they started', () => {
  const b = pools[2];
  const big = b.alloc(40_000_000); // grows the shared memory by ~160 MB
  const r = rng(SEED + 43);
  onAll(SEED + 43, 'gemm after growth', [r.floats(150 * 200), r.floats(200 * 170), r.floats(150 * 170)], (bk, [a, bb, c]) => bk.gemm(false, false, 150, 170, 200, a, bb, c), [2]);
  b.free(big);
});

test('waitWhile returns the word once another thread changes it, polling or (after SPIN_MS) asleep', async () => {
  const i32 = new Int32Array(new SharedArrayBuffer(8));
  assert.is(waitWhile(i32, 0, 5), 0, 'a word that already differs');
  for (const after of [0, 4 * SPIN_MS]) {
    i32[0] = 0;
    const w = new Worker(`const { workerData: [i32, ms] } = require('node:worker_threads');
      Atomics.wait(i32, 1, 0, ms); Atomics.store(i32, 0, 7); Atomics.notify(i32, 0);`, { eval: true, workerData: [i32, after] });
    assert.is(waitWhile(i32, 0, 0), 7, `changed after ${after} ms`);
    await w.terminate();
  }
});

test('calls after the helpers went to sleep (a gap of several SPIN_MS) are cut and match', async () => {
  await sleep(4 * SPIN_MS);
  const r = rng(SEED + 45);
  onAll(SEED + 45, 'gemm after a gap', [r.floats(150 * 200), r.floats(200 * 170), r.floats(150 * 170)], (bk, [a, bb, c]) => bk.gemm(false, false, 150, 170, 200, a, bb, c), [2]);
});

test('a piece that throws still counts as finished: FAILED names it, the thrower gets the error, the other pieces run', () => {
  const i32 = new Int32Array(new SharedArrayBuffer(1 << 16)), f64 = new Float64Array(i32.buffer);
  const ran: number[] = [];
  const fns = [(p: number) => (p === 2 ? ran[Number('x')].toFixed() : ran.push(p))];
  for (let p = 0; p < 4; p++) {
    f64[argsAt(0, p)] = p;
    i32.set([0, 1, -1], pieceAt(0, p)); // kernel 0, one argument, no scratch
  }
  i32[word(0, TICKET)] = (7 << 16) | (4 << 8);
  const { ran: count, error } = claimPieces(i32, f64, 0, 7, fns);
  assert.instance(error, TypeError);
  assert.equal([ran, count, i32[word(0, FINISHED)], i32[word(0, FAILED)]], [[0, 1, 3], 4, 4, 3]);
  assert.equal(claimPieces(i32, f64, 0, 7, fns), { ran: 0, error: undefined }, 'no piece left to claim');
});

test('a kernel that traps in a piece on 2 threads is ERR_WORKER_FAILED, not a hang; the next calls run and match', () => {
  const b = pools[1] as WasmBackend, pool = (b as unknown as { pool: ThreadPool }).pool;
  const before = b.stats();
  // gemm pieces reading low memory and writing (scratch and C) near 4 GiB, far beyond it: every one traps, on whichever thread claims it.
  const bad = Array.from({ length: 8 }, () => [0, 0, 8, 8, 8, 64, 8, 64, 8, 0xffff_f000, 8, 0, 0xffff_f000]);
  for (let round = 0; round < 3; round++) {
    const err = (() => { try { pool.run(FN.gemm, bad); } catch (e) { return e as { code?: string; message: string }; } })();
    assert.is(err?.code, 'ERR_WORKER_FAILED', `round ${round}`);
    assert.match(err!.message, /kernel gemm threw in piece \d of 8/);
  }
  const r = rng(SEED + 44);
  onAll(SEED + 44, 'gemm after a trapped job', [r.floats(150 * 200), r.floats(200 * 170), r.floats(150 * 170)], (bk, [a, bb, c]) => bk.gemm(false, false, 150, 170, 200, a, bb, c), [2]);
  assert.equal(b.stats(), before);
});

test('threads: a bad count is ERR_BAD_ARGUMENT; the library stays usable', async () => {
  for (const threads of [0, 1.5, -2, 'all']) {
    const err = await createBackend({ threads: threads as number }).then(() => null, (e: { code?: string }) => e);
    assert.is(err?.code, 'ERR_BAD_ARGUMENT', String(threads));
  }
  assert.ok(await createBackend({ threads: 2 }));
});

test('a threaded backend is named by its own build and hash, and backendFor finds it again', async () => {
  const ref = kernelRef(pools[1]);
  assert.is.not(ref.hash, kernelRef(one).hash);
  assert.equal(kernelRef(await backendFor(ref)), ref);
});

test('the shared-memory builds have no data segments to re-apply when a helper instantiates them', () => {
  for (const file of ['kernels-threads.wasm', 'kernels-relaxed-threads.wasm']) {
    const bytes = readFileSync(new URL(`../dist/${file}`, import.meta.url));
    const ids: number[] = [];
    for (let at = 8; at < bytes.length; ) {
      ids.push(bytes[at++]);
      let size = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = bytes[at++];
        size |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      at += size;
    }
    assert.ok(ids.includes(2), `${file} imports its memory`);
    assert.not.ok(ids.includes(11), `${file} has a data section`);
  }
});

test.run();
