// SparseExpertModel on a source: partitioned on the stream, each expert streaming its own
// rows — reopened by path on its worker, or read from a Blob into its shard.
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SparseExpertModel } from '../src/entry/node.js';
import { blobBytes } from '../src/data/byte-stream.js';
import { idxSource } from '../src/data/chunked-idx.js';
import { idxFiles } from '../src/data/file-sources.js';
import { loadIdxPair } from '../src/data/idx.js';
import { accuracy } from '../src/metrics/classification.js';
import { wasm } from './util/backends.js';
import { mnistIdxFiles } from './util/mnist-idx.js';

const files = mnistIdxFiles(3000, 1000, 1, 5);
const testSet = loadIdxPair(files.testImages, files.testLabels);
const expert = { kind: 'mlp' as const, hidden: [32], fit: { epochs: 3, batchSize: 32 } };
const tensors = (m: SparseExpertModel) => m.expertList().flatMap((e) => e.toState().tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));

test('k-means experts on 2 workers stream their parts from the files; a Blob source trains the same bits on the calling thread', async () => {
  const options = { experts: 3, partition: { kind: 'kmeans' as const, sampleRows: 1000 }, expert, combine: 'gate' as const, seed: 4, backend: wasm };
  const onWorkers = new SparseExpertModel({ ...options, workers: 2 });
  const report = await onWorkers.fit(await idxFiles(files.images, files.labels, { blockRows: 500 }));
  assert.is(report.workers, 2);
  assert.is(report.experts.reduce((s, e) => s + e.rows, 0), 2700, 'the parts cover the training rows (10 % held out)');
  const acc = accuracy(testSet.y, await onWorkers.predict(testSet.x, testSet.rows));
  assert.ok(acc > 0.85, `held-out accuracy ${acc}`);
  const here = new SparseExpertModel({ ...options, workers: 0 });
  const blob = (path: string) => blobBytes(new Blob([readFileSync(path)]));
  await here.fit(await idxSource(blob(files.images), blob(files.labels), { blockRows: 300 }));
  assert.ok(tensors(here).every((t, i) => t.equals(tensors(onWorkers)[i])), 'same weights, bit for bit');
  const first = testSet.x.subarray(0, 50 * 784);
  assert.equal(Array.from(await here.predictProba(first, 50)), Array.from(await onWorkers.predictProba(first, 50)));
  onWorkers.dispose();
  here.dispose();
});

test('a model on a source refuses what needs its rows in memory, before reading them', async () => {
  const src = await idxFiles(files.images, files.labels);
  for (const options of [{ scale: 'standard' as const }, { combine: { kind: 'stacking' as const, cv: 3 } }, { partition: { kind: 'features' as const } }]) {
    const m = new SparseExpertModel({ experts: 2, expert, workers: 0, backend: wasm, ...options });
    try {
      await m.fit(src);
      assert.unreachable(JSON.stringify(options));
    } catch (e) {
      assert.is((e as { code?: string }).code, 'ERR_BAD_ARGUMENT', (e as Error).message);
    }
  }
});

test.after(() => rmSync(files.dir, { recursive: true, force: true }));
test.run();
