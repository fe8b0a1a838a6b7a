// The model's stacking fits its meta-learner on out-of-fold outputs of every training row
// (cv = 5 by default); with cv: null it falls back to the small holdout, and the fit report
// then says the holdout is too small.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { take } from '../src/data/dataset.js';
import { SparseExpertModel } from '../src/model/sparse-expert-model.js';
import { wasm } from './util/backends.js';
import { loadSet, reference } from './util/linear-fixtures.js';

const groups = [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12]];
const options = { partition: { kind: 'features', groups }, expert: { kind: 'softmax' }, workers: 0, seed: 3, scale: 'standard', backend: wasm } as const;

test('wine, two feature-group experts: out-of-fold stacking uses every training row, no warning; the holdout fallback warns', async () => {
  const ds = loadSet('wine'), s = reference.splits.wine;
  const train = take(ds, s.train), held = take(ds, s.test);
  const acc = async (m: SparseExpertModel) => (await m.predict(held.x, held.rows)).filter((v, i) => v === held.y[i]).length / held.rows;
  const oof = new SparseExpertModel({ ...options, combine: 'stacking' });
  const report = await oof.fit(train);
  assert.equal(report.experts.map((e) => e.rows), [133, 133], 'no rows held out: the experts train on all of them');
  assert.is(report.combiner.warnings, undefined);
  assert.ok((await acc(oof)) >= 0.95, `out-of-fold stacking: ${await acc(oof)}`);
  const small = new SparseExpertModel({ ...options, combine: { kind: 'stacking', cv: null } });
  const r2 = await small.fit(train);
  assert.equal(r2.experts.map((e) => e.rows), [119, 119], '10 % held out');
  assert.match(r2.combiner.warnings?.[0] ?? '', /fewer than 20 fit rows/);
  for (const bad of [{ kind: 'stacking', cv: 1 }, { kind: 'convex', cv: 5 }] as const) {
    assert.throws(() => new SparseExpertModel({ combine: bad }), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT');
  }
  oof.dispose();
  small.dispose();
});

test.run();
