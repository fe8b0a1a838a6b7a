// The gate's training on a backend (float32: gemm products, softmax and Adam kernels)
// against its float64 reference twin (test/util/mixture-reference.ts): loss and gradient,
// buffers made once per fit, trained weights; and early stopping.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/backend.js';
import { GatingNetwork } from '../src/combine/gate.js';
import { mixtureTargets } from '../src/combine/mixture-loss.js';
import { GemmMixtureLoss } from '../src/combine/mixture-loss-gemm.js';
import { trainGate } from '../src/combine/train-gate.js';
import { Param } from '../src/nn/param.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { mixtureLoss, trainGateReference } from './util/mixture-reference.js';
import { SEED, rng } from './util/prng.js';

type Task = 'classification' | 'regression';

/** A random mixture problem: n experts' outputs (width classes, or 1 for regression), targets and inputs. */
function problem(task: Task, rows: number, dims: number, n: number, width: number, seed: number) {
  const r = rng(seed), w = task === 'regression' ? 1 : width;
  const outputs = Array.from({ length: n }, () => {
    const p = r.floats(rows * w, task === 'regression' ? -2 : 0.05, task === 'regression' ? 2 : 1);
    if (task === 'classification') {
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let c = 0; c < w; c++) s += p[i * w + c];
        for (let c = 0; c < w; c++) p[i * w + c] /= s;
      }
    }
    return p;
  });
  const y = task === 'regression' ? r.floats(rows, -2, 2) : r.ints(rows, 0, w);
  // Float32-representable inputs: the backend holds x in float32.
  return { t: mixtureTargets(outputs, y, w, task), outputs, y, x: Float64Array.from(r.floats(rows * dims, -2, 2)), r };
}

const backends: Array<[string, Backend]> = [['wasm', wasm], ['reference', reference]];

test('backend loss and gradient match the float64 reference (odd sizes, both tasks, both backends)', () => {
  for (const [name, backend] of backends) {
    for (const task of ['classification', 'regression'] as const) {
      for (const [rows, dims, n, width] of [[0, 3, 2, 3], [1, 1, 1, 2], [5, 0, 3, 3], [7, 13, 5, 7], [33, 9, 4, 2], [37, 17, 3, 10]]) {
        const { t, x, r } = problem(task, rows, dims, n, width, SEED + rows);
        // Float32 weights, so both sides see the same W and b.
        const W = Float64Array.from(r.floats(dims * n, -1, 1)), b = Float64Array.from(r.floats(n, -1, 1));
        const wantW = new Float64Array(dims * n), wantB = new Float64Array(n);
        const want = mixtureLoss(t, x, dims, W, b, 0.3, wantW, wantB);
        const what = `${name} ${task} ${rows}×${dims}, ${n} experts`;
        const before = backend.stats().buffers;
        const pW = new Param(backend, 'Wt', [n, dims], true), pb = new Param(backend, 'b', [n], false);
        const wT = new Float32Array(n * dims);
        for (let d = 0; d < dims; d++) for (let e = 0; e < n; e++) wT[e * dims + d] = W[d * n + e];
        backend.write(pW.value, wT);
        backend.write(pb.value, b);
        const gemm = new GemmMixtureLoss(backend, t, x, dims);
        try {
          const made = backend.stats();
          allClose([gemm.loss(pW, pb, 0.3, true)], [want], 1e-5, 1e-5, SEED, `${what}: loss`);
          const gT = backend.read(pW.grad), gW = new Float64Array(dims * n);
          for (let d = 0; d < dims; d++) for (let e = 0; e < n; e++) gW[d * n + e] = gT[e * dims + d];
          allClose(gW, wantW, 1e-5, 1e-4, SEED, `${what}: dL/dW`);
          allClose(backend.read(pb.grad), wantB, 1e-5, 1e-4, SEED, `${what}: dL/db`);
          allClose([gemm.loss(pW, pb, 0.3, false)], [want], 1e-5, 1e-5, SEED, `${what}: loss without gradient`);
          assert.is(backend.stats().buffers, made.buffers, `${what}: a step allocates no buffer`);
          assert.is(backend.stats().highWater, made.highWater, `${what}: a step needs no more memory`);
        } finally {
          gemm.dispose();
          pW.dispose();
          pb.dispose();
        }
        assert.is(backend.stats().buffers, before, `${what}: dispose frees every buffer`);
      }
    }
  }
});

test('a gate trained on the backend (float32 Adam) ends where the float64 reference ends (odd sizes, convex α too)', () => {
  for (const [task, rows, dims, n, width] of [['classification', 203, 29, 5, 7], ['regression', 131, 11, 3, 1], ['classification', 97, 0, 4, 3]] as const) {
    const { t, x } = problem(task, rows, dims, n, width, SEED);
    const options = { epochs: 150, tol: 0 };
    const want = trainGateReference(t, x, dims, options);
    const before = wasm.stats().buffers;
    const got = trainGate(t, x, dims, wasm, options);
    const what = `${task} ${rows}×${dims}, ${n} experts`;
    assert.is(wasm.stats().buffers, before, `${what}: no buffer left behind`);
    assert.is(got.losses.length, options.epochs + 1, `${what}: every epoch ran`);
    allClose(got.losses, want.losses, 1e-5, 1e-4, SEED, `${what}: loss curve`);
    allClose(got.W, want.W, 1e-3, 1e-2, SEED, `${what}: W`);
    allClose(got.b, want.b, 1e-3, 1e-2, SEED, `${what}: b`);
    allClose([got.loss], [want.loss], 1e-6, 1e-5, SEED, `${what}: final loss`);
    assert.is(got.g.length, rows * n, `${what}: the gate's weights on the fit rows`);
  }
});

test('GatingNetwork fits and runs on the backend it is given; the reference backend agrees with wasm', async () => {
  const { outputs, y, x } = problem('classification', 61, 5, 3, 4, SEED);
  const x32 = Float32Array.from(x);
  const [a, b] = [wasm, reference].map((backend) => new GatingNetwork({ backend, epochs: 60 }));
  await a.fit(outputs, y, x32);
  await b.fit(outputs, y, x32);
  allClose(a.weights(x32, 61), b.weights(x32, 61), 1e-4, 1e-3, SEED, 'gate weights, wasm vs reference');
  const live = wasm.stats().buffers, w = a.weights(x32, 61);
  assert.is(wasm.stats().buffers, live, 'weights() leaves no buffer behind');
  for (let r = 0; r < 61; r++) allClose([w[3 * r] + w[3 * r + 1] + w[3 * r + 2]], [1], 1e-6, 0, SEED, `row ${r} sums to 1`);
  allClose([a.describe().loss!], [b.describe().loss!], 1e-6, 1e-5, SEED, 'gate loss');
});

test('early stopping: stops once the loss changes < tol over 10 steps, deterministically; tol 0 runs every epoch', () => {
  for (const dims of [0, 3]) {
    const { t, x } = problem('classification', 40, dims, 3, 3, SEED);
    const tol = 1e-6, epochs = 5000;
    const run = trainGate(t, x, dims, wasm, { epochs, tol });
    const L = run.losses, last = L.length - 1, what = `dims ${dims}`;
    assert.ok(last > 10 && last < epochs, `${what}: stopped after ${last} of ${epochs} steps`);
    assert.ok(Math.abs(L[last - 10] - L[last]) < tol * Math.abs(L[last - 10]), `${what}: converged where it stopped`);
    for (let i = 10; i < last; i++) assert.ok(!(Math.abs(L[i - 10] - L[i]) < tol * Math.abs(L[i - 10])), `${what}: not converged at ${i}`);
    assert.is(run.loss, L[last]);
    const again = trainGate(t, x, dims, wasm, { epochs, tol });
    allClose(again.W, run.W, 0, 0, SEED, `${what}: same W on a rerun`);
    allClose(again.b, run.b, 0, 0, SEED, `${what}: same b on a rerun`);
    assert.is(trainGate(t, x, dims, wasm, { epochs: 40, tol: 0 }).losses.length, 41, `${what}: tol 0 runs every epoch`);
  }
  const { t } = problem('classification', 4, 0, 2, 3, SEED);
  for (const tol of [-1, NaN, Infinity]) assert.throws(() => trainGate(t, null, 0, wasm, { tol }), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT', `tol ${tol}`);
});

test.run();
