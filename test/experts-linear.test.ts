// Linear experts solved to convergence: the same optimum as scikit-learn for the same data,
// penalty and C (objective within 1e-4 relative, the same L1 zero pattern), checked against
// fixtures scikit-learn made (scripts/sklearn-fixtures.py) and an independent float64 FISTA
// on MNIST downsampled to 8×8; per-row l1 / l2 vs C; SGD / Adam kept; pruning fine-tune; errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { denseToCsrMatrix } from '../src/data/csr.js';
import { type Dataset, take } from '../src/data/dataset.js';
import { loadMnist } from '../src/data/mnist.js';
import { StandardScaler } from '../src/data/scale.js';
import { expertFromState } from '../src/experts/from-state.js';
import { LinearRegression } from '../src/experts/linear.js';
import type { LinearModelExpert } from '../src/experts/linear-model.js';
import { LogisticRegression } from '../src/experts/logistic.js';
import { perRowPenalty } from '../src/experts/penalty.js';
import { SoftmaxRegression } from '../src/experts/softmax.js';
import { wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { fistaSoftmax, loadSet, mnist8x8, objective, reference } from './util/linear-fixtures.js';
import { SEED } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

/** The fixture's stratified split, standardised on its training rows. */
function split(name: string): { train: Dataset; test: Dataset } {
  const ds = loadSet(name), s = reference.splits[name];
  const train = take(ds, s.train), test = take(ds, s.test);
  const scaler = new StandardScaler().fitDataset(train);
  return { train: scaler.transformDataset(train), test: scaler.transformDataset(test) };
}

function accuracy(m: LinearModelExpert, ds: Dataset): number {
  const p = m.predict(ds.x, ds.rows);
  let ok = 0;
  for (let i = 0; i < ds.rows; i++) ok += p[i] === ds.y[i] ? 1 : 0;
  return ok / ds.rows;
}

function weights(m: LinearModelExpert): { W: Float32Array; b: Float32Array } {
  const [W, b] = m.toState().tensors;
  return { W: W.data, b: b.data };
}

const zeros = (w: ArrayLike<number>) => Array.from(w).flatMap((v, i) => (v === 0 ? [i] : []));

for (const c of reference.cases) {
  test(`${c.set}, penalty ${c.penalty}, C ${c.C}: scikit-learn ${reference.sklearn}'s optimum (objective, zero pattern, accuracy)`, async () => {
    const { train, test: held } = split(c.set);
    const config = { backend: wasm, penalty: c.penalty, C: c.C, ...(c.l1Ratio === null ? {} : { l1Ratio: c.l1Ratio }) };
    const m = train.classes === 2 ? new LogisticRegression(config) : new SoftmaxRegression(config);
    const h = await m.fit(train);
    assert.ok(h.solver?.converged, `solver: ${JSON.stringify(h.solver)}`);
    const { W, b } = weights(m), { l1, l2 } = perRowPenalty(config, train.rows, 'sklearn');
    const f = objective(train, W, b, l1, l2);
    assert.ok(Math.abs(f - c.objective) <= 1e-4 * c.objective, `objective ${f} vs scikit-learn's ${c.objective}`);
    assert.equal(zeros(W), c.zeros, 'the same weights are exactly zero');
    assert.is(accuracy(m, held), c.accuracy);
    m.dispose();
  });
}

for (const c of (reference as unknown as { raw: { set: string; objective: number; iterations: number }[] }).raw) {
  test(`${c.set}, raw (unscaled) features, defaults: an objective no worse than scikit-learn's float64 lbfgs, within the iterations`, async () => {
    const ds = loadSet(c.set), train = take(ds, reference.splits[c.set].train);
    const m = train.classes === 2 ? new LogisticRegression({ backend: wasm }) : new SoftmaxRegression({ backend: wasm });
    const h = await m.fit(train);
    // Converged, or down to the float32 rounding floor (which the kernel build moves) — not out of iterations.
    assert.ok(h.solver && h.solver.stop !== 'maxIter', JSON.stringify(h.solver));
    const { W, b } = weights(m), { l2 } = perRowPenalty({}, train.rows, 'sklearn');
    const f = objective(train, W, b, 0, l2);
    assert.ok(f <= c.objective * (1 + 1e-4), `objective ${f} vs scikit-learn's ${c.objective} (${c.iterations} iterations)`);
    m.dispose();
  });
}

test("defaults: softmax regression reaches scikit-learn's default LogisticRegression() accuracy (iris, wine)", async () => {
  for (const name of ['iris', 'wine']) {
    const { train, test: held } = split(name);
    const m = new SoftmaxRegression({ backend: wasm });
    const h = await m.fit(train);
    assert.ok(h.solver?.converged && h.solver.solver === 'lbfgs', JSON.stringify(h.solver));
    assert.ok(accuracy(m, held) >= reference.splits[name].default.accuracy, `${name}: ${accuracy(m, held)}`);
    m.dispose();
  }
});

for (const c of (reference as unknown as { regression: { penalty: 'l1' | 'elasticnet'; alpha: number; l1Ratio: number | null; objective: number; zeros: number[] }[] }).regression) {
  test(`diabetes, ${c.penalty} α ${c.alpha}: scikit-learn's Lasso / ElasticNet optimum`, async () => {
    const ds = loadSet('diabetes'), s = reference.splits.diabetes;
    const reg = { ...ds, y: Float32Array.from(ds.y) };
    delete (reg as { classes?: number }).classes;
    const tr = take(reg, s.train), scaler = new StandardScaler().fitDataset(tr), train = scaler.transformDataset(tr);
    const m = new LinearRegression({ backend: wasm, penalty: c.penalty, alpha: c.alpha, ...(c.l1Ratio === null ? {} : { l1Ratio: c.l1Ratio }) });
    const h = await m.fit(train);
    const { weights: W, intercept } = m.coefficients(), rho = c.l1Ratio ?? 1;
    let f = 0, a = 0, q = 0;
    for (let r = 0; r < train.rows; r++) {
      let z = intercept;
      for (let j = 0; j < train.cols; j++) z += train.x[r * train.cols + j] * W[j];
      f += 0.5 * (z - train.y[r]) ** 2 / train.rows;
    }
    for (const w of W) (a += Math.abs(w), q += w * w);
    f += c.alpha * rho * a + 0.5 * c.alpha * (1 - rho) * q;
    assert.ok(Math.abs(f - c.objective) <= 1e-4 * c.objective, `objective ${f} vs scikit-learn's ${c.objective}; ${JSON.stringify(h.solver)}`);
    assert.equal(zeros(W), c.zeros, 'the same weights are exactly zero');
    m.dispose();
  });
}

test('MNIST 8×8, softmax with L1 and elastic net: the optimum of an independent float64 FISTA', async () => {
  const { train } = loadMnist({ train: 200, test: 0, seed: 4 });
  const ds = mnist8x8(train);
  for (const [penalty, l1Ratio] of [['l1', undefined], ['elasticnet', 0.5]] as const) {
    const config = { backend: wasm, penalty, C: 0.5, ...(l1Ratio === undefined ? {} : { l1Ratio }) };
    const m = new SoftmaxRegression(config);
    const h = await m.fit(ds);
    const { l1, l2 } = perRowPenalty(config, ds.rows, 'sklearn');
    const ref = fistaSoftmax(ds, l1, l2, 800);
    const { W, b } = weights(m);
    const got = objective(ds, W, b, l1, l2), want = objective(ds, ref.W, ref.b, l1, l2);
    assert.ok(got <= want * (1 + 1e-4), `${penalty}: objective ${got} vs FISTA's ${want} (${JSON.stringify(h.solver)})`);
    const nz = W.length - zeros(W).length, nzRef = ref.W.length - zeros(ref.W).length;
    assert.ok(nz < 0.8 * W.length && Math.abs(nz - nzRef) <= Math.max(2, 0.03 * nzRef), `${penalty}: ${nz} non-zero weights, FISTA ${nzRef} of ${W.length}`);
    m.dispose();
  }
});

test('per-row l1 / l2 = 1/(C·n) give the same model as penalty / C', async () => {
  const { train } = split('breast-cancer');
  const n = train.rows;
  for (const [penalty, perRow] of [['l1', { l1: 1 / (0.1 * n) }], ['l2', { l2: 1 / (0.1 * n) }]] as const) {
    const a = new LogisticRegression({ backend: wasm, penalty, C: 0.1 }), b = new LogisticRegression({ backend: wasm, ...perRow });
    await a.fit(train);
    await b.fit(train);
    allClose(weights(b).W, weights(a).W, 0, 0, SEED, `${penalty}: weights`);
    a.dispose();
    b.dispose();
  }
});

test("solver 'sgd' / 'adam' still train by epochs; C resolves to per-row strengths there too", async () => {
  const { train, test: held } = split('iris');
  for (const solver of ['sgd', 'adam'] as const) {
    const m = new SoftmaxRegression({ backend: wasm, solver, C: 10, fit: { epochs: 60, batchSize: 16 } });
    const h = await m.fit(train, { seed: 1 });
    assert.is(h.history.loss.length, 60);
    assert.is(h.solver, undefined);
    assert.ok(accuracy(m, held) > 0.85, `${solver}: ${accuracy(m, held)}`);
    m.dispose();
  }
});

test('pruned weights stay zero through the solver fine-tune; fit and fine-tune free what they allocate', async () => {
  const { train } = split('wine');
  const m = new SoftmaxRegression({ backend: wasm });
  await m.fit(train);
  const before = wasm.stats().buffers;
  const W = m.network().layers[0].W;
  const mask = Float32Array.from({ length: W.length }, (_, i) => (i % 3 === 0 ? 0 : 1));
  W.setMask(mask);
  const h = await m.fineTune(train);
  assert.ok(h.solver?.converged, JSON.stringify(h.solver));
  const w = wasm.read(W.value);
  for (let i = 0; i < w.length; i++) if (mask[i] === 0) assert.is(w[i], 0, `pruned weight ${i}`);
  assert.ok(w.some((v, i) => mask[i] === 1 && v !== 0));
  assert.is(wasm.stats().buffers, before + 1, 'only the mask added');
  m.dispose();
});

test('sparse (CSR) rows: the solver reaches the same optimum as for the same rows dense', async () => {
  const { train } = split('wine');
  const sparse = { ...train, x: denseToCsrMatrix(train.x, train.rows, train.cols) };
  const [d, s] = [new SoftmaxRegression({ backend: wasm, tol: 1e-6 }), new SoftmaxRegression({ backend: wasm, tol: 1e-6 })];
  await d.fit(train);
  await s.fit(sparse);
  const { l2 } = perRowPenalty({}, train.rows, 'sklearn');
  const fd = objective(train, weights(d).W, weights(d).b, 0, l2), fs = objective(train, weights(s).W, weights(s).b, 0, l2);
  assert.ok(Math.abs(fd - fs) <= 1e-6 * fd, `${fs} vs ${fd}`);
  d.dispose();
  s.dispose();
});

test('a saved expert rebuilds with its solver: L-BFGS stays L-BFGS, Adam stays Adam, ridge stays closed form', async () => {
  const { train } = split('iris');
  const reg = { x: train.x, rows: train.rows, cols: train.cols, y: Float32Array.from(train.y) };
  for (const [make, data, solver] of [
    [() => new SoftmaxRegression({ backend: wasm, C: 0.5 }), train, 'lbfgs'],
    [() => new SoftmaxRegression({ backend: wasm, solver: 'adam', fit: { epochs: 2 } }), train, 'adam'],
    [() => new SoftmaxRegression({ backend: wasm, optimizer: { kind: 'sgd', lr: 0.1 }, fit: { epochs: 2 } }), train, 'sgd'],
    [() => new LinearRegression({ backend: wasm, alpha: 0.1 }), reg, undefined],
  ] as const) {
    const m = make();
    await m.fit(data);
    const copy = expertFromState(m.toState(), wasm) as LinearModelExpert;
    if (solver) assert.is(copy.solver, solver);
    else {
      const h = await copy.fit(data);
      assert.is(h.solver, undefined, 'closed form: no solver report');
      allClose(copy.toState().tensors[0].data, m.toState().tensors[0].data, 0, 0, SEED, 'ridge refit');
    }
    m.dispose();
    copy.dispose();
  }
});

test('bad solver and penalty options → ERR_BAD_ARGUMENT', async () => {
  const bad = (make: () => unknown) => assert.throws(make, code('ERR_BAD_ARGUMENT'));
  bad(() => new SoftmaxRegression({ solver: 'ridge' as never }));
  bad(() => new SoftmaxRegression({ solver: 'sgd', optimizer: { kind: 'adam' } }));
  bad(() => new SoftmaxRegression({ tol: 0 }));
  bad(() => new LinearRegression({ penalty: 'l1', solver: 'ridge' }));
  bad(() => new LinearRegression({ C: 1 } as never));
  bad(() => new LinearRegression({ alpha: -1 }));
  const { train } = split('iris');
  for (const config of [{ C: 0 }, { C: 1, l2: 0.1 }, { penalty: 'elasticnet' as const }, { penalty: 'l2' as const, l1Ratio: 0.5 }, { penalty: 'bogus' as never }]) {
    const m = new SoftmaxRegression({ backend: wasm, ...config });
    await m.fit(train).then(() => assert.unreachable(JSON.stringify(config)), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT', JSON.stringify(config)));
  }
  const m = new SoftmaxRegression({ backend: wasm });
  await m.fit(train, { callbacks: { onBatchEnd: () => {} } }).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
  await m.fit({ ...train, classes: undefined } as never).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
});

test.run();
