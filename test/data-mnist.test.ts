import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadMnist, mnistAll } from '../src/data/mnist.js';

const fails = (code: string) => (e: { code?: string }) => e.code === code;
// Images per digit in the mnist package (file sizes / 784).
const PER_DIGIT = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

test('all 10,000 digits decode, per-digit counts, pixels equal JSON.parse of the package file', () => {
  const t0 = performance.now();
  const all = mnistAll();
  console.log(`  mnist decode: ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal([all.rows, all.cols, all.classes], [10000, 784, 10]);
  const counts = new Array(10).fill(0);
  for (const v of all.y) counts[v]++;
  assert.equal(counts, PER_DIGIT);
  const file = createRequire(import.meta.url).resolve('mnist/src/digits/9.json');
  const ref = new Float32Array(JSON.parse(readFileSync(file, 'utf8')).data);
  assert.equal(all.x.subarray(all.x.length - ref.length), ref);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9, `pixel range [${lo}, ${hi}]`);
});

test('loadMnist: exact sizes, stratified, disjoint, deterministic by seed', () => {
  const seed = 3;
  const t0 = performance.now();
  const { train, test: held } = loadMnist({ seed });
  console.log(`  loadMnist split: ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal([train.rows, held.rows, train.cols, held.classes], [8000, 2000, 784, 10]);
  const counts = new Array(10).fill(0);
  for (const v of held.y) counts[v]++;
  counts.forEach((n, d) => assert.ok(Math.abs(n - PER_DIGIT[d] / 5) < 1, `seed ${seed}: digit ${d} has ${n} test rows`));
  // 8000 + 2000 = all rows: disjoint parts must together hold every digit exactly once
  const both = new Array(10).fill(0);
  for (const v of [...train.y, ...held.y]) both[v]++;
  assert.equal(both, PER_DIGIT);
  const sum = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
  const want = sum(mnistAll().x);
  const got = sum(train.x) + sum(held.x);
  assert.ok(Math.abs(got - want) <= 1e-9 * want, `pixel sums ${got} vs ${want}`);
  const again = loadMnist({ seed });
  assert.equal(again.test.y, held.y);
  assert.equal(again.train.x.subarray(0, 784 * 3), train.x.subarray(0, 784 * 3));
  assert.not.equal(loadMnist({ seed: seed + 1 }).test.y, held.y);
});

test('loadMnist: small and full sizes; too many rows is an error', () => {
  const small = loadMnist({ train: 1, test: 0, seed: 1 });
  assert.equal([small.train.rows, small.test.rows], [1, 0]);
  const full = loadMnist({ train: 7001, test: 2999, seed: 1 });
  assert.equal([full.train.rows, full.test.rows], [7001, 2999]);
  assert.throws(() => loadMnist({ train: 8001, test: 2000 }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => loadMnist({ train: 0 }), fails('ERR_BAD_ARGUMENT'));
});

test.run();
