// The polynomial schedule against its formula, gradual pruning during fit (exact final
// sparsity, pruned weights stay pruned), and masks surviving more training.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Dataset, fromArrays } from '../src/data/dataset.js';
import { MlpExpert } from '../src/experts/mlp.js';
import { gradualPruning } from '../src/sparsity/gradual.js';
import { pruneAndFineTune } from '../src/sparsity/fine-tune.js';
import { isUpdateStep, polynomialSparsity } from '../src/sparsity/schedule.js';
import { reference, wasm } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;
const close = (got: number, want: number, what: string) =>
  assert.ok(Math.abs(got - want) <= 1e-12 + 1e-12 * Math.abs(want), `${what}: ${got}, expected ${want}`);

test('polynomialSparsity: initial before t0, the Zhu & Gupta cubic at update steps, held between, final from endStep', () => {
  const s = { initial: 0.1, final: 0.9, beginStep: 10, endStep: 110, frequency: 10 };
  const f = (t: number) => 0.9 + (0.1 - 0.9) * (1 - (t - 10) / 100) ** 3;
  close(polynomialSparsity(0, s), 0.1, 'before t0');
  close(polynomialSparsity(10, s), 0.1, 't0');
  close(polynomialSparsity(60, s), f(60), 'middle');
  close(polynomialSparsity(60, s), 0.9 - 0.8 / 8, 'middle by hand');
  close(polynomialSparsity(69, s), f(60), 'held until the next update');
  close(polynomialSparsity(110, s), 0.9, 'endStep');
  close(polynomialSparsity(1e6, s), 0.9, 'after');
  for (let t = 10; t < 110; t++) assert.ok(polynomialSparsity(t + 1, s) >= polynomialSparsity(t, s), `non-decreasing at ${t}`);
  assert.ok([10, 20, 100, 110].every((t) => isUpdateStep(t, s)));
  assert.ok([0, 9, 11, 111, 120].every((t) => !isUpdateStep(t, s)));
  // endStep off the Δt grid is still an update step, and reaches final.
  const odd = { final: 0.5, endStep: 25, frequency: 10 };
  assert.ok(isUpdateStep(25, odd) && isUpdateStep(20, odd) && !isUpdateStep(30, odd));
  close(polynomialSparsity(24, odd), 0.5 * (1 - (1 - 20 / 25) ** 3), 'last grid step');
  close(polynomialSparsity(25, odd), 0.5, 'off-grid end');
  // t0 = endStep: one-shot at t0.
  close(polynomialSparsity(4, { final: 0.7, beginStep: 5, endStep: 5 }), 0, 'before one-shot');
  close(polynomialSparsity(5, { final: 0.7, beginStep: 5, endStep: 5 }), 0.7, 'one-shot');
});

test('polynomialSparsity: bad schedules are typed errors', () => {
  const bad = [
    { initial: 0.5, final: 0.2, endStep: 10 },
    { final: 1.2, endStep: 10 },
    { initial: -0.1, final: 0.5, endStep: 10 },
    { final: 0.5, beginStep: 10, endStep: 5 },
    { final: 0.5, beginStep: -1, endStep: 5 },
    { final: 0.5, endStep: 5.5 },
    { final: 0.5, endStep: 10, frequency: 0 },
  ];
  for (const s of bad) assert.throws(() => polynomialSparsity(3, s), code('ERR_BAD_ARGUMENT'), JSON.stringify(s));
});

/** Gaussian blobs, one per class. */
function blobs(n: number, classes: number, dims: number, seed: number): Dataset {
  const r = rng(seed);
  const centers = Array.from({ length: classes }, () => r.floats(dims, -3, 3));
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push(Array.from(centers[i % classes], (v) => v + r.uniform(-1, 1)));
    y.push(i % classes);
  }
  return fromArrays(x, y, { classes });
}

const zeros = (a: Float32Array) => a.filter((v) => v === 0).length;

for (const backend of [wasm, reference]) {
  test(`gradualPruning (${backend.name}): pruned weights stay pruned and the last step reaches exactly the final sparsity`, async () => {
    const ds = blobs(203, 3, 11, SEED);
    const mlp = new MlpExpert({ backend, hidden: [13] });
    // 203 rows / batch 16 = 13 steps per epoch; 3 epochs = 39 steps; end at 31, off the Δt = 4 grid.
    const schedule = { initial: 0.2, final: 0.85, beginStep: 3, endStep: 31, frequency: 4 };
    const gradual = gradualPruning(mlp, { layers: 'all' }, schedule);
    let previous: Float32Array[] | null = null, updates = 0;
    const onBatchEnd = gradual.callbacks.onBatchEnd!;
    await mlp.fit(ds, {
      epochs: 3, batchSize: 16, seed: SEED,
      callbacks: {
        ...gradual.callbacks,
        onBatchEnd: async (batch, logs) => {
          await onBatchEnd(batch, logs);
          const net = mlp.network();
          if (!isUpdateStep(gradual.step, schedule)) return;
          updates++;
          const masks = net.layers.map((l) => backend.read(l.W.mask!));
          masks.forEach((m, i) => {
            const want = Math.round(polynomialSparsity(gradual.step, schedule) * m.length);
            assert.is(zeros(m), want, `step ${gradual.step} layer ${i} zeros (seed ${SEED})`);
            previous?.[i].forEach((v, j) => v === 0 && assert.is(m[j], 0, `step ${gradual.step} layer ${i}: weight ${j} revived`));
          });
          previous = masks;
        },
      },
    });
    assert.is(gradual.step, 39);
    assert.is(updates, 8, 'steps 3, 7, …, 27 and 31');
    const net = mlp.network();
    net.layers.forEach((l, i) => {
      const k = Math.round(0.85 * l.W.length);
      assert.is(gradual.last![i].total - gradual.last![i].nonZero, k, `layer ${i} final report`);
      // After endStep the optimiser alone keeps the pruned weights at zero.
      assert.ok(zeros(backend.read(l.W.value)) >= k, `layer ${i} weights after training`);
      backend.read(l.W.mask!).forEach((m, j) => m === 0 && assert.is(backend.read(l.W.value)[j], 0, `layer ${i} weight ${j}`));
    });
    mlp.dispose();
  });

  test(`pruneAndFineTune (${backend.name}): masks survive more epochs — pruned weights stay exactly 0`, async () => {
    const ds = blobs(150, 4, 9, SEED + 1);
    const mlp = new MlpExpert({ backend, hidden: [10] });
    await mlp.fit(ds, { epochs: 2, batchSize: 32, seed: SEED });
    const { pruned, history } = await pruneAndFineTune(mlp, ds, { method: 'nm', n: 1, m: 3 }, { batchSize: 32, seed: SEED });
    assert.is(history.epochs.length, 2, 'two fine-tune epochs by default');
    const net = mlp.network();
    net.layers.forEach((l, i) => {
      const w = backend.read(l.W.value), m = backend.read(l.W.mask!);
      assert.is(pruned[i].nonZero, m.filter((v) => v === 1).length);
      m.forEach((v, j) => {
        if (v === 0) assert.ok(Object.is(w[j], 0), `layer ${i} weight ${j} = ${w[j]} (seed ${SEED})`);
      });
      assert.ok(w.some((v, j) => m[j] === 1 && v !== 0), 'the kept weights still train');
    });
    mlp.dispose();
  });
}

test('gradualPruning: a bad schedule fails at once', () => {
  const mlp = new MlpExpert({ backend: wasm });
  assert.throws(() => gradualPruning(mlp, {}, { final: 0.5, endStep: 10, frequency: 0 }), code('ERR_BAD_ARGUMENT'));
});

test.run();
