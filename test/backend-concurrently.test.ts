// Backend.concurrently: independent kernel calls as one job of the pool, each whole on a thread
// (a large one cut beside them), bit-identical to the calls made one by one, on 1, 2 and 3 threads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WasmBackend } from '../src/backend/wasm.js';
import type { Backend } from '../src/index.js';
import { type F32, createBackend } from '../src/backend/index.js';
import { FN } from '../src/backend/split.js';
import { argsAt, claimPieces, pieceAt, scratchAt, word, TICKET } from '../src/backend/thread-control.js';
import type { ThreadPool } from '../src/backend/threads.js';
import { exec, reference } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const pools: Backend[] = await Promise.all([1, 2, 3].map((threads) => createBackend({ build: 'simd', threads })));
await Promise.all(pools.map((b) => (b as WasmBackend).startThreads()));
const jobs = (b: Backend): number => (b as WasmBackend).pooledCalls;
const poolOf = (b: Backend): ThreadPool => (b as unknown as { pool: ThreadPool }).pool;

// A layer's backward: dW = xᵀ·dy, db = colSum(dy), dx = dy·Wᵀ, all reading dy; beside them an unpacked
// forward product, a bias + ReLU and a product large enough to be cut even in a group.
const [rows, inputs, units, big] = [77, 131, 19, 300];
const r = rng(SEED + 90);
const arrays = [
  r.floats(rows * inputs), r.floats(rows * units), r.floats(inputs * units), // x, dy, W
  r.floats(inputs * units), r.floats(units), r.floats(rows * inputs), // dW, db, dx
  r.floats(rows * units), r.floats(rows * units), // unpacked product, biasAct out
  r.floats(big * big), r.floats(big * big), r.floats(big * big), // a big product
] as const;
function calls(b: Backend, [x, dy, W, dW, db, dx, y, act, A, B, C]: F32[], reversed = false): void {
  const made = [
    () => b.gemm(true, false, inputs, units, rows, x, dy, dW),
    () => b.colSum(dy, rows, units, db, true),
    () => b.gemm(false, true, rows, inputs, units, dy, W, dx),
    () => b.gemmUnpacked(rows, units, inputs, x, W, y, true),
    () => b.biasAct(dy, W, rows, units, 'relu', act),
    () => b.gemm(false, false, big, big, big, A, B, C),
  ];
  for (const call of reversed ? made.reverse() : made) call();
}

test('a group of calls gives the bits of the calls one by one, on 1, 2 and 3 threads, as one job', () => {
  const ref = exec(reference, arrays, (bufs) => reference.concurrently(() => calls(reference, bufs as unknown as F32[])));
  const alone = exec(pools[0], arrays, (bufs) => calls(pools[0], bufs as unknown as F32[]));
  for (let o = 3; o < arrays.length; o++) allClose(alone.out[o], ref.out[o], 2e-4, 1e-4, SEED + 90, `output ${o} vs reference`);
  for (const b of pools) {
    const before = jobs(b);
    const got = exec(b, arrays, (bufs) => b.concurrently(() => calls(b, bufs as unknown as F32[])));
    for (let o = 0; o < arrays.length; o++) allEqual(got.out[o], alone.out[o], SEED + 90, `output ${o} on ${b.threads} threads`);
    assert.is(jobs(b) - before, b.threads === 1 ? 0 : 1, `one job on ${b.threads} threads`);
    // Made in the other order, claimed in another: the same bits.
    const back = exec(b, arrays, (bufs) => b.concurrently(() => calls(b, bufs as unknown as F32[], true)));
    for (let o = 0; o < arrays.length; o++) allEqual(back.out[o], alone.out[o], SEED + 90, `output ${o} on ${b.threads} threads, reversed`);
  }
});

test('nested groups join the outer one; more pieces than a job holds run as several jobs, same bits', () => {
  const n = 70, cols = 33, r2 = rng(SEED + 91);
  const src = r2.floats(n * 5 * cols), outs = r2.floats(n * cols);
  const run = (b: Backend, [s, o]: F32[]) => {
    const one = (i: number) => b.colSum(b.subBuffer(s, i * 5 * cols, 5 * cols), 5, cols, b.subBuffer(o, i * cols, cols));
    b.concurrently(() => {
      for (let i = 0; i < n / 2; i++) one(i);
      b.concurrently(() => { for (let i = n / 2; i < n; i++) one(i); });
    });
  };
  const want = exec(reference, [src, outs], (bufs) => run(reference, bufs as unknown as F32[])).out[1];
  for (const b of pools) {
    const before = jobs(b);
    allClose(exec(b, [src, outs], (bufs) => run(b, bufs as unknown as F32[])).out[1], want, 1e-5, 1e-5, SEED + 91, `${b.threads} threads`);
    assert.is(jobs(b) - before, b.threads === 1 ? 0 : 2, `70 pieces in two jobs on ${b.threads} threads`);
  }
});

test('a bad call inside a group throws its typed error; the calls made before it have run, and the backend stays usable', () => {
  for (const b of [reference, ...pools]) {
    const x = b.upload(Float32Array.from({ length: 12 }, (_, i) => i)), out = b.alloc(4), small = b.alloc(2);
    const err = (() => {
      try {
        b.concurrently(() => {
          b.colSum(x, 3, 4, out);
          b.colSum(x, 3, 4, small); // out too short
        });
      } catch (e) {
        return e as { code?: string };
      }
    })();
    assert.is(err?.code, 'ERR_BAD_SHAPE', b.name);
    assert.equal([...b.read(out)], [12, 15, 18, 21], `${b.name}: the call before the bad one ran`);
    b.concurrently(() => b.colSum(x, 3, 4, out, true));
    assert.equal([...b.read(out)], [24, 30, 36, 42], `${b.name}: usable after`);
    for (const buf of [x, out, small]) b.free(buf);
  }
});

test('a piece that traps in a group is ERR_WORKER_FAILED naming its kernel; the others run, the next group matches', () => {
  for (const b of pools.slice(1)) {
    const before = b.stats(), pool = poolOf(b);
    const x = b.upload(Float32Array.from({ length: 12 }, (_, i) => i)), out = b.alloc(4);
    // gemm reading low memory and writing near 4 GiB, far beyond it: it traps on whichever thread claims it.
    const bad = [0, 0, 8, 8, 8, 64, 8, 64, 8, 0xffff_f000, 8, 0, 0];
    for (let round = 0; round < 3; round++) {
      const err = (() => {
        try {
          b.concurrently(() => {
            b.colSum(x, 3, 4, out);
            pool.held!.push({ fn: FN.gemm, args: bad, scratchArg: 12 });
          });
        } catch (e) {
          return e as { code?: string; message: string };
        }
      })();
      assert.is(err?.code, 'ERR_WORKER_FAILED', `${b.threads} threads, round ${round}`);
      assert.match(err!.message, /kernel gemm threw in piece 2 of 2/);
      assert.equal([...b.read(out)], [12, 15, 18, 21], 'the other piece ran');
    }
    b.free(x);
    b.free(out);
    const got = exec(b, arrays, (bufs) => b.concurrently(() => calls(b, bufs as unknown as F32[])));
    const want = exec(pools[0], arrays, (bufs) => calls(pools[0], bufs as unknown as F32[]));
    for (let o = 3; o < arrays.length; o++) allEqual(got.out[o], want.out[o], SEED + 90, `output ${o} after a trapped group`);
    assert.equal(b.stats(), before);
  }
});

test('a piece with a scratch argument gets the scratch of the thread that runs it', () => {
  const i32 = new Int32Array(new SharedArrayBuffer(1 << 16)), f64 = new Float64Array(i32.buffer);
  const seen: number[][] = [];
  const fns = [(a: number, w: number) => seen.push([a, w])];
  i32[scratchAt(0, 0)] = 1000;
  i32[scratchAt(0, 1)] = 2000;
  for (let p = 0; p < 2; p++) {
    f64.set([p, -1], argsAt(0, p));
    i32.set([0, 2, p === 0 ? 1 : -1], pieceAt(0, p)); // piece 0 takes scratch as its argument 1; piece 1 none
  }
  i32[word(0, TICKET)] = (3 << 16) | (2 << 8);
  assert.equal(claimPieces(i32, f64, 0, 3, fns, 1).ran, 2);
  assert.equal(seen, [[0, 2000], [1, -1]]);
});

test.run();
