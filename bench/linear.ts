// Linear experts vs scikit-learn's optimum on iris, wine and breast cancer (the fixtures of
// scripts/sklearn-fixtures.py: same split, standardised): held-out accuracy, non-zero weights,
// objective gap, iterations and time of the default solver (L-BFGS / OWL-QN) next to the
// old default (Adam, 30 epochs, penalty as per-row l1/l2); then MNIST 8×8 with k-means (5)
// softmax experts and hard routing vs one softmax model. Times are medians of 5 fits.
// Run with `node --import tsx bench/linear.ts`.
import { init } from '../src/entry/node.js';
import { type Dataset, take } from '../src/data/dataset.js';
import { loadMnist } from '../src/data/mnist.js';
import { StandardScaler } from '../src/data/scale.js';
import type { LinearModelConfig, LinearModelExpert } from '../src/experts/linear-model.js';
import { LogisticRegression } from '../src/experts/logistic.js';
import { perRowPenalty } from '../src/experts/penalty.js';
import { SoftmaxRegression } from '../src/experts/softmax.js';
import { SparseExpertModel } from '../src/model/sparse-expert-model.js';
import { loadSet, mnist8x8, objective, reference } from '../test/util/linear-fixtures.js';
import { median } from './util/stats.js';
import { formatTable } from './util/table.js';

const backend = await init({ build: 'simd' });

function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += pred[i] === y[i] ? 1 : 0;
  return ok / y.length;
}

async function run(make: () => LinearModelExpert, train: Dataset, test: Dataset, l1: number, l2: number) {
  const ms: number[] = [];
  let out = { acc: 0, nz: 0, f: 0, iterations: '' };
  for (let rep = 0; rep < 5; rep++) {
    const m = make();
    const t = performance.now();
    const h = await m.fit(train, { seed: 1 });
    ms.push(performance.now() - t);
    const [W, b] = m.toState().tensors.map((x) => x.data);
    out = { acc: accuracy(m.predict(test.x, test.rows), test.y), nz: W.filter((v) => v !== 0).length, f: objective(train, W, b, l1, l2), iterations: h.solver ? `${h.solver.iterations}${h.solver.converged ? '' : '*'}` : '30 ep' };
    m.dispose();
  }
  return { ...out, ms: median(ms) };
}

const rows: string[][] = [];
for (const c of reference.cases) {
  const ds = loadSet(c.set), s = reference.splits[c.set];
  const scaler = new StandardScaler().fitDataset(take(ds, s.train));
  const train = scaler.transformDataset(take(ds, s.train)), test = scaler.transformDataset(take(ds, s.test));
  const config: LinearModelConfig = { backend, penalty: c.penalty, C: c.C, ...(c.l1Ratio === null ? {} : { l1Ratio: c.l1Ratio }) };
  const { l1, l2 } = perRowPenalty(config, train.rows, 'sklearn');
  const Model = ds.classes === 2 ? LogisticRegression : SoftmaxRegression;
  const ours = await run(() => new Model(config), train, test, l1, l2);
  const adam = await run(() => new Model({ backend, solver: 'adam', l1, l2 }), train, test, l1, l2);
  rows.push([
    `${c.set} ${c.penalty} C=${c.C}`, `${c.accuracy.toFixed(3)} / ${c.nonZero}`,
    `${ours.acc.toFixed(3)} / ${ours.nz}`, ((ours.f - c.objective) / c.objective).toExponential(1), ours.iterations, ours.ms.toFixed(1),
    `${adam.acc.toFixed(3)} / ${adam.nz}`, ((adam.f - c.objective) / c.objective).toExponential(1), adam.ms.toFixed(1),
  ]);
}
console.log(`scikit-learn ${reference.sklearn} optimum (saga / lbfgs to tol 1e-12) vs this library; weights = ${reference.cases.map((c) => c.weights).join(', ')}\n`);
console.log(formatTable(['case', 'sklearn acc / nz', 'lbfgs acc / nz', 'gap', 'iter', 'ms', 'adam acc / nz', 'gap', 'ms'], rows));
console.log('\ngap: (objective − scikit-learn\'s) / scikit-learn\'s; * = stopped before tol; adam: the old default, 30 epochs');

// The 64-feature case: k-means (5) + softmax experts with hard routing vs one softmax.
const { train, test } = loadMnist({ train: 1347, test: 450, seed: 0 });
const [tr, te] = [mnist8x8(train), mnist8x8(test)];
const scaler = new StandardScaler().fitDataset(tr);
const [trs, tes] = [scaler.transformDataset(tr), scaler.transformDataset(te)];
const one = new SoftmaxRegression({ backend });
let t = performance.now();
await one.fit(trs);
const oneMs = performance.now() - t;
const model = new SparseExpertModel({ partition: 'kmeans', experts: 5, expert: { kind: 'softmax' }, combine: 'hard', workers: 0, backend });
t = performance.now();
await model.fit(trs);
const modelMs = performance.now() - t;
console.log(`\nMNIST 8×8, 1347 train / 450 test rows, standardised: one softmax ${accuracy(one.predict(tes.x, tes.rows), tes.y).toFixed(3)} (${oneMs.toFixed(0)} ms); `
  + `k-means (5) + softmax experts, hard routing ${accuracy(await model.predict(tes.x, tes.rows), tes.y).toFixed(3)} (${modelMs.toFixed(0)} ms)`);
model.dispose();
one.dispose();
