// SparseExpertModel({ scale }): the scaler is fit on the training rows and applied before
// the partition, the experts and the combiner — the same model as one trained on rows
// scaled by hand — and a saved model carries it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { take } from '../src/data/dataset.js';
import { denseToCsrMatrix } from '../src/data/csr.js';
import { StandardScaler } from '../src/data/scale.js';
import { loadModel, saveModel } from '../src/io/model-file.js';
import { SparseExpertModel } from '../src/model/sparse-expert-model.js';
import { wasm } from './util/backends.js';
import { allEqual } from './util/close.js';
import { loadSet, reference } from './util/linear-fixtures.js';
import { SEED } from './util/prng.js';

const options = { partition: 'kmeans', experts: 3, expert: { kind: 'softmax' }, combine: 'gate', workers: 0, seed: 2, backend: wasm } as const;

test("scale: 'standard' = the same model trained on rows standardised by hand; saved and loaded with its scaler", async () => {
  const ds = loadSet('wine'), s = reference.splits.wine;
  const train = take(ds, s.train), held = take(ds, s.test);
  const scaled = new SparseExpertModel({ ...options, scale: 'standard' });
  await scaled.fit(train);
  const byHand = new SparseExpertModel(options), scaler = new StandardScaler().fitDataset(train);
  await byHand.fit(scaler.transformDataset(train));
  const p = await scaled.predictProba(held.x, held.rows);
  allEqual(p, await byHand.predictProba(scaler.transform(held.x, held.rows), held.rows), SEED, 'probabilities');
  const pred = await scaled.predict(held.x, held.rows);
  assert.ok(pred.filter((v, i) => v === held.y[i]).length / held.rows >= 0.9, 'k-means + softmax experts on standardised wine');
  const loaded = await loadModel(saveModel(scaled), { backend: wasm });
  assert.equal(loaded.toState().scaler, scaled.toState().scaler);
  allEqual(await loaded.predictProba(held.x, held.rows), p, SEED, 'loaded model');
  for (const m of [scaled, byHand, loaded]) m.dispose();
});

test('scale: typed errors for a bad kind and for sparse rows', async () => {
  assert.throws(() => new SparseExpertModel({ scale: 'robust' as never }), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT');
  const ds = loadSet('iris');
  const m = new SparseExpertModel({ ...options, partition: 'contiguous', combine: 'fixed', scale: 'minmax' });
  const sparse = { ...ds, x: denseToCsrMatrix(ds.x, ds.rows, ds.cols) };
  await m.fit(sparse).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
  await m.fit(ds);
  await m.predict(sparse.x, ds.rows).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
  m.dispose();
});

test.run();
