// MoEModel as a user meets it: fit on real digits with the defaults (no collapse), router
// statistics per epoch and for any rows, bit-exact save / load, other shapes (few rows,
// many features, regression), and bad configs as typed errors with nothing leaked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MoEModel, SparseExpertsError, fromArrays } from '../src/index.js';
import { loadMnist } from '../src/data/mnist.js';
import type { MoEProgress } from '../src/model/moe-model.js';
import { reference, wasm as b } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

const { train, test: held } = loadMnist({ train: 2000, test: 500, seed: 1 });

test('defaults (E = 8, top-1, bias balancing, standardised input) train on digits without collapse; stats per epoch', async () => {
  const before = b.stats();
  const progress: MoEProgress[] = [];
  const model = new MoEModel({ epochs: 6, batchSize: 64, seed: SEED, backend: b });
  const report = await model.fit(train, { onProgress: (p) => progress.push(p) });
  const acc = (await model.evaluate(held)).acc!;
  const last = report.router[report.router.length - 1];
  console.log(`  MoEModel defaults on 2,000 digits: held-out ${(acc * 100).toFixed(1)} %, last-epoch load/ideal ${last.loadMin.toFixed(2)}–${last.loadMax.toFixed(2)}, entropy ${last.entropy.toFixed(2)}`);
  assert.ok(acc >= 0.85, `accuracy ${acc}`);
  assert.ok(last.loadMin >= 0.5 && last.loadMax <= 2, `loads ${last.loadMin}–${last.loadMax}`);
  assert.is(report.router.length, 6);
  assert.is(last.rowsPerExpert.reduce((a, v) => a + v, 0), train.rows, 'top-1 dropless: every row once per epoch');
  assert.ok(last.expertAccuracy!.every((a) => a !== null && a > 0.5), JSON.stringify(last.expertAccuracy));
  assert.ok(report.history.history['moe0/loadMax'].length === 6 && report.history.history['moe0/expert0Acc'].length === 6, 'router stats in the logs');
  const epochs = progress.filter((p) => p.router);
  assert.is(epochs.length, 6);
  assert.equal(epochs[5].router, last);
  assert.ok(progress[progress.length - 1].fraction === 1);
  assert.ok(report.activeParameters < report.parameters / 4, `${report.activeParameters} active of ${report.parameters}`);

  const st = model.routerStats(held.x, held.rows, held.y);
  assert.is(st.rowsPerExpert.reduce((a, v) => a + v, 0), held.rows);
  assert.ok(st.loadMax >= 1 && st.entropy > 0);
  // The experts' accuracies, weighted by their rows, are the model's accuracy (top-1: each row once).
  const weighted = st.expertAccuracy!.reduce((a: number, v, e) => a + (v ?? 0) * st.rowsPerExpert[e], 0) / held.rows;
  assert.ok(Math.abs(weighted - acc) < 1e-9, `${weighted} vs ${acc}`);

  const bytes = model.save(), copy = await MoEModel.load(bytes, b);
  assert.equal(Array.from(await copy.predictProba(held.x, held.rows)), Array.from(await model.predictProba(held.x, held.rows)), 'bit-exact after load');
  assert.equal(Array.from(copy.save()), Array.from(bytes), 'the same bytes saved again');
  copy.dispose();
  model.dispose();
  assert.is(b.stats().buffers, before.buffers, 'buffers freed');
});

test('same seed → byte-identical model files; another seed differs', async () => {
  const small = { ...train, rows: 300, x: train.x.subarray(0, 300 * 784), y: train.y.subarray(0, 300) };
  const files = await Promise.all([SEED, SEED, SEED + 1].map(async (seed) => {
    const m = new MoEModel({ experts: 4, hidden: 8, k: 2, noise: true, epochs: 2, batchSize: 50, seed, backend: b });
    await m.fit(small);
    const bytes = m.save();
    m.dispose();
    return Array.from(bytes);
  }));
  assert.equal(files[0], files[1]);
  assert.not.equal(files[0], files[2]);
});

test('other shapes: few rows, many features, regression, expert choice, the reference backend', async () => {
  const r = rng(SEED + 90);
  // 12 rows × 3,000 features, 3 classes: more experts than rows per class.
  const wide = fromArrays(Array.from({ length: 12 }, (_, i) => Array.from({ length: 3000 }, () => r.uniform(0, 1) + (i % 3))), Array.from({ length: 12 }, (_, i) => i % 3));
  const m1 = new MoEModel({ experts: 4, hidden: 4, epochs: 50, batchSize: 4, backend: b });
  await m1.fit(wide);
  assert.is((await m1.evaluate(wide)).acc, 1, 'separable few rows: learned');
  m1.dispose();
  // Regression: y = x₀ − 2·x₁, an MSE head over the mixture.
  const xs = Array.from({ length: 400 }, () => [r.uniform(), r.uniform()]);
  const reg = fromArrays(xs, xs.map(([a, c]) => a - 2 * c), { task: 'regression' });
  for (const backend of [b, reference]) {
    const m2 = new MoEModel({ experts: 4, hidden: 16, k: 2, epochs: 40, batchSize: 32, optimizer: { kind: 'adam', lr: 1e-2 }, backend });
    const rep = await m2.fit(reg);
    const { loss } = await m2.evaluate(reg);
    assert.ok(loss < 0.05, `${backend.name} regression MSE ${loss} (target variance ≈ 1.7)`);
    assert.is(rep.router[0].expertAccuracy, undefined, 'no accuracy for regression');
    assert.is((await m2.predict(reg.x.subarray(0, 6), 3)).length, 3);
    m2.dispose();
  }
  const m3 = new MoEModel({ routing: 'expert', capacityFactor: 1, epochs: 1, backend: b });
  const rep = await m3.fit({ ...train, rows: 512, x: train.x.subarray(0, 512 * 784), y: train.y.subarray(0, 512) });
  assert.is(rep.router[0].loadMin, 1, 'expert choice: every expert exactly c rows');
  assert.is(rep.router[0].loadMax, 1);
  m3.dispose();
});

test('bad configs and misuse: typed errors, nothing leaked', async () => {
  const before = b.stats();
  for (const o of [{ k: 9 }, { experts: 4, k: 5 }, { k: 0 }, { experts: 0 }, { capacityFactor: 0 }, { capacityFactor: -1 }, { hidden: 0 }, { epochs: -1 }, { batchSize: 0 }, { scale: 'log' }] as const) {
    try {
      new MoEModel(o as never);
      assert.unreachable(JSON.stringify(o));
    } catch (err) {
      assert.instance(err, SparseExpertsError, JSON.stringify(o));
      assert.is((err as SparseExpertsError).code, 'ERR_BAD_ARGUMENT', JSON.stringify(o));
    }
  }
  const m = new MoEModel({ experts: 2, hidden: 2, epochs: 1, backend: b });
  const codeOf = async (f: () => unknown): Promise<string> => {
    try {
      await f();
      return 'none';
    } catch (err) {
      return (err as SparseExpertsError).code;
    }
  };
  assert.is(await codeOf(() => m.predict(held.x, held.rows)), 'ERR_NOT_FITTED');
  await m.fit({ ...train, rows: 100, x: train.x.subarray(0, 78400), y: train.y.subarray(0, 100) });
  assert.is(await codeOf(() => m.predict(held.x.subarray(0, 100), 1)), 'ERR_BAD_SHAPE');
  assert.is(await codeOf(() => MoEModel.load(new Uint8Array(10), b)), 'ERR_BAD_FILE');
  assert.ok((await m.predict(held.x, held.rows)).length === held.rows, 'still usable');
  m.dispose();
  assert.is(b.stats().buffers, before.buffers);
});

test.run();
