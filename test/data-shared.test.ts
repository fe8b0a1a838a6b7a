// Rows live once: experts read their rows of one dataset through index lists (views), on the
// calling thread and on workers, from shared memory where there is one; elsewhere shards are
// moved. Views give the same rows, the same training and the same model bytes as shards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SparseExpertModel, createExecutor, loadMnist, saveModel } from '../src/entry/node.js';
import { type Dataset, type DenseX, floatRows, rowsView, selectColumns, take, toFloat32, validate } from '../src/data/dataset.js';
import { datasetFromParts, datasetToParts } from '../src/data/dataset-parts.js';
import { loadIdxPair, writeIdx } from '../src/data/idx.js';
import { isShared } from '../src/data/shared.js';
import { expertRows } from '../src/model/expert-rows.js';
import { wasm } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

const fails = (code: string) => (err: unknown) => (err as { code?: string }).code === code;
const same = (a: Uint8Array, b: Uint8Array, what: string) => assert.ok(a.length === b.length && a.every((v, i) => v === b[i]), `${what}: model bytes differ`);

/** Real MNIST digits as the bytes of an IDX pair. */
function digitsAsIdx(rows: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const { train } = loadMnist({ train: rows, test: 0, seed });
  return {
    images: writeIdx({ dtype: 'u8', dims: [rows, 28, 28], data: Uint8Array.from(train.x, (v) => Math.round(v * 255)) }),
    labels: writeIdx({ dtype: 'u8', dims: [rows], data: Uint8Array.from(train.y) }),
  };
}

/** Runs `fn` as in a page that is not cross-origin isolated: no shared memory for workers. */
async function notIsolated<T>(fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { crossOriginIsolated?: boolean };
  g.crossOriginIsolated = false;
  try {
    return await fn();
  } finally {
    delete g.crossOriginIsolated;
  }
}

test('a view reads the rows of its index list: floatRows, take, selectColumns and task parts as the copied rows', () => {
  const r = rng(SEED + 21);
  const { train } = loadMnist({ train: 200, test: 0, seed: 3 });
  const bytes: Dataset<Uint8Array> = { ...train, x: Uint8Array.from(train.x, (v) => Math.round(v * 255)), scale: 1 / 255 };
  for (const ds of [train, bytes] as Dataset<DenseX>[]) {
    const idx = Array.from({ length: r.int(0, 50) }, () => r.int(0, ds.rows - 1));
    const view = validate(rowsView(ds, idx)), copy = take(ds, idx);
    assert.is(view.x, ds.x, 'the view holds the same x');
    assert.equal(Array.from(floatRows(view)), Array.from(floatRows(copy)), `rows (seed ${SEED + 21})`);
    assert.equal(Array.from(view.y), Array.from(copy.y));
    const sub = [r.int(0, Math.max(0, idx.length - 1)), 0].filter((i) => i < idx.length);
    assert.equal(Array.from(floatRows(take(view, sub))), Array.from(floatRows(take(copy, sub))), 'a view of a view');
    assert.is(take(view, sub).x, ds.x, 'take of a view copies no row');
    assert.equal(Array.from(floatRows(selectColumns(view, [5, 300]))), Array.from(floatRows(selectColumns(copy, [5, 300]))));
    assert.equal(Array.from(toFloat32(view).x), Array.from(floatRows(copy)));
    const { meta, blobs } = datasetToParts(view);
    const back = datasetFromParts(JSON.parse(JSON.stringify(meta)), blobs) as Dataset<DenseX>;
    assert.equal([back.x, back.rowIds], [ds.x, view.rowIds]);
  }
  const ds = train;
  assert.throws(() => rowsView(ds, [ds.rows]), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => validate({ ...rowsView(ds, [0, 1]), rowIds: Int32Array.from([0, ds.rows]) }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => validate({ ...rowsView(ds, [0, 1]), rowIds: Int32Array.from([0]) }), fails('ERR_BAD_SHAPE'));
  assert.throws(() => validate({ ...rowsView(ds, [0]), x: new Float32Array(ds.cols + 1) }), fails('ERR_BAD_SHAPE'));
  const nan = new Float32Array(ds.x);
  nan[5 * ds.cols + 3] = Number.NaN;
  validate(rowsView({ ...ds, x: nan }, [0, 1])); // only the view's rows are checked
  assert.throws(() => validate(rowsView({ ...ds, x: nan }, [0, 5])), fails('ERR_NON_FINITE'));
});

test('loadIdxPair places the images in shared memory by default in Node, not with shared: false', () => {
  const { images, labels } = digitsAsIdx(50, 4);
  for (const storage of ['u8', 'f32'] as const) {
    const a = loadIdxPair(images, labels, { storage }), b = loadIdxPair(images, labels, { storage, shared: false });
    assert.ok(isShared(a.x) && !isShared(b.x), storage);
    assert.equal(Array.from(a.x), Array.from(b.x));
  }
});

test('experts get views of a shared x on workers and of any x on the calling thread, else moved shards', async () => {
  const { images, labels } = digitsAsIdx(60, 5);
  const shared = loadIdxPair(images, labels, { storage: 'u8' }), plain = loadIdxPair(images, labels, { storage: 'u8', shared: false });
  const pool = createExecutor(2), local = createExecutor(0);
  const shard = (ds: Dataset<DenseX>, what: string) => {
    assert.is(ds.rowIds, undefined, `${what}: a shard`);
    assert.equal(Array.from(ds.x), Array.from(plain.x.subarray(plain.cols, 3 * plain.cols)), what);
  };
  try {
    const onPool = [[1, 2], [3]].map(expertRows(shared, pool)) as Dataset<DenseX>[];
    assert.ok(onPool.every((v) => v.x === shared.x && v.rowIds), 'every worker reads the one shared x');
    assert.is((expertRows(plain, local)([0]) as Dataset<DenseX>).x, plain.x, 'the calling thread reads the caller x');
    shard(expertRows(plain, pool)([1, 2]) as Dataset<DenseX>, 'plain x on workers');
    shard(await notIsolated(async () => expertRows(shared, pool)([1, 2]) as Dataset<DenseX>), 'no shared memory');
  } finally {
    await pool.close();
    await local.close();
  }
});

test('same model bytes for 0, 1 and 2 workers, shared or moved, float32 or u8, with a holdout', async () => {
  const { images, labels } = digitsAsIdx(600, 9);
  const opts = { experts: 3, expert: { kind: 'mlp' as const, hidden: [8], fit: { epochs: 1, batchSize: 64 } }, combine: 'gate' as const, holdout: 0.2, seed: 4 };
  const run = async (ds: Dataset<DenseX>, workers: number) => {
    const m = new SparseExpertModel({ ...opts, workers, backend: wasm });
    await m.fit(ds);
    const out = saveModel(m);
    m.dispose();
    return out;
  };
  for (const storage of ['u8', 'f32'] as const) {
    const shared = loadIdxPair(images, labels, { storage }), plain = loadIdxPair(images, labels, { storage, shared: false });
    const first = await run(shared, 0);
    for (const workers of [1, 2]) {
      same(await run(shared, workers), first, `${storage}, shared x, ${workers} workers`);
      same(await run(plain, workers), first, `${storage}, plain x (moved shards), ${workers} workers`);
      same(await notIsolated(() => run(shared, workers)), first, `${storage}, no shared memory (moved shards), ${workers} workers`);
    }
    assert.equal(Array.from(plain.x.subarray(0, 784)), Array.from(shared.x.subarray(0, 784)), 'the caller rows are left as they were');
  }
});

test.run();
