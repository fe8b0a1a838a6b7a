// Sparse (CSR) rows as network and expert input: gradients and trained weights equal the
// dense path on the same rows densified, text classification end to end, typed errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend, CsrMatrix, SparseDataset } from '../src/index.js';
import type { F32, I32 } from '../src/backend/index.js';
import { LinearRegression, LogisticRegression, MlpExpert, SoftmaxRegression, csrToDense, denseToCsrMatrix, takeCsrRows } from '../src/index.js';
import type { NetworkExpert } from '../src/experts/network-expert.js';
import { Rng } from '../src/data/prng.js';
import { type Head, Network } from '../src/nn/network.js';
import { trainingBatches } from '../src/nn/batches.js';
import { run as textExample, syntheticCorpus } from '../examples/text.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

/** rows × cols with about `density` non-zeros, every third row empty. */
function randomCsr(rows: number, cols: number, density: number, seed: number): CsrMatrix {
  const r = rng(seed);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) if (Math.floor(i / cols) % 3 !== 2 && r.uniform(0, 1) < density) x[i] = r.uniform(-2, 2);
  return denseToCsrMatrix(x, rows, cols);
}

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

function gradients(b: Backend, head: Head, hidden: number[], rows: number, inputs: number, seed: number): void {
  const r = rng(seed);
  const outputs = head === 'softmax' ? 3 : 1;
  const net = new Network(b, {
    inputs,
    layers: [...hidden.map((units) => ({ units, activation: 'relu' as const })), { units: outputs, activation: 'identity' as const }],
    head,
  });
  net.initialize(new Rng(seed));
  // A larger set, and the batch taken in a shuffled order (as fit does).
  const all = randomCsr(rows + 3, inputs, 0.4, seed);
  const ids = new Rng(seed).permutation(rows + 3).subarray(0, rows);
  const ds: SparseDataset = { x: all, rows: all.rows, cols: inputs, y: new Int32Array(all.rows), classes: outputs };
  const y: I32 | F32 = head === 'mse' ? b.upload(r.floats(rows)) : b.upload(r.ints(rows, 0, head === 'softmax' ? 3 : 2));
  const dense = b.upload(csrToDense(takeCsrRows(all, ids)));
  const denseLoss = net.trainStep(dense, y, rows);
  const denseGrads = net.params().map((p) => b.read(p.grad));
  // Sparse second: its step must overwrite every gradient entry the dense step left behind.
  for (const p of net.params()) b.fill(p.grad, 7);
  const batches = trainingBatches(b, ds, Math.max(rows, 1));
  const sparseLoss = net.trainStep(batches.load(ids), y, rows);
  const what = `${b.name} ${head} hidden [${hidden}] ${rows}×${inputs}`;
  allClose([sparseLoss], [denseLoss], 1e-6, 1e-5, seed, `${what} loss`);
  net.params().forEach((p, i) => allClose(b.read(p.grad), denseGrads[i], 1e-6, 1e-4, seed, `${what} ${p.name} grad`));
  batches.dispose();
  net.dispose();
  b.free(dense);
  b.free(y);
}

for (const b of [reference, wasm]) {
  test(`${b.name}: sparse-batch gradients equal the dense gradients of the same rows (every head, sizes 0, 1, 5, 9)`, () => {
    let seed = SEED;
    for (const head of ['softmax', 'sigmoid', 'mse'] as const) {
      for (const hidden of [[], [6]]) {
        for (const rows of [0, 1, 5, 9]) for (const inputs of [1, 7, 13]) gradients(b, head, hidden, rows, inputs, seed++);
      }
    }
  });
}

/** The same rows, dense and sparse (about a third of the entries non-zero). */
function pair(rows: number, cols: number, task: 'classes' | 'binary' | 'regression', seed: number) {
  const x = randomCsr(rows, cols, 0.35, seed);
  const r = rng(seed + 1);
  const y = task === 'regression' ? r.floats(rows) : r.ints(rows, 0, task === 'binary' ? 2 : 3);
  const classes = task === 'regression' ? {} : { classes: task === 'binary' ? 2 : 3 };
  return { sparse: { x, rows, cols, y, ...classes } as SparseDataset, dense: { x: csrToDense(x), rows, cols, y, ...classes } };
}

const experts: [string, 'classes' | 'binary' | 'regression', (b: Backend) => NetworkExpert][] = [
  ['softmax', 'classes', (backend) => new SoftmaxRegression({ backend, solver: 'adam' })],
  ['logistic', 'binary', (backend) => new LogisticRegression({ backend, solver: 'adam' })],
  ['mlp', 'classes', (backend) => new MlpExpert({ backend, hidden: [5] })],
  ['linear sgd', 'regression', (backend) => new LinearRegression({ backend, solver: 'sgd' })],
];

for (const b of [reference, wasm]) {
  for (const [name, task, make] of experts) {
    test(`${b.name}: ${name} trained on sparse rows ends with the weights and history of the same rows dense`, async () => {
      const seed = SEED + name.length;
      const { sparse, dense } = pair(37, 13, task, seed);
      const opts = { epochs: 3, batchSize: 8, seed, validationSplit: 0.2, earlyStopping: { patience: 5 } };
      const [s, d] = [make(b), make(b)];
      const hs = await s.fit(sparse, opts), hd = await d.fit(dense, opts);
      for (const key of Object.keys(hd.history)) allClose(hs.history[key], hd.history[key], 1e-5, 1e-4, seed, `${name} ${key}`);
      const ts = s.toState().tensors, td = d.toState().tensors;
      ts.forEach((t, i) => allClose(t.data, td[i].data, 1e-5, 1e-4, seed, `${name} ${t.name}`));
      const ps = s.predict(sparse.x, sparse.rows), pd = d.predict(dense.x, dense.rows);
      allClose(ps, pd, 1e-5, 1e-4, seed, `${name} predictions`);
      s.dispose();
      d.dispose();
    });
  }
}

test('text: hashed bag-of-words (2^12 columns) → softmax regression, high held-out accuracy (examples/text.ts)', async () => {
  const { accuracy, nnzPerRow } = await textExample(SEED % 1000);
  assert.ok(nnzPerRow > 1 && nnzPerRow < 30, `rows stay sparse: ${nnzPerRow} non-zeros per row`);
  assert.ok(accuracy >= 0.85, `held-out accuracy ${accuracy} < 0.85 (seed ${SEED % 1000})`);
});

test('sparse predictProba: rows of probabilities; predicting 0 and 1 rows works', async () => {
  const { sparse } = pair(23, 9, 'classes', SEED);
  const m = new SoftmaxRegression({ backend: wasm, fit: { epochs: 2 } });
  await m.fit(sparse);
  const p = m.predictProba(sparse.x, sparse.rows);
  for (let r = 0; r < sparse.rows; r++) allClose([p[3 * r] + p[3 * r + 1] + p[3 * r + 2]], [1], 1e-5, 1e-5, SEED, `row ${r} sum`);
  assert.is(m.predict(takeCsrRows(sparse.x, []), 0).length, 0);
  allClose(m.predictProba(takeCsrRows(sparse.x, [4]), 1), p.subarray(12, 15), 1e-6, 1e-5, SEED, 'one row');
  m.dispose();
});

test('sparse training frees what it allocates (wasm), and abort stops it with ERR_ABORTED', async () => {
  const { texts, labels } = syntheticCorpus(200, SEED);
  const { hashingVectorize } = await import('../src/index.js');
  const x = hashingVectorize(texts, { features: 2 ** 12 });
  const ds: SparseDataset = { x, rows: x.rows, cols: x.cols, y: labels, classes: 3 };
  const m = new MlpExpert({ backend: wasm, hidden: [7] });
  await m.fit(ds, { epochs: 1 });
  const before = wasm.stats().buffers;
  await m.fit(ds, { epochs: 2, batchSize: 17, validationSplit: 0.1 });
  m.predictProba(x, x.rows);
  assert.is(wasm.stats().buffers, before);
  const ctl = new AbortController();
  const run = m.fit(ds, { epochs: 5, batchSize: 17, signal: ctl.signal, callbacks: { onBatchEnd: (i) => void (i === 2 && ctl.abort()) } });
  await run.then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_ABORTED'));
  m.dispose();
});

test('bad sparse input → typed errors', async () => {
  const { sparse } = pair(20, 9, 'classes', SEED);
  const m = new SoftmaxRegression({ backend: wasm, fit: { epochs: 1 } });
  const bad = async (ds: SparseDataset, want: string, opts = {}) => {
    await m.fit(ds, opts).then(() => assert.unreachable(`expected ${want}`), (e) => assert.is(e.code, want));
  };
  await bad({ ...sparse, cols: 10 }, 'ERR_BAD_SHAPE'); // dataset says 10 columns, the CSR 9
  await bad({ ...sparse, x: { ...sparse.x, colIdx: sparse.x.colIdx.map((c, i) => (i === 3 ? 9 : c)) } }, 'ERR_BAD_SHAPE');
  await bad({ ...sparse, x: { ...sparse.x, values: sparse.x.values.map((v, i) => (i === 2 ? NaN : v)) } }, 'ERR_NON_FINITE');
  await bad(sparse, 'ERR_BAD_SHAPE', { validationData: pair(5, 8, 'classes', SEED).sparse });
  await m.fit(sparse);
  const wide = randomCsr(4, 12, 0.5, SEED);
  assert.throws(() => m.predictProba(wide, 4), code('ERR_BAD_SHAPE')); // 12 columns for a 9-input model
  assert.throws(() => m.predict(sparse.x, 19), code('ERR_BAD_SHAPE')); // rows disagree
  assert.throws(() => m.predict({ ...sparse.x, rowPtr: sparse.x.rowPtr.map((p, i) => (i === 5 ? 0 : p)) }, 20), code('ERR_BAD_SHAPE'));
  // The network itself refuses a CSR batch of the wrong shape, and the wasm backend a corrupt one.
  const net = m.network();
  const batches = trainingBatches(wasm, { ...sparse }, 4);
  const ok = batches.load(Int32Array.of(0, 1, 2, 3));
  const y = wasm.upload(new Int32Array(4));
  assert.throws(() => net.trainStep({ ...ok, x: { ...ok.x, cols: 8 } }, y, 4), code('ERR_BAD_SHAPE'));
  assert.throws(() => net.trainStep({ ...ok, xT: { ...ok.xT, rows: 8 } }, y, 4), code('ERR_BAD_SHAPE'));
  assert.throws(() => net.trainStep(ok, y, 3), code('ERR_BAD_SHAPE'));
  wasm.write(ok.x.colIdx, [99]);
  assert.throws(() => net.trainStep({ ...ok, x: { ...ok.x } }, y, 4), code('ERR_BAD_SHAPE'));
  wasm.free(y);
  batches.dispose();
  m.dispose();
});

test('linear regression by sgd learns a sparse linear target', async () => {
  const x = randomCsr(300, 6, 0.5, SEED);
  const w = [1.5, -2, 0.5, 0, 3, -1];
  const dense = csrToDense(x);
  const y = Float32Array.from({ length: 300 }, (_, r) => w.reduce((s, wi, c) => s + wi * dense[r * 6 + c], 0.25));
  const m = new LinearRegression({ backend: wasm, solver: 'sgd', fit: { epochs: 60, seed: SEED } });
  await m.fit({ x, rows: 300, cols: 6, y });
  await new LinearRegression({ backend: wasm }).fit({ x, rows: 300, cols: 6, y }).then(
    () => assert.unreachable('ridge on sparse rows'),
    (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'),
  );
  const { weights, intercept } = m.coefficients();
  allClose(weights, w, 0.05, 0.02, SEED, 'weights');
  allClose([intercept], [0.25], 0.05, 0, SEED, 'intercept');
  m.dispose();
});

test.run();
