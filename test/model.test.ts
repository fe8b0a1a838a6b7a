// SparseExpertModel end to end: determinism across worker counts, pruning through CSR,
// combiners, a worker that dies, abort, and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Dataset, type Executor, SparseExpertModel, createExecutor, fromArrays, loadMnist, takeRows } from '../src/entry/node.js';
import { run as linearExample } from '../examples/linear-regression.js';
import { syntheticCorpus } from '../examples/text.js';
import { hashingVectorize, selectCsrColumns } from '../src/index.js';
import { wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const { train, test: heldOut } = loadMnist({ train: 1500, test: 500, seed: 2 });
const small = { kind: 'mlp' as const, hidden: [32], fit: { epochs: 2, batchSize: 64 } };
/** Enough training for accuracy bounds to mean something. */
const trained = { ...small, fit: { epochs: 8, batchSize: 32 } };
const code = (c: string) => (e: { code?: string }) => e.code === c;

function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

test('same seed → identical expert weights and predictions with 0, 1 and 2 workers', async () => {
  const runs: { weights: Float32Array[][]; proba: Float32Array }[] = [];
  for (const workers of [0, 1, 2]) {
    const m = new SparseExpertModel({ experts: 3, expert: small, combine: 'convex', workers, seed: 7, backend: wasm });
    const report = await m.fit(train);
    assert.is(report.workers, workers === 0 ? 0 : workers, 'executor size');
    runs.push({ weights: m.expertList().map((e) => e.toState().tensors.map((t) => t.data)), proba: await m.predictProba(heldOut.x, heldOut.rows) });
    m.dispose();
  }
  for (const r of runs.slice(1)) {
    r.weights.forEach((ts, e) => ts.forEach((t, i) => allEqual(t, runs[0].weights[e][i], 7, `expert ${e} tensor ${i}`)));
    allEqual(r.proba, runs[0].proba, 7, 'combined probabilities');
  }
});

test('5 contiguous MLP experts combined by every combiner beat chance by far; a gate uses all experts', async () => {
  const m = new SparseExpertModel({ experts: 5, expert: trained, combine: 'gate', workers: 0, seed: 1, backend: wasm });
  const report = await m.fit(train);
  assert.is(report.experts.length, 5);
  assert.equal(report.experts.map((e) => e.rows), [270, 270, 270, 270, 270], 'array_split of the 1,350 non-held-out rows');
  for (const kind of ['gate', 'convex', 'fixed', 'stacking', 'topk'] as const) {
    await m.combineWith(kind);
    const acc = accuracy(await m.predict(heldOut.x, heldOut.rows), heldOut.y);
    assert.ok(acc > 0.8, `${kind}: accuracy ${acc}`);
  }
  await m.combineWith({ kind: 'topk', k: 1 });
  await m.predict(heldOut.x, heldOut.rows);
  const dense = m.expertList().reduce((s, e) => s + e.flopsPerSample(), 0);
  assert.ok(m.flopsPerSample() < dense / 4, 'top-1 runs about one expert per input');
  m.dispose();
});

test('90 % magnitude pruning: exact sparsity, CSR inference equals the dense masked experts', async () => {
  const m = new SparseExpertModel({
    experts: 2, expert: small, sparsity: { method: 'magnitude', sparsity: 0.9, scope: 'global', fineTuneEpochs: 1 }, combine: 'fixed', workers: 0, seed: 3, backend: wasm,
  });
  const report = await m.fit(train);
  for (const e of m.expertList()) {
    // The output layer stays dense by default (src/sparsity/prune.ts); the others lose exactly 90 %.
    const W = e.network().params().filter((p) => p.name.endsWith('/W'));
    const hidden = W.slice(0, -1), total = hidden.reduce((s, p) => s + p.length, 0);
    const zeros = hidden.reduce((s, p) => s + wasm.read(p.value).filter((v) => v === 0).length, 0);
    assert.is(zeros, Math.round(0.9 * total), 'exactly 90 % of the hidden weights are zero');
    assert.is(W[W.length - 1].mask, null, 'the output layer is not pruned');
  }
  assert.ok(report.experts.every((e) => e.sparsity > 0.85));
  // The model runs pruned experts through CSR; the experts themselves run dense gemm.
  const viaCsr = m.expertOutputs(heldOut.x, heldOut.rows);
  m.expertList().forEach((e, i) => allClose(viaCsr[i], e.predictProba(heldOut.x, heldOut.rows), 1e-5, 1e-4, 3, `expert ${i}`));
  m.dispose();
});

test('k-means partition with hard routing sends each input to its cluster expert only', async () => {
  const m = new SparseExpertModel({ partition: 'kmeans', experts: 3, expert: trained, combine: 'hard', workers: 0, seed: 4, backend: wasm });
  await m.fit(train);
  const p = await m.predictProba(heldOut.x, heldOut.rows);
  assert.is(p.length, heldOut.rows * 10);
  assert.ok(Math.abs(m.flopsPerSample() - m.expertList()[0].flopsPerSample()) < 1, 'one expert per input');
  assert.ok(accuracy(await m.predict(heldOut.x, heldOut.rows), heldOut.y) > 0.8, 'accuracy');
  m.dispose();
});

test('the seed §4 example: learned α beats each single feature-group expert', async () => {
  const r = await linearExample(SEED);
  assert.ok(r.ensemble < Math.min(...r.experts), `α-combined MSE ${r.ensemble} vs experts ${r.experts}`);
  assert.ok(Math.abs(r.alpha[0] + r.alpha[1] - 1) < 1e-6 && r.alpha.every((a) => a >= 0), `α = ${r.alpha}`);
});

test('a worker that dies fails the fit with ERR_WORKER_FAILED; the pool and the model stay usable', async () => {
  const pool = createExecutor(2);
  let calls = 0;
  // Expert 1's task is swapped for the diagnostic task that kills its worker.
  const dying: Executor = {
    size: pool.size,
    run: (task, input, opts) => (task === 'trainExpert' && (input.spec as { index: number }).index === 1 && calls++ === 0 ? pool.run('exit', { spec: 1, blobs: {} }, opts) : pool.run(task, input, opts)),
    close: () => pool.close(),
  };
  const m = new SparseExpertModel({ experts: 2, expert: small, combine: 'convex', seed: 5, backend: wasm });
  await m.fit(train, { executor: dying }).then(() => assert.unreachable('expected a failure'), (e) => assert.is(e.code, 'ERR_WORKER_FAILED'));
  const report = await m.fit(train, { executor: dying });
  assert.is(report.experts.length, 2);
  assert.ok(accuracy(await m.predict(heldOut.x, heldOut.rows), heldOut.y) > 0.7);
  await pool.close();
  m.dispose();
});

test('abort stops every expert with ERR_ABORTED; the model trains afterwards', async () => {
  const m = new SparseExpertModel({ experts: 2, expert: { ...small, fit: { epochs: 50, batchSize: 16 } }, combine: 'fixed', workers: 2, seed: 6, backend: wasm });
  const ctl = new AbortController();
  let reached = 0;
  const fit = m.fit(train, { signal: ctl.signal, onProgress: (p) => { reached = Math.max(reached, p.fraction); if (p.fraction > 0.02) ctl.abort(); } });
  await fit.then(() => assert.unreachable('expected an abort'), (e) => assert.is(e.code, 'ERR_ABORTED'));
  assert.ok(reached < 0.2, `training went on to ${reached} after the abort at 0.02`);
  const quick = new SparseExpertModel({ experts: 2, expert: small, combine: 'fixed', workers: 0, seed: 6, backend: wasm });
  await quick.fit(train);
  quick.dispose();
  m.dispose();
});

test('bad input: typed errors with stable codes', async () => {
  const tiny: Dataset = takeRows(train, Int32Array.from({ length: 4 }, (_, i) => i));
  const fit = (ds: Dataset, o: ConstructorParameters<typeof SparseExpertModel>[0]) => new SparseExpertModel({ expert: small, workers: 0, backend: wasm, ...o }).fit(ds);
  const rejects = async (p: Promise<unknown>, c: string) => p.then(() => assert.unreachable(`expected ${c}`), (e) => assert.is(e.code, c, e.message));
  await rejects(fit(tiny, { partition: 'kmeans', experts: 9, combine: 'fixed' }), 'ERR_EMPTY'); // k > rows
  await rejects(fit(tiny, { experts: 9, combine: 'fixed' }), 'ERR_EMPTY'); // more experts than rows: an empty part
  await rejects(fit(train, { partition: { kind: 'features', groups: [[0, 1], [1, 2]] }, combine: 'fixed' }), 'ERR_BAD_ARGUMENT'); // overlap / missing columns
  await rejects(fit({ ...train, y: train.y.subarray(0, 10) }, { combine: 'fixed' }), 'ERR_BAD_SHAPE'); // mismatched x / y
  const regression = { ...tiny, y: Float32Array.from(tiny.y), classes: undefined };
  await rejects(fit(regression, { expert: { kind: 'softmax' }, combine: 'fixed' }), 'ERR_BAD_ARGUMENT'); // a classifier on regression data, before training
  await rejects(fit(tiny, { expert: { kind: 'linear' }, combine: 'fixed', experts: 2 }), 'ERR_BAD_ARGUMENT'); // a regressor on classes
  // A task's own typed error comes back with its code from a worker too (not ERR_WORKER_FAILED).
  await rejects(fit(train, { expert: { ...small, hidden: [-3] }, combine: 'fixed', workers: 1, experts: 2 }), 'ERR_BAD_ARGUMENT');
  assert.throws(() => new SparseExpertModel({ combine: 'hard' }), code('ERR_BAD_ARGUMENT')); // hard routing needs k-means
  assert.throws(() => new SparseExpertModel({ experts: 0 }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => new SparseExpertModel({ workers: -1 }), code('ERR_BAD_ARGUMENT'));
  const unfitted = new SparseExpertModel();
  await rejects(unfitted.predict(heldOut.x, heldOut.rows), 'ERR_NOT_FITTED');
  const r = rng(SEED);
  const blobs = fromArrays(Array.from({ length: 40 }, (_, i) => [i % 2 ? 3 : -3, r.uniform()]), Array.from({ length: 40 }, (_, i) => i % 2));
  const m = new SparseExpertModel({ experts: 2, expert: { kind: 'softmax', fit: { epochs: 100, batchSize: 8 } }, combine: 'fixed', workers: 0, backend: wasm });
  await m.fit(blobs);
  await rejects(m.predict(new Float32Array(3), 2), 'ERR_BAD_SHAPE');
  assert.ok(accuracy(await m.predict(blobs.x, blobs.rows), blobs.y) > 0.9, 'still usable');
});

test('sparse text rows through the whole model: experts on CSR shards, feature groups, convex α', async () => {
  const { texts, labels } = syntheticCorpus(600, SEED);
  const x = hashingVectorize(texts, { features: 2 ** 10 });
  const ds = { x, rows: x.rows, cols: x.cols, y: labels, classes: 3 };
  for (const partition of ['stratified', 'features'] as const) {
    const m = new SparseExpertModel({ partition, experts: 2, expert: { kind: 'softmax' }, combine: 'convex', workers: 1, seed: 2, backend: wasm });
    await m.fit(ds);
    const acc = accuracy(await m.predict(x, x.rows), labels);
    assert.ok(acc > 0.85, `${partition}: accuracy ${acc}`);
    await m.combineWith('gate').then(() => assert.unreachable('a gate reads dense rows'), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
    await m.predict(selectCsrColumns(x, [0, 1, 2]), x.rows).then(() => assert.unreachable('wrong width'), (e) => assert.is(e.code, 'ERR_BAD_SHAPE'));
    m.dispose();
  }
});

test.run();
