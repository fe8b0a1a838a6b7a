// Out-of-fold stacking and small-data warnings: every row predicted by experts that never
// saw it; scikit-learn's StackingClassifier numbers on the same folds (fixture); learning
// combiners warn, in describe(), when a class has fewer than 20 fit rows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Combiner } from '../src/combine/combiner.js';
import { LearnedWeights } from '../src/combine/convex.js';
import { GatingNetwork } from '../src/combine/gate.js';
import { outOfFoldOutputs } from '../src/combine/out-of-fold.js';
import { Stacking } from '../src/combine/stacking.js';
import { type AnyDataset, type Dataset, selectColumns, take } from '../src/data/dataset.js';
import { StandardScaler } from '../src/data/scale.js';
import { SoftmaxRegression } from '../src/experts/softmax.js';
import { wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { loadSet, reference } from './util/linear-fixtures.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

test('out-of-fold: each row is predicted exactly once, by a fold that did not train on it; folds keep class shares', async () => {
  const rows = 53, classes = 3, r = rng(SEED);
  // Column 0 carries the row's identity through take().
  const ds: Dataset = { x: Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? i / 2 : r.uniform(-1, 1))), rows, cols: 2, y: Int32Array.from(r.ints(rows, 0, classes)), classes };
  const seen = new Int32Array(rows);
  const out = await outOfFoldOutputs(ds, async (train, held, fold) => {
    const trained = new Set(Array.from({ length: train.rows }, (_, i) => (train.x as Float32Array)[i * 2]));
    const o = new Float32Array(held.rows * 2);
    for (let i = 0; i < held.rows; i++) {
      const id = (held.x as Float32Array)[i * 2];
      assert.not.ok(trained.has(id), `row ${id} predicted by a fold that trained on it`);
      seen[id]++;
      o[i * 2] = id;
      o[i * 2 + 1] = fold;
    }
    for (let c = 0; c < classes; c++) {
      const all = ds.y.filter((v) => v === c).length, here = held.y.filter((v) => v === c).length;
      assert.ok(Math.abs(here - all / 5) <= 1, `fold ${fold}: ${here} of class ${c}'s ${all} rows`);
    }
    return [o, o];
  }, { folds: 5, seed: SEED });
  assert.equal(Array.from(seen), new Array(rows).fill(1));
  for (let i = 0; i < rows; i++) assert.is(out[1][i * 2], i, 'outputs land on their own row');
  await outOfFoldOutputs(ds, async () => [], {}).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_SHAPE'));
  for (const folds of [1, 2.5, [{ train: new Int32Array(0), test: Int32Array.from({ length: rows }, (_, i) => i) }]]) {
    await outOfFoldOutputs(ds, async () => [new Float32Array(1)], { folds }).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
  }
});

test("wine, two feature-group softmax experts: out-of-fold stacking gives scikit-learn's StackingClassifier probabilities", async () => {
  const ref = (reference as unknown as { stacking: { groups: number[][]; proba: number[][]; accuracy: number } }).stacking;
  const ds = loadSet('wine'), s = reference.splits.wine;
  const scaler = new StandardScaler().fitDataset(take(ds, s.train));
  const train = scaler.transformDataset(take(ds, s.train)), held = scaler.transformDataset(take(ds, s.test));
  const fitExperts = async (part: AnyDataset) => {
    const experts = ref.groups.map(() => new SoftmaxRegression({ backend: wasm, tol: 1e-6 }));
    for (const [i, g] of ref.groups.entries()) await experts[i].fit(selectColumns(part as Dataset, g));
    return experts;
  };
  const outputs = (experts: SoftmaxRegression[], part: Dataset) => experts.map((e, i) => e.predictProba(selectColumns(part, ref.groups[i]).x, part.rows));
  // The fixture's folds: training row i in fold i % 5 (scikit-learn was given the same).
  const ids = Array.from({ length: train.rows }, (_, i) => i);
  const folds = [0, 1, 2, 3, 4].map((f) => ({ train: Int32Array.from(ids.filter((i) => i % 5 !== f)), test: Int32Array.from(ids.filter((i) => i % 5 === f)) }));
  const oof = await outOfFoldOutputs(train, async (part, rows) => {
    const experts = await fitExperts(part);
    const o = outputs(experts, rows as Dataset);
    experts.forEach((e) => e.dispose());
    return o;
  }, { folds });
  const stack = new Stacking({ backend: wasm, meta: new SoftmaxRegression({ backend: wasm, tol: 1e-6 }) });
  await stack.fit(oof, train.y);
  const experts = await fitExperts(train);
  const p = stack.combine(outputs(experts, held), held.rows);
  allClose(p, ref.proba.flat(), 2e-4, 1e-3, SEED, 'stacked probabilities');
  assert.is(stack.describe().warnings, undefined, '133 rows, ≥ 20 per class: no warning');
  experts.forEach((e) => e.dispose());
  stack.dispose();
});

test('learning combiners warn in describe() when a class has fewer than 20 fit rows; not otherwise', async () => {
  const r = rng(SEED + 2);
  const make = (rows: number) => {
    const y = Int32Array.from({ length: rows }, (_, i) => i % 3);
    const outputs = [0, 1].map(() => Float32Array.from({ length: rows * 3 }, (_, i) => (i % 3 === y[Math.floor(i / 3)] ? 0.6 : 0.2) + r.uniform(0, 0.1)));
    return { y, outputs, x: Float32Array.from(r.floats(rows * 2, -1, 1)) };
  };
  for (const [rows, warns] of [[30, true], [75, false]] as const) {
    const { y, outputs, x } = make(rows);
    const combiners: Combiner[] = [new LearnedWeights(), new GatingNetwork({ backend: wasm }), new Stacking({ backend: wasm })];
    for (const c of combiners) {
      await c.fit(outputs, y, x);
      const w = c.describe().warnings;
      assert.is(w !== undefined, warns, `${c.kind} with ${rows} rows: ${JSON.stringify(w)}`);
      if (warns) assert.match(w![0], /fewer than 20 fit rows for class 0: 10, 1: 10, 2: 10/);
      c.dispose?.();
    }
  }
  const few = new LearnedWeights();
  await few.fit([Float32Array.from([1, 2, 3])], Float32Array.from([1, 2, 3]));
  assert.match(few.describe().warnings![0], /only 3 rows/);
  assert.throws(() => new Stacking().describe(), code('ERR_NOT_FITTED'));
});

test.run();
