import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dataset } from '../src/data/dataset.js';
import { crossValidate } from '../src/metrics/cross-validate.js';

const fails = (code: string) => (e: { code?: string }) => e.code === code;

// Row i has feature i, so a fold's rows can be traced back; labels 0,0,1,1,2,2,0,0,1,1,…
function rowsDataset(rows: number, classes?: number): Dataset {
  const x = Float32Array.from({ length: rows }, (_, i) => i);
  const y = classes ? Int32Array.from({ length: rows }, (_, i) => (i >> 1) % classes) : Float32Array.from(x);
  return { x, rows, cols: 1, y, ...(classes ? { classes } : {}) };
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(fails(code)(e as { code?: string }), `expected ${code}, got ${(e as Error).message}`);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('crossValidate: named scores, mean and population std, folds cover all rows once', async () => {
  const ds = rowsDataset(12, 3);
  const seen: number[] = [];
  const cv = await crossValidate(
    ds,
    4,
    (train, testSet, fold) => {
      seen.push(...testSet.x);
      assert.is(train.rows + testSet.rows, 12);
      // stratified by default: each fold holds one row of each class
      assert.equal(Array.from(testSet.y).sort(), [0, 1, 2], `fold ${fold}`);
      return { fold, size: testSet.rows };
    },
    { seed: 1 },
  );
  assert.equal(cv.scores.fold, [0, 1, 2, 3]);
  assert.is(cv.mean.fold, 1.5);
  assert.is(cv.std.fold, Math.sqrt(1.25)); // ((1.5² + 0.5²)·2) / 4
  assert.equal([cv.mean.size, cv.std.size], [3, 0]);
  assert.equal(seen.sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
  assert.is(cv.folds.length, 4);
});

test('crossValidate: a plain number is "score"; regression uses plain k-fold; deterministic', async () => {
  const ds = rowsDataset(7);
  const run = () => crossValidate(ds, 3, async (_train, t) => t.x[0], { seed: 5 });
  const a = await run();
  assert.equal(Object.keys(a.scores), ['score']);
  assert.equal(a.scores, (await run()).scores);
  assert.equal(a.folds.map((f) => f.test.length).sort(), [2, 2, 3]);
});

test('crossValidate errors: abort, inconsistent metrics, non-finite, stratify without classes', async () => {
  const ds = rowsDataset(6, 2);
  const ctl = new AbortController();
  ctl.abort();
  await rejects(crossValidate(ds, 2, () => 1, { seed: 1, signal: ctl.signal }), 'ERR_ABORTED');
  await rejects(crossValidate(ds, 2, (_a, _b, f): Record<string, number> => (f === 0 ? { a: 1 } : { b: 1 }), { seed: 1 }), 'ERR_BAD_ARGUMENT');
  await rejects(crossValidate(ds, 2, () => NaN, { seed: 1 }), 'ERR_NON_FINITE');
  await rejects(crossValidate(rowsDataset(6), 2, () => 1, { seed: 1, stratified: true }), 'ERR_BAD_ARGUMENT');
  await rejects(crossValidate(ds, 7, () => 1, { seed: 1 }), 'ERR_BAD_ARGUMENT');
});

test.run();
