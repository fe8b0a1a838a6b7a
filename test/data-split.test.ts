import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dataset } from '../src/data/dataset.js';
import { Rng } from '../src/data/prng.js';
import { apportion, kFold, stratifiedKFold, stratifiedSample, trainTestSplit } from '../src/data/split.js';

const fails = (code: string) => (e: { code?: string }) => e.code === code;

function labelled(seed: number, rows: number, classes: number): Dataset {
  const rng = new Rng(seed);
  // uneven classes: class c is drawn with weight c + 1
  const y = Int32Array.from({ length: rows }, () => {
    let u = rng.int((classes * (classes + 1)) / 2);
    let c = 0;
    while (u > c) u -= ++c;
    return c;
  });
  const x = Float32Array.from({ length: rows * 2 }, (_, i) => i);
  return { x, rows, cols: 2, y, classes };
}

function classCounts(y: ArrayLike<number>, idx: ArrayLike<number>, classes: number): number[] {
  const c = new Array(classes).fill(0);
  for (let i = 0; i < idx.length; i++) c[y[idx[i]]]++;
  return c;
}

test('apportion: largest remainder, exact total, ties to the lower index', () => {
  assert.equal(apportion(10, [1, 1, 1]), [4, 3, 3]);
  assert.equal(apportion(7, [5, 3, 2]), [4, 2, 1]); // quotas 3.5, 2.1, 1.4 → the .5 gets the spare
  assert.equal(apportion(0, [2, 3]), [0, 0]);
  assert.equal(apportion(5, [0, 4]), [0, 5]);
  assert.equal(apportion(3, []), []);
});

test('trainTestSplit: exact sizes, disjoint cover, rows copied, deterministic by seed', () => {
  for (const rows of [2, 3, 9, 50]) {
    const ds = labelled(rows, rows, 3);
    const s = trainTestSplit(ds, { testFraction: 0.25, seed: 1 });
    const nTest = Math.ceil(0.25 * rows);
    assert.equal([s.test.rows, s.train.rows], [nTest, rows - nTest], `rows ${rows}`);
    const all = [...s.trainIndices, ...s.testIndices].sort((a, b) => a - b);
    assert.equal(all, Array.from({ length: rows }, (_, i) => i));
    assert.equal(Array.from(s.test.x.subarray(0, 2)), [2 * s.testIndices[0], 2 * s.testIndices[0] + 1]);
    const again = trainTestSplit(ds, { testFraction: 0.25, seed: 1 });
    assert.equal(Array.from(again.testIndices), Array.from(s.testIndices));
  }
  const ds = labelled(1, 40, 3);
  const a = trainTestSplit(ds, { testSize: 10, seed: 1 }).testIndices;
  const b = trainTestSplit(ds, { testSize: 10, seed: 2 }).testIndices;
  assert.not.equal(Array.from(a), Array.from(b));
});

test('trainTestSplit stratified keeps each class share within one row', () => {
  const seed = 5;
  const ds = labelled(seed, 203, 4);
  const s = trainTestSplit(ds, { testSize: 61, seed, stratify: true });
  const total = classCounts(ds.y, Int32Array.from({ length: 203 }, (_, i) => i), 4);
  const test = classCounts(ds.y, s.testIndices, 4);
  assert.is(s.testIndices.length, 61);
  total.forEach((n, c) => assert.ok(Math.abs(test[c] - (61 * n) / 203) < 1, `seed ${seed}: class ${c} ${test[c]} of ${n}`));
});

test('trainTestSplit errors', () => {
  const ds = labelled(1, 10, 2);
  assert.throws(() => trainTestSplit(ds, { seed: 1 }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => trainTestSplit(ds, { testSize: 0, seed: 1 }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => trainTestSplit(ds, { testSize: 10, seed: 1 }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => trainTestSplit(ds, { testFraction: 1, seed: 1 }), fails('ERR_BAD_ARGUMENT'));
  const { classes: _, ...reg } = ds;
  assert.throws(() => trainTestSplit(reg, { testSize: 2, seed: 1, stratify: true }), fails('ERR_BAD_ARGUMENT'));
});

test('stratifiedSample: several parts, sum < rows, proportional and disjoint', () => {
  const seed = 3;
  const ds = labelled(seed, 500, 5);
  const parts = stratifiedSample(ds.y, 5, [100, 37, 0, 1], new Rng(seed));
  assert.equal(parts.map((p) => p.length), [100, 37, 0, 1]);
  assert.is(new Set(parts.flatMap((p) => Array.from(p))).size, 138);
  const total = classCounts(ds.y, Int32Array.from({ length: 500 }, (_, i) => i), 5);
  const first = classCounts(ds.y, parts[0], 5);
  total.forEach((n, c) => assert.ok(Math.abs(first[c] - (100 * n) / 500) < 2, `seed ${seed}: class ${c}`));
  assert.throws(() => stratifiedSample(ds.y, 5, [400, 101], new Rng(1)), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => stratifiedSample([0, 5], 5, [1], new Rng(1)), fails('ERR_LABEL_RANGE'));
});

test('kFold: sizes differ by ≤ 1, test folds partition the rows, train is the complement', () => {
  for (const [rows, k] of [[2, 2], [7, 3], [10, 10], [23, 4]]) {
    const folds = kFold(rows, k, { seed: 1 });
    assert.is(folds.length, k);
    const sizes = folds.map((f) => f.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${rows}/${k}: ${sizes}`);
    const seen = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
    assert.equal(seen, Array.from({ length: rows }, (_, i) => i));
    for (const f of folds) {
      assert.is(f.train.length + f.test.length, rows);
      assert.ok(!f.train.some((i) => f.test.includes(i)));
    }
  }
  assert.equal(Array.from(kFold(5, 2, { seed: 0, shuffle: false })[0].test), [0, 1, 2]);
  assert.equal(kFold(23, 4, { seed: 9 }).map((f) => Array.from(f.test)), kFold(23, 4, { seed: 9 }).map((f) => Array.from(f.test)));
  assert.throws(() => kFold(3, 4, { seed: 1 }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => kFold(3, 1, { seed: 1 }), fails('ERR_BAD_ARGUMENT'));
});

test('stratifiedKFold: each class spread over folds within one row', () => {
  const seed = 6;
  const ds = labelled(seed, 97, 3);
  const folds = stratifiedKFold(ds.y, 3, 5, { seed });
  const total = classCounts(ds.y, Int32Array.from({ length: 97 }, (_, i) => i), 3);
  for (let c = 0; c < 3; c++) {
    const per = folds.map((f) => classCounts(ds.y, f.test, 3)[c]);
    assert.ok(Math.max(...per) - Math.min(...per) <= 1, `seed ${seed}: class ${c} per fold ${per} of ${total[c]}`);
  }
  const sizes = folds.map((f) => f.test.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  assert.is(sizes.reduce((a, b) => a + b, 0), 97);
});

test.run();
