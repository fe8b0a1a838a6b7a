// The solvers: L-BFGS on functions with a known minimum, OWL-QN's exact zeros against
// the closed-form soft threshold, the linear objective's gradient by finite differences
// (dense and CSR rows, both backends), stopping reports and typed errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/backend.js';
import { denseToCsrMatrix } from '../src/data/csr.js';
import type { AnyDataset } from '../src/data/dataset.js';
import { minimize } from '../src/solvers/lbfgs.js';
import { LinearObjective, type LinearLoss } from '../src/solvers/linear-objective.js';
import type { Objective } from '../src/solvers/objective.js';
import { Standardised } from '../src/solvers/standardised.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

const rosenbrock: Objective = {
  size: 2,
  evaluate(w, g) {
    const [x, y] = w;
    g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    g[1] = 200 * (y - x * x);
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  },
};

/** ½Σ dᵢ(wᵢ − aᵢ)²: minimum a; with L1 λ the soft threshold sign(a)·max(|a| − λ/d, 0). */
function separable(a: Float64Array, d: Float64Array): Objective {
  return {
    size: a.length,
    evaluate(w, g) {
      let f = 0;
      for (let i = 0; i < a.length; i++) {
        g[i] = d[i] * (w[i] - a[i]);
        f += 0.5 * d[i] * (w[i] - a[i]) ** 2;
      }
      return f;
    },
  };
}

test('L-BFGS reaches the Rosenbrock minimum (1, 1) and says it converged', () => {
  const r = minimize(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-8, maxIter: 500 });
  assert.ok(r.converged && r.stop === 'tol', `stop ${r.stop}, gradient ${r.gradNorm}`);
  allClose(r.w, [1, 1], 1e-6, 0, SEED, 'minimum');
  assert.ok(r.iterations > 10 && r.evaluations >= r.iterations, `${r.iterations} iterations, ${r.evaluations} evaluations`);
  const capped = minimize(rosenbrock, Float64Array.from([-1.2, 1]), { tol: 1e-8, maxIter: 3 });
  assert.equal([capped.iterations, capped.converged, capped.stop], [3, false, 'maxIter']);
});

test('OWL-QN lands on the soft-threshold solution with exact zeros; unpenalised coordinates are left alone', () => {
  const r = rng(SEED), n = 40;
  const a = Float64Array.from(r.floats(n, -2, 2)), d = Float64Array.from(r.floats(n, 0.5, 3));
  const l1 = new Float64Array(n).fill(0.7);
  l1[0] = l1[1] = 0; // an intercept-like pair without penalty
  const res = minimize(separable(a, d), new Float64Array(n), { l1, tol: 1e-7 });
  const want = Array.from(a, (v, i) => Math.sign(v) * Math.max(Math.abs(v) - l1[i] / d[i], 0));
  allClose(res.w, want, 1e-6, 0, SEED, 'soft threshold');
  for (let i = 0; i < n; i++) assert.is(res.w[i] === 0, want[i] === 0, `coordinate ${i}: exact zero iff the threshold says so`);
  assert.ok(want.filter((v) => v === 0).length > 5, 'the case has zeros to find');
  assert.ok(res.converged, `stop ${res.stop}, gradient ${res.gradNorm}`);
});

test('a diagonal preconditioner equal to the inverse curvature solves a separable quadratic in one step', () => {
  const r = rng(SEED + 3), n = 30;
  const a = Float64Array.from(r.floats(n, -2, 2)), d = Float64Array.from(r.floats(n, 0.01, 100));
  const plain = minimize(separable(a, d), new Float64Array(n), { tol: 1e-9 });
  const pre = minimize(separable(a, d), new Float64Array(n), { tol: 1e-9, precondition: Float64Array.from(d, (v) => 1 / v) });
  allClose(pre.w, a, 1e-9, 0, SEED, 'preconditioned minimum');
  assert.ok(pre.iterations <= 2 && plain.iterations > 5 * pre.iterations, `${pre.iterations} iterations with, ${plain.iterations} without`);
});

test('solver input checks: typed errors; abort stops it', () => {
  const obj = separable(Float64Array.from([1, 2]), Float64Array.from([1, 1]));
  assert.throws(() => minimize(obj, new Float64Array(3)), code('ERR_BAD_SHAPE'));
  assert.throws(() => minimize(obj, new Float64Array(2), { tol: 0 }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => minimize(obj, new Float64Array(2), { maxIter: 1.5 }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => minimize(obj, new Float64Array(2), { l1: Float64Array.from([1, -1]) }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => minimize(obj, new Float64Array(2), { precondition: Float64Array.from([1, 0]) }), code('ERR_BAD_ARGUMENT'));
  const bad: Objective = { size: 1, evaluate: () => Number.NaN };
  assert.throws(() => minimize(bad, new Float64Array(1)), code('ERR_DIVERGED'));
  const ctl = new AbortController();
  ctl.abort();
  assert.throws(() => minimize(rosenbrock, Float64Array.from([-1.2, 1]), { signal: ctl.signal }), code('ERR_ABORTED'));
});

test('standardised coordinates: the same predictions, a round trip back, penalties rescaled by σ', () => {
  const r = rng(SEED + 4), rows = 17, cols = 5, k = 3;
  const x = Float32Array.from(r.floats(rows * cols, -1, 1), (v, i) => v * 10 ** (i % cols) + 50 * (i % cols));
  const std = new Standardised({ x, rows, cols, y: new Int32Array(rows), classes: k }, k);
  const theta = Float64Array.from(r.floats(cols * k + k, -1, 1));
  const t2 = std.toStandard(theta);
  allClose(std.fromStandard(t2), theta, 1e-12, 1e-9, SEED, 'round trip');
  const z = (xs: ArrayLike<number>, t: Float64Array) => Array.from({ length: rows * k }, (_, i) => {
    const row = Math.floor(i / k), c = i % k;
    let s = t[cols * k + c];
    for (let j = 0; j < cols; j++) s += xs[row * cols + j] * t[j * k + c];
    return s;
  });
  allClose(z(std.data.x, t2), z(x, theta), 1e-3, 1e-5, SEED, 'x′·W′ + b′ = x·W + b');
  const l1 = std.penalty(0.5, 1), l2 = std.penalty(0.5, 2);
  for (let i = 0; i < cols * k; i++) allClose([l1[i] * Math.abs(t2[i]), l2[i] * t2[i] ** 2], [0.5 * Math.abs(theta[i]), 0.5 * theta[i] ** 2], 1e-12, 1e-6, SEED, `penalty of weight ${i}`);
});

/** Central differences of obj at w, coordinate by coordinate, in float64. */
function numericGradient(obj: Objective, w: Float64Array, h: number): Float64Array {
  const g = new Float64Array(w.length), scratch = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const p = Float64Array.from(w), m = Float64Array.from(w);
    p[i] += h;
    m[i] -= h;
    g[i] = (obj.evaluate(p, scratch) - obj.evaluate(m, scratch)) / (2 * h);
  }
  return g;
}

function problem(loss: LinearLoss, rows: number, cols: number, seed: number): { ds: AnyDataset; outputs: number } {
  const r = rng(seed);
  // Values on a 1/8 grid are exact in float32, so the float32 products lose nothing.
  const x = Float32Array.from(r.ints(rows * cols, -8, 9), (v) => (v % 3 === 0 ? 0 : v / 8));
  if (loss === 'squared') return { ds: { x, rows, cols, y: Float32Array.from(r.floats(rows, -2, 2)) }, outputs: 1 };
  const classes = loss === 'softmax' ? 4 : 2;
  return { ds: { x, rows, cols, y: Int32Array.from(r.ints(rows, 0, classes)), classes }, outputs: loss === 'softmax' ? classes : 1 };
}

for (const b of [reference, wasm] as Backend[]) {
  test(`${b.name}: the linear objective's gradient matches finite differences (softmax, sigmoid, squared; L2; mask; dense and CSR)`, () => {
    let seed = SEED;
    for (const loss of ['softmax', 'sigmoid', 'squared'] as LinearLoss[]) {
      for (const [rows, cols] of [[1, 1], [7, 5], [23, 9]]) {
        const { ds, outputs } = problem(loss, rows, cols, seed++);
        const mask = Float32Array.from({ length: cols * outputs }, (_, i) => (i % 4 === 1 ? 0 : 1));
        for (const sparse of [false, true]) {
          const data = sparse ? { ...ds, x: denseToCsrMatrix(ds.x as Float32Array, rows, cols) } : ds;
          const before = b.stats().buffers;
          const obj = new LinearObjective(b, data, outputs, loss, { l2: 0.3, mask });
          const w = Float64Array.from(rng(seed).floats(obj.size, -1, 1), (v, i) => (i < mask.length && mask[i] === 0 ? 0 : v));
          const g = new Float64Array(obj.size);
          obj.evaluate(w, g);
          const num = numericGradient(obj, w, 1e-3);
          for (let i = 0; i < mask.length; i++) if (mask[i] === 0) num[i] = 0;
          allClose(g, num, 2e-4, 2e-3, seed, `${loss} ${rows}×${cols} ${sparse ? 'csr' : 'dense'} gradient`);
          obj.dispose();
          assert.is(b.stats().buffers, before, 'dispose frees every buffer');
        }
      }
    }
  });
}

test.run();
