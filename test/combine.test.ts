// Combiners: fixed and learned convex weights (the seed's §4 example), stacking, the gating
// network (gradient by finite differences), top-k and hard routing with lazy experts,
// JSON round trips, cross-validated choice, and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dataset } from '../src/data/dataset.js';
import { LinearRegression } from '../src/experts/linear.js';
import { mse } from '../src/metrics/regression.js';
import { logLoss } from '../src/metrics/log-loss.js';
import { crossValidateChoice } from '../src/combine/choose.js';
import { LearnedWeights } from '../src/combine/convex.js';
import { FixedWeights } from '../src/combine/fixed.js';
import { createCombiner } from '../src/combine/create.js';
import { combinerFromJSON } from '../src/combine/create.js';
import { GatingNetwork } from '../src/combine/gate.js';
import { HardRouting } from '../src/combine/hard-routing.js';
import { mixtureTargets } from '../src/combine/mixture-loss.js';
import { mixtureLoss } from './util/mixture-reference.js';
import { Stacking } from '../src/combine/stacking.js';
import { TopKGate } from '../src/combine/topk.js';
import { featureGroups } from '../src/partition/features.js';
import { kmeans } from '../src/partition/kmeans.js';
import { wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;
const rejects = async (p: Promise<unknown>, c: string, what: string) =>
  p.then(() => assert.unreachable(what), (e) => assert.ok(code(c)(e), `${what}: ${String(e)}`));

/** rows × width random probability rows. */
function probs(rows: number, width: number, r: ReturnType<typeof rng>): Float32Array {
  const p = r.floats(rows * width, 0.05, 1);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let c = 0; c < width; c++) s += p[i * width + c];
    for (let c = 0; c < width; c++) p[i * width + c] /= s;
  }
  return p;
}

/** The seed's §4: y = Σ wᵢxᵢ + b + noise, 9 features, both halves informative. */
function linear(rows: number, seed: number): Dataset {
  const r = rng(seed), cols = 9;
  const w = [1.5, -2, 1, 0.5, 2, -1, 1.2, -0.7, 1.8];
  const x = r.floats(rows * cols, -1, 1), y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0.3 + 0.1 * (r.uniform(-1, 1) + r.uniform(-1, 1));
    for (let c = 0; c < cols; c++) s += w[c] * x[i * cols + c];
    y[i] = s;
  }
  return { x, rows, cols, y };
}

test('fixed weights: uniform default, given weights, validation and normalisation', () => {
  const r = rng(SEED);
  for (const rows of [0, 1, 5, 13]) {
    const outs = [probs(rows, 3, r), probs(rows, 3, r), probs(rows, 3, r)];
    const got = new FixedWeights().combine(outs, rows);
    // Expected values built from the inputs, so a short or empty result fails on its length.
    const each = (f: (i: number) => number) => Float32Array.from({ length: rows * 3 }, (_, i) => f(i));
    allClose(got, each((i) => (outs[0][i] + outs[1][i] + outs[2][i]) / 3), 1e-7, 1e-6, SEED, `uniform, ${rows} rows`);
    const w = new FixedWeights([0.5, 0.25, 0.25]).combine(outs, rows);
    allClose(w, each((i) => 0.5 * outs[0][i] + 0.25 * outs[1][i] + 0.25 * outs[2][i]), 1e-7, 1e-6, SEED, 'weighted');
  }
  assert.equal(new FixedWeights([2, 1, 1], { normalize: true }).weights, [0.5, 0.25, 0.25]);
  assert.throws(() => new FixedWeights([0.5, 0.6]), code('ERR_BAD_ARGUMENT'), 'sum ≠ 1');
  assert.throws(() => new FixedWeights([1.5, -0.5]), code('ERR_BAD_ARGUMENT'), 'negative');
  assert.throws(() => new FixedWeights([NaN, 1]), code('ERR_BAD_ARGUMENT'), 'NaN');
  assert.throws(() => new FixedWeights([0, 0], { normalize: true }), code('ERR_BAD_ARGUMENT'), 'all zero');
  assert.throws(() => new FixedWeights([0.5, 0.5]).combine([new Float32Array(2)], 2), code('ERR_BAD_SHAPE'), 'wrong N');
});

test('§4: learned α over two feature-group linear experts beats each expert; stacking beats α', async () => {
  const train = linear(400, SEED), held = linear(200, SEED + 1), evalSet = linear(301, SEED + 2);
  const groups = featureGroups(9, 2); // x1..x5 | x6..x9 (array_split)
  const experts = await Promise.all(
    [0, 1].map(async (i) => {
      const e = new LinearRegression({ backend: wasm });
      await e.fit(groups.subset(train, i));
      return e;
    }),
  );
  const outputs = (ds: Dataset) => groups.expertInputs(ds.x, ds.rows).map((xi, i) => Float32Array.from(experts[i].predict(xi, ds.rows)));
  const alpha = new LearnedWeights();
  await alpha.fit(outputs(held), held.y);
  const [a0, a1] = alpha.weights;
  assert.ok(a0 > 0.05 && a1 > 0.05 && Math.abs(a0 + a1 - 1) < 1e-9, `α = ${a0}, ${a1}`);
  const single = experts.map((_, i) => mse(evalSet.y, outputs(evalSet)[i]));
  const mixed = mse(evalSet.y, alpha.combine(outputs(evalSet), evalSet.rows));
  assert.ok(mixed < 0.9 * Math.min(...single), `mixture MSE ${mixed} vs single experts ${single} (seed ${SEED})`);
  // α·y1 + (1 − α)·y2 cannot add the halves back up; a linear meta-learner can (y ≈ y1 + y2 − b).
  const stack = new Stacking({ backend: wasm });
  await stack.fit(outputs(held), held.y);
  const stacked = mse(evalSet.y, stack.combine(outputs(evalSet), evalSet.rows));
  assert.ok(stacked < 0.1 * mixed, `stacking MSE ${stacked} vs α mixture ${mixed}`);
  const back = await combinerFromJSON(JSON.parse(JSON.stringify(alpha.toJSON())));
  allClose(back.combine(outputs(evalSet), evalSet.rows), alpha.combine(outputs(evalSet), evalSet.rows), 0, 0, SEED, 'convex JSON round trip');
  const stackBack = await combinerFromJSON(stack.toJSON(), { backend: wasm });
  allClose(stackBack.combine(outputs(evalSet), evalSet.rows), stack.combine(outputs(evalSet), evalSet.rows), 1e-6, 1e-6, SEED, 'stacking round trip');
  experts.forEach((e) => e.dispose());
});

test('the float64 reference gate gradient matches central finite differences (classification and regression, with L2)', () => {
  const r = rng(SEED);
  for (const task of ['classification', 'regression'] as const) {
    for (const [rows, dims, n, width] of [[7, 3, 4, 3], [1, 1, 2, 2], [9, 0, 3, 5], [5, 2, 1, 2]]) {
      const w = task === 'regression' ? 1 : width;
      const outputs = Array.from({ length: n }, () => (task === 'regression' ? r.floats(rows, -2, 2) : probs(rows, w, r)));
      const y = task === 'regression' ? r.floats(rows, -2, 2) : r.ints(rows, 0, w);
      const t = mixtureTargets(outputs, y, w, task);
      const x = Float64Array.from(r.floats(rows * dims, -2, 2));
      const W = Float64Array.from(r.floats(dims * n, -1, 1)), b = Float64Array.from(r.floats(n, -1, 1));
      const gW = new Float64Array(dims * n), gb = new Float64Array(n);
      mixtureLoss(t, x, dims, W, b, 0.3, gW, gb);
      const h = 1e-6;
      const numeric = (p: Float64Array) => Array.from(p, (_, i) => {
        const keep = p[i];
        p[i] = keep + h;
        const up = mixtureLoss(t, x, dims, W, b, 0.3);
        p[i] = keep - h;
        const down = mixtureLoss(t, x, dims, W, b, 0.3);
        p[i] = keep;
        return (up - down) / (2 * h);
      });
      allClose(gW, numeric(W), 1e-7, 1e-5, SEED, `${task} dL/dW (${rows}×${dims}, ${n} experts)`);
      allClose(gb, numeric(b), 1e-7, 1e-5, SEED, `${task} dL/db`);
    }
  }
});

/** Two experts, each right on one side of x₀ = 0 and wrong on the other; a third always unsure. */
function sided(rows: number, seed: number) {
  const r = rng(seed), dims = 3, classes = 3;
  const x = r.floats(rows * dims, -1, 1), y = r.ints(rows, 0, classes);
  const outs = [new Float32Array(rows * classes), new Float32Array(rows * classes), new Float32Array(rows * classes).fill(1 / 3)];
  for (let i = 0; i < rows; i++) {
    const good = x[i * dims] < 0 ? 0 : 1;
    for (let e = 0; e < 2; e++) for (let c = 0; c < classes; c++) outs[e][i * classes + c] = (c === y[i]) === (e === good) ? 0.9 : 0.05;
  }
  return { x, y, outs, rows, dims };
}

test('gating network learns which expert to trust where; top-k with k = N equals the dense gate', async () => {
  const fit = sided(300, SEED), ev = sided(101, SEED + 1);
  const gate = new GatingNetwork();
  await gate.fit(fit.outs, fit.y, fit.x);
  const gated = logLoss(ev.y, gate.combine(ev.outs, ev.rows, ev.x));
  const uniform = logLoss(ev.y, new FixedWeights().combine(ev.outs, ev.rows));
  assert.ok(gated < 0.5 * uniform, `gate log-loss ${gated} vs uniform ${uniform} (seed ${SEED})`);
  const d = gate.describe();
  assert.ok(d.load![2] < 0.05 && Math.abs(d.load![0] - 0.5) < 0.15, `load ${d.load}`);
  allClose(gate.weights(ev.x, ev.rows).filter((_, i) => i % 3 === 0).map((v, r) => (ev.x[r * 3] < -0.3 ? v : 1)), new Float32Array(ev.rows).fill(1), 0.2, 0, SEED, 'expert 0 owns x₀ < 0');

  const all = new TopKGate({ k: 3, backend: wasm });
  await all.fit(fit.outs, fit.y, fit.x);
  allClose(all.combine(ev.outs, ev.rows, ev.x), gate.combine(ev.outs, ev.rows, ev.x), 1e-6, 1e-5, SEED, 'top-N = dense');
  const sparseAll = await all.combineSparse(ev.x, ev.rows, (e, rows) => gatherRows(ev.outs[e], rows, 3));
  allClose(sparseAll.output, gate.combine(ev.outs, ev.rows, ev.x), 1e-6, 1e-5, SEED, 'top-N sparse = dense');
  assert.is(sparseAll.saved, 0);

  const gateBack = await combinerFromJSON(JSON.parse(JSON.stringify(gate.toJSON())));
  allClose(gateBack.combine(ev.outs, ev.rows, ev.x), gate.combine(ev.outs, ev.rows, ev.x), 0, 0, SEED, 'gate JSON round trip');
});

function gatherRows(out: Float32Array, rows: Int32Array, width: number): Float32Array {
  const g = new Float32Array(rows.length * width);
  rows.forEach((r, i) => g.set(out.subarray(r * width, (r + 1) * width), i * width));
  return g;
}

test('top-1: only the chosen expert runs on each row, the saving is counted, and it equals dense top-1', async () => {
  const fit = sided(300, SEED), ev = sided(53, SEED + 2);
  const top1 = new TopKGate({ k: 1, backend: wasm });
  await top1.fit(fit.outs, fit.y, fit.x);
  const { experts } = top1.route(ev.x, ev.rows);
  const seen: number[][] = [[], [], []];
  const res = await top1.combineSparse(ev.x, ev.rows, (e, rows) => {
    seen[e].push(...rows);
    return gatherRows(ev.outs[e], rows, 3);
  });
  for (let r = 0; r < ev.rows; r++) assert.ok(seen[experts[r]].includes(r) && seen.flat().filter((v) => v === r).length === 1, `row ${r} ran once, on expert ${experts[r]}`);
  assert.is(res.evaluations, ev.rows);
  assert.is(res.saved, ev.rows * 2);
  assert.equal(res.perExpert, seen.map((s) => s.length));
  allClose(res.output, top1.combine(ev.outs, ev.rows, ev.x), 0, 0, SEED, 'sparse = dense top-1');
  const empty = await top1.combineSparse(new Float32Array(0), 0, () => {
    throw new Error('no rows: no expert should run');
  });
  assert.is(empty.output.length, 0);
  const back = await combinerFromJSON(JSON.parse(JSON.stringify(top1.toJSON())), { backend: wasm });
  allClose(back.combine(ev.outs, ev.rows, ev.x), top1.combine(ev.outs, ev.rows, ev.x), 0, 0, SEED, 'top-k JSON round trip');
});

test('hard routing by a k-means partition uses exactly the expert of each row\'s cluster', async () => {
  const r = rng(SEED), rows = 61, dims = 2, k = 3;
  const x = new Float32Array(rows * dims);
  for (let i = 0; i < rows; i++) {
    x[i * dims] = 10 * (i % k) + r.uniform(-1, 1);
    x[i * dims + 1] = r.uniform(-1, 1);
  }
  const part = await kmeans({ x, rows, cols: dims, y: new Float32Array(rows) }, k, { seed: SEED, backend: wasm });
  // expert e predicts the constant e: the output names the expert that was used
  const outs = [0, 1, 2].map((e) => new Float32Array(rows).fill(e));
  const hard = new HardRouting(part, wasm);
  await hard.fit(outs, new Float32Array(rows), x);
  const got = hard.combine(outs, rows, x);
  const owner = new Int32Array(rows);
  part.parts.forEach((p, e) => p.forEach((row) => (owner[row] = e)));
  allClose(got, owner, 0, 0, SEED, 'each row → its cluster\'s expert');
  const sparse = await hard.combineSparse(x, rows, (e, idx) => {
    idx.forEach((row) => assert.is(owner[row], e, `row ${row} sent to expert ${e}`));
    return new Float32Array(idx.length).fill(e);
  });
  allClose(sparse.output, owner, 0, 0, SEED, 'sparse hard routing');
  assert.is(sparse.saved, rows * (k - 1));
  allClose(hard.describe().load!, part.parts.map((p) => p.length / rows), 1e-12, 1e-9, SEED, 'load');
  const back = await combinerFromJSON(hard.toJSON(), { router: part, backend: wasm });
  allClose(back.combine(outs, rows, x), got, 0, 0, SEED, 'hard routing round trip');
});

test('stacking (softmax meta-learner) learns what averaging cannot: an expert with its classes permuted', async () => {
  const make = (rows: number, seed: number) => {
    const r = rng(seed), y = r.ints(rows, 0, 3);
    // expert 0 is confident and right but names class c as (c + 1) % 3; expert 1 is noise
    const outs = [new Float32Array(rows * 3), probs(rows, 3, r)];
    for (let i = 0; i < rows; i++) for (let c = 0; c < 3; c++) outs[0][i * 3 + c] = c === (y[i] + 1) % 3 ? 0.8 : 0.1;
    return { y, outs, rows };
  };
  const fit = make(300, SEED), ev = make(101, SEED + 3);
  const acc = (q: Float32Array) => ev.y.reduce((a, y, i) => a + (q.subarray(i * 3, i * 3 + 3).indexOf(Math.max(...q.subarray(i * 3, i * 3 + 3))) === y ? 1 : 0), 0) / ev.rows;
  const stack = new Stacking({ backend: wasm, fit: { seed: 1 } });
  await stack.fit(fit.outs, fit.y);
  const stacked = acc(stack.combine(ev.outs, ev.rows)), averaged = acc(new FixedWeights().combine(ev.outs, ev.rows));
  assert.ok(stacked > 0.95 && averaged < 0.5, `stacking accuracy ${stacked}, averaging ${averaged} (seed ${SEED})`);
  assert.is(stack.combine(ev.outs.map(() => new Float32Array(0)), 0).length, 0);
});

test('crossValidateChoice picks the fixed α that the data favours, on the same folds for all', async () => {
  const ds = linear(120, SEED);
  // Two "experts": the truth plus small noise, and zero. α weights the first.
  const truth = (d: Dataset) => Float32Array.from(d.y, (v, i) => v + 0.01 * Math.sin(i));
  const result = await crossValidateChoice(
    ds,
    [0, 0.5, 1],
    (_train, test, a) => mse(test.y, new FixedWeights([a, 1 - a]).combine([truth(test), new Float32Array(test.rows)], test.rows)),
    { seed: SEED, goal: 'min', folds: 4 },
  );
  assert.is(result.best, 1);
  assert.is(result.bestIndex, 2);
  assert.equal(result.scores.map((s) => s.length), [4, 4, 4]);
  assert.is(result.folds.length, 4);
  assert.ok(result.mean[0] > result.mean[1] && result.mean[1] > result.mean[2], `means ${result.mean}`);
  await rejects(crossValidateChoice(ds, [], () => 0, { seed: 1, goal: 'min' }), 'ERR_EMPTY', 'no candidates');
});

test('bad input → typed errors', async () => {
  const r = rng(SEED), outs = [probs(4, 3, r), probs(4, 3, r)], y = Int32Array.from([0, 1, 2, 0]), x = r.floats(8);
  await rejects(new LearnedWeights().fit(outs, Int32Array.from([0, 1, 3, 0])), 'ERR_LABEL_RANGE', 'label ≥ classes');
  await rejects(new LearnedWeights().fit([outs[0], new Float32Array(11)], y), 'ERR_BAD_SHAPE', 'ragged outputs');
  await rejects(new LearnedWeights().fit([], y), 'ERR_EMPTY', 'no experts');
  await rejects(new LearnedWeights().fit([Float32Array.from([NaN, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])], y), 'ERR_NON_FINITE', 'NaN output');
  await rejects(new LearnedWeights().fit(outs, new Float32Array(4)), 'ERR_BAD_SHAPE', 'float targets with width 3');
  await rejects(new GatingNetwork().fit(outs, y), 'ERR_BAD_ARGUMENT', 'gate without x');
  await rejects(new GatingNetwork().fit(outs, y, r.floats(7)), 'ERR_BAD_SHAPE', 'x of the wrong size');
  await rejects(new GatingNetwork({ lr: -1 }).fit(outs, y, x), 'ERR_BAD_ARGUMENT', 'negative lr');
  await rejects(new TopKGate({ k: 3 }).fit(outs, y, x), 'ERR_BAD_ARGUMENT', 'k > N');
  assert.throws(() => new TopKGate({ k: 0 }), code('ERR_BAD_ARGUMENT'), 'k = 0');
  assert.throws(() => new TopKGate({ k: 1.5 }), code('ERR_BAD_ARGUMENT'), 'k = 1.5');
  assert.throws(() => new LearnedWeights().combine(outs, 4), code('ERR_NOT_FITTED'), 'convex before fit');
  assert.throws(() => new GatingNetwork().combine(outs, 4, x), code('ERR_NOT_FITTED'), 'gate before fit');
  assert.throws(() => new Stacking().combine(outs, 4), code('ERR_NOT_FITTED'), 'stacking before fit');
  const gate = new GatingNetwork({ epochs: 5 });
  await gate.fit(outs, y, x);
  assert.throws(() => gate.combine([outs[0]], 4, x), code('ERR_BAD_SHAPE'), 'fewer experts than fit');
  assert.throws(() => gate.combine(outs, 4), code('ERR_BAD_ARGUMENT'), 'combine without x');
  assert.throws(() => createCombiner({ kind: 'hard' }, { experts: 2, partition: featureGroups(4, 2) }), code('ERR_BAD_ARGUMENT'), 'hard routing by feature groups');
  assert.throws(() => createCombiner({ kind: 'topk', k: 3 }, { experts: 2 }), code('ERR_BAD_ARGUMENT'), 'spec k > N');
  assert.throws(() => createCombiner({ kind: 'fixed', weights: [1] }, { experts: 2 }), code('ERR_BAD_ARGUMENT'), 'one weight for two experts');
  for (const kind of ['fixed', 'convex', 'gate', 'topk', 'stacking'] as const) assert.is(createCombiner({ kind, epochs: 3 }, { experts: 2 }).kind, kind);
  await rejects(combinerFromJSON({ kind: 'nope' } as never), 'ERR_BAD_FILE', 'unknown kind');
  await rejects(combinerFromJSON({ kind: 'hard', experts: 2, load: null }), 'ERR_BAD_ARGUMENT', 'hard routing without its partition');
});

test.run();
