// Experts end to end: the seed's MLP on real MNIST digits, determinism, linear models,
// the fit loop's callbacks, early stopping, abort, divergence and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromArrays, type Dataset } from '../src/data/dataset.js';
import { loadMnist } from '../src/data/mnist.js';
import { LinearRegression } from '../src/experts/linear.js';
import { LogisticRegression } from '../src/experts/logistic.js';
import { MlpExpert } from '../src/experts/mlp.js';
import { choleskySolve } from '../src/experts/ridge.js';
import { SoftmaxRegression } from '../src/experts/softmax.js';
import { reference, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const mnist = loadMnist({ train: 8000, test: 2000, seed: 1 });

function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

const code = (c: string) => (e: { code?: string }) => e.code === c;

/** Gaussian blobs, one per class, in `dims` dimensions. */
function blobs(n: number, classes: number, dims: number, seed: number): Dataset {
  const r = rng(seed);
  const centers = Array.from({ length: classes }, () => r.floats(dims, -4, 4));
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    x.push(Array.from(centers[c], (v) => v + r.uniform(-1, 1)));
    y.push(c);
  }
  return fromArrays(x, y, { classes });
}

test('the seed MLP (784→512 relu→10, Adam, batch 128) reaches ≥ 0.93 on held-out MNIST', async () => {
  const mlp = new MlpExpert({ backend: wasm });
  const h = await mlp.fit(mnist.train, { epochs: 5, seed: 3 });
  const acc = accuracy(mlp.predict(mnist.test.x, mnist.test.rows), mnist.test.y);
  assert.ok(acc >= 0.93, `test accuracy ${acc}`);
  assert.ok(h.history.loss[4] < h.history.loss[0], 'loss decreases');
  assert.is(mlp.parameterCount(), 784 * 512 + 512 + 512 * 10 + 10);
  const p = mlp.predictProba(mnist.test.x.subarray(0, 784 * 3), 3);
  for (let r = 0; r < 3; r++) {
    const s = p.subarray(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} probabilities sum to ${s}`);
  }
  mlp.dispose();
});

test('same seed → bit-identical weights across two runs; another seed differs', async () => {
  const small = { ...mnist.train, rows: 600, x: mnist.train.x.subarray(0, 600 * 784), y: mnist.train.y.subarray(0, 600) };
  const weights = async (seed: number) => {
    const m = new MlpExpert({ backend: wasm, hidden: [32] });
    await m.fit(small, { epochs: 2, seed });
    const w = m.toState().tensors.map((t) => t.data);
    m.dispose();
    return w;
  };
  const [a, b, c] = [await weights(5), await weights(5), await weights(6)];
  a.forEach((t, i) => allEqual(t, b[i], 5, `tensor ${i}`));
  assert.not.equal(Array.from(a[0].subarray(0, 20)), Array.from(c[0].subarray(0, 20)));
});

test('toState → expertFromState rebuilds an expert with identical predictions', async () => {
  const { expertFromState } = await import('../src/experts/from-state.js');
  const ds = blobs(200, 3, 4, SEED);
  const m = new SoftmaxRegression({ backend: wasm });
  await m.fit(ds, { seed: 1 });
  const copy = expertFromState(m.toState(), wasm);
  allEqual(copy.predictProba(ds.x, ds.rows), m.predictProba(ds.x, ds.rows), SEED, 'probabilities');
  m.dispose();
  copy.dispose();
});

test('ridge regression equals the float64 normal-equation solution', async () => {
  for (const alpha of [0, 0.5]) {
    const r = rng(SEED + alpha);
    const rows = 57, cols = 6;
    const x = r.floats(rows * cols), y = r.floats(rows);
    const lin = new LinearRegression({ backend: wasm, alpha });
    await lin.fit({ x, rows, cols, y });
    // Reference: augmented [X 1] normal equations, intercept unpenalised.
    const n = cols + 1, A = new Float64Array(n * n), b = new Float64Array(n);
    for (let i = 0; i < rows; i++) {
      const row = [...x.subarray(i * cols, (i + 1) * cols), 1];
      for (let p = 0; p < n; p++) {
        b[p] += row[p] * y[i];
        for (let q = 0; q < n; q++) A[p * n + q] += row[p] * row[q];
      }
    }
    for (let p = 0; p < cols; p++) A[p * n + p] += alpha;
    const want = choleskySolve(A, b, n, 0);
    const got = lin.coefficients();
    allClose(got.weights, want.subarray(0, cols), 1e-4, 1e-3, SEED, `weights α=${alpha}`);
    allClose([got.intercept], [want[cols]], 1e-4, 1e-3, SEED, `intercept α=${alpha}`);
  }
});

test('linear regression by SGD recovers known weights', async () => {
  const r = rng(SEED);
  const rows = 400, cols = 3, w = [1.5, -2, 0.5];
  const x = r.floats(rows * cols);
  const y = Float32Array.from({ length: rows }, (_, i) => w.reduce((s, wi, c) => s + wi * x[i * cols + c], 0.25));
  const lin = new LinearRegression({ backend: reference, solver: 'sgd' });
  await lin.fit({ x, rows, cols, y }, { epochs: 60, seed: 1 });
  const got = lin.coefficients();
  allClose(got.weights, w, 0.02, 0.02, SEED, 'sgd weights');
  assert.ok(Math.abs(got.intercept - 0.25) < 0.02, `intercept ${got.intercept}`);
});

test('softmax and logistic regression separate blobs; L1 yields exact zeros', async () => {
  const ds = blobs(300, 3, 6, SEED);
  const sm = new SoftmaxRegression({ backend: wasm });
  await sm.fit(ds, { seed: 2 });
  assert.ok(accuracy(sm.predict(ds.x, ds.rows), ds.y) > 0.95);
  const two = blobs(300, 2, 6, SEED + 1);
  const lr = new LogisticRegression({ backend: wasm });
  await lr.fit(two, { seed: 2 });
  assert.ok(accuracy(lr.predict(two.x, two.rows), two.y) > 0.95);
  const sgd = { kind: 'sgd', lr: 0.1 } as const;
  const sparse = new SoftmaxRegression({ backend: wasm, l1: 0.05, optimizer: sgd });
  await sparse.fit(ds, { seed: 2 });
  const plain = new SoftmaxRegression({ backend: wasm, optimizer: sgd });
  await plain.fit(ds, { seed: 2 });
  // Seeds 1–7 and the default: 5 to 12 of the 21 weights end exactly 0 with L1, none without.
  const zeros = sparse.parameterCount() - sparse.nonZeroCount();
  assert.ok(zeros >= 4, `L1 zeroed ${zeros} of ${sparse.parameterCount()} weights`);
  assert.is(plain.nonZeroCount(), plain.parameterCount(), 'no exact zeros without L1');
  assert.ok(accuracy(sparse.predict(ds.x, ds.rows), ds.y) > 0.95, 'L1 keeps the blobs apart');
});

test('fit calls back like tfjs, with validation logs, and early stopping stops', async () => {
  const ds = blobs(200, 3, 4, SEED);
  const events: string[] = [];
  let last: Record<string, number | undefined> = {};
  const m = new SoftmaxRegression({ backend: wasm, solver: 'adam' });
  const h = await m.fit(ds, {
    epochs: 3, batchSize: 50, validationSplit: 0.25, seed: 1,
    callbacks: {
      onTrainBegin: () => { events.push('train'); },
      onEpochBegin: (e) => { events.push(`epoch${e}`); },
      onBatchEnd: async (b) => { if (b === 0) events.push('batch0'); },
      onEpochEnd: (_e, logs) => { last = logs; },
      onTrainEnd: () => { events.push('end'); },
    },
  });
  assert.equal(events, ['train', 'epoch0', 'batch0', 'epoch1', 'batch0', 'epoch2', 'batch0', 'end']);
  for (const k of ['loss', 'val_loss']) assert.ok(Number.isFinite(last[k]) && last[k]! > 0, `${k} = ${last[k]}`);
  for (const k of ['acc', 'val_acc']) assert.ok(last[k]! >= 0 && last[k]! <= 1, `${k} = ${last[k]}`);
  assert.is(h.history.loss.length, 3);
  const stop = await new SoftmaxRegression({ backend: wasm, optimizer: { kind: 'sgd', lr: 1e-9 } })
    .fit(ds, { epochs: 50, earlyStopping: { monitor: 'loss', patience: 1, minDelta: 1e-3 }, seed: 1 });
  assert.ok(stop.stoppedEarly && stop.epochs.length < 50, `ran ${stop.epochs.length} epochs`);
});

test('abort, divergence and bad input give typed errors; the expert stays usable', async () => {
  const ds = blobs(200, 3, 4, SEED);
  const buffers = wasm.stats().buffers;
  const m = new MlpExpert({ backend: wasm, hidden: [8], optimizer: { kind: 'adam', lr: 0.01 } });
  const ctl = new AbortController();
  const run = m.fit(ds, { epochs: 5, batchSize: 10, callbacks: { onBatchEnd: (b) => { if (b === 3) ctl.abort(); } }, signal: ctl.signal });
  await run.then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_ABORTED'));
  const hot = new MlpExpert({ backend: wasm, hidden: [8], optimizer: { kind: 'sgd', lr: 1e30 } });
  await hot.fit(ds, { epochs: 3 }).then(() => assert.unreachable(), (e) => {
    assert.is(e.code, 'ERR_DIVERGED');
    assert.match(e.message, /epoch \d+, batch \d+/);
  });
  const bad = async (d: Dataset, c: string, opts = {}) => {
    await m.fit(d, opts).then(() => assert.unreachable(`expected ${c}`), (e) => assert.is(e.code, c, e.message));
  };
  const x = ds.x.slice();
  x[5] = Number.NaN;
  await bad({ ...ds, x }, 'ERR_NON_FINITE');
  await bad({ ...ds, y: Int32Array.from(ds.y, (v, i) => (i === 3 ? 7 : v)) }, 'ERR_LABEL_RANGE');
  await bad({ ...ds, rows: 0, x: new Float32Array(0), y: new Int32Array(0) }, 'ERR_EMPTY');
  await bad(ds, 'ERR_BAD_ARGUMENT', { batchSize: 0 });
  // Float targets make an MLP a regressor (see below); one told to classify refuses them.
  const classifier = new MlpExpert({ backend: wasm, hidden: [8], task: 'classification' });
  await classifier.fit({ ...ds, y: new Float32Array(ds.rows), classes: undefined }).then(() => assert.unreachable('float targets'), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
  assert.throws(() => new MlpExpert().predict(ds.x, ds.rows), code('ERR_NOT_FITTED'));
  await m.fit(ds, { epochs: 10, batchSize: 20, seed: 1 });
  assert.throws(() => m.predict(ds.x.subarray(0, 7), 2), code('ERR_BAD_SHAPE'));
  assert.ok(accuracy(m.predict(ds.x, ds.rows), ds.y) > 0.8, 'still trains after the errors');
  m.dispose();
  hot.dispose();
  assert.is(wasm.stats().buffers, buffers, 'the failed fits left no wasm buffer behind');
});

test('an MLP takes an MSE head for regression data: beats ridge on a nonlinear target, saves and loads as regression, runs in the model', async () => {
  const { expertFromState } = await import('../src/experts/from-state.js');
  const { SparseExpertModel } = await import('../src/model/sparse-expert-model.js');
  const { r2 } = await import('../src/metrics/regression.js');
  // 10 features, y = sin(2·x0) + x1·x2 + 0.5·x3 (+ noise): a linear model explains part of it.
  const make = (rows: number, seed: number): Dataset => {
    const r = rng(seed), x = r.floats(rows * 10, -1.5, 1.5), y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) y[i] = Math.sin(2 * x[i * 10]) + x[i * 10 + 1] * x[i * 10 + 2] + 0.5 * x[i * 10 + 3] + 0.05 * r.uniform(-1, 1);
    return { x, rows, cols: 10, y };
  };
  const train = make(1500, SEED), held = make(500, SEED + 1);
  const mlp = new MlpExpert({ backend: wasm, hidden: [32] });
  assert.is(mlp.task, 'classification', 'before fit: the classifier default');
  await mlp.fit(train, { epochs: 40, batchSize: 32, seed: SEED });
  assert.is(mlp.task, 'regression');
  assert.is(mlp.outputs, 1);
  const ridge = new LinearRegression({ backend: wasm });
  await ridge.fit(train);
  const [mlpR2, ridgeR2] = [mlp, ridge].map((e) => r2(held.y, e.predict(held.x, held.rows)));
  assert.ok(mlpR2 > 0.8 && mlpR2 > ridgeR2 + 0.2, `MLP R² ${mlpR2} vs ridge ${ridgeR2} (seed ${SEED})`);
  assert.throws(() => mlp.predictProba(held.x, held.rows), code('ERR_BAD_ARGUMENT'));
  const copy = expertFromState(mlp.toState(), wasm);
  assert.is(copy.task, 'regression', 'the state records the task');
  allEqual(copy.predict(held.x, held.rows), mlp.predict(held.x, held.rows), SEED, 'loaded predictions');
  // The model with an MLP expert on regression data (it used to fail "a classifier needs … classes").
  const m = new SparseExpertModel({ experts: 2, partition: 'kmeans', expert: { kind: 'mlp', hidden: [32], fit: { epochs: 40, batchSize: 32 } }, combine: 'hard', workers: 0, seed: SEED, backend: wasm });
  await m.fit(train);
  const modelR2 = r2(held.y, await m.predict(held.x, held.rows));
  assert.ok(modelR2 > 0.8, `model R² ${modelR2} (seed ${SEED})`);
  [mlp, ridge, copy, m].forEach((e) => e.dispose());
});

test.run();
