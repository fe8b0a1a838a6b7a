import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { datasetSource } from '../src/data/source.js';
import { createPartition } from '../src/partition/create.js';
import type { ClusterPartition } from '../src/partition/kmeans.js';
import type { IndexPartition } from '../src/partition/row-split.js';
import { wasm } from './util/backends.js';
import { loadMnist8 } from './util/mnist8.js';

const { train } = loadMnist8(2000, 0, 4);
const lists = (p: unknown) => (p as IndexPartition).parts.map((q) => Array.from(q));

test('index partitions of a source are those of the rows in memory', async () => {
  const src = datasetSource(train, 333);
  for (const kind of ['contiguous', 'shuffled', 'stratified'] as const) {
    const spec = { kind, experts: 5, seed: 9 };
    assert.equal(lists(await createPartition(src, spec)), lists(await createPartition(train, spec)), kind);
  }
  try {
    await createPartition(src, { kind: 'features', experts: 2 });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'ERR_BAD_ARGUMENT');
  }
});

test('k-means over a source: seeded on a sample of every row, the in-memory partition exactly; on a smaller sample, as good', async () => {
  const spec = { kind: 'kmeans' as const, experts: 4, seed: 2, backend: wasm };
  const inMemory = (await createPartition(train, spec)) as ClusterPartition;
  const whole = (await createPartition(datasetSource(train, 333), { ...spec, sampleRows: train.rows })) as ClusterPartition;
  assert.equal(lists(whole), lists(inMemory));
  assert.equal(Array.from(whole.centroids), Array.from(inMemory.centroids));
  assert.equal([whole.inertia, whole.iterations, whole.converged], [inMemory.inertia, inMemory.iterations, inMemory.converged]);
  const sampled = (await createPartition(datasetSource(train, 500), { ...spec, sampleRows: 300, overlap: 0.05 })) as ClusterPartition;
  assert.ok(sampled.converged);
  assert.ok(sampled.inertia < 1.05 * inMemory.inertia, `inertia ${sampled.inertia} vs ${inMemory.inertia} in memory`);
  const covered = new Set(sampled.parts.flatMap((p) => Array.from(p)));
  assert.is(covered.size, train.rows, 'overlapping parts still cover every row');
  assert.ok(sampled.parts.reduce((s, p) => s + p.length, 0) > train.rows, 'overlap adds border rows');
});

test.run();
