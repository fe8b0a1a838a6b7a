// Bytes stay bytes: a dataset whose x is u8 / u16 with a scale (and offset) trains, evaluates
// and travels as such, and gives the same model bytes as converting it to float32 first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MlpExpert, SparseExpertModel, loadMnist, saveExpert, saveModel } from '../src/entry/node.js';
import { type Dataset, type DenseX, floatRows, selectColumns, take, toFloat32, validate } from '../src/data/dataset.js';
import { datasetFromParts, datasetToParts } from '../src/data/dataset-parts.js';
import { loadIdxPair, writeIdx } from '../src/data/idx.js';
import { reference, wasm } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

/** Real MNIST digits quantised to bytes (the form image files hold), as an IDX pair. */
function digitsAsIdx(rows: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const { train } = loadMnist({ train: rows, test: 0, seed });
  const pixels = Uint8Array.from(train.x, (v) => Math.round(v * 255));
  return {
    images: writeIdx({ dtype: 'u8', dims: [rows, 28, 28], data: pixels }),
    labels: writeIdx({ dtype: 'u8', dims: [rows], data: Uint8Array.from(train.y) }),
  };
}

const fails = (code: string) => (err: unknown) => (err as { code?: string }).code === code;
const same = (a: Uint8Array, b: Uint8Array, what: string) => assert.ok(a.length === b.length && a.every((v, i) => v === b[i]), `${what}: model bytes differ`);

test('loadIdxPair storage u8: bytes with scale 1/255, a quarter of the memory, within 1 ulp of the float32 load', () => {
  const { images, labels } = digitsAsIdx(300, 2);
  const bytes = loadIdxPair(images, labels, { storage: 'u8' });
  const floats = loadIdxPair(images, labels);
  assert.instance(bytes.x, Uint8Array);
  assert.is(bytes.scale, 1 / 255);
  assert.is(bytes.x.byteLength * 4, floats.x.byteLength);
  const widened = floatRows(bytes);
  assert.ok(widened.every((v, i) => Math.abs(v - floats.x[i]) <= 2 ** -24), 'v·f32(1/255) within 1 ulp of v / 255');
  assert.equal(Array.from(loadIdxPair(images, labels, { storage: 'u8', scale: false }).x.subarray(0, 784)), Array.from(bytes.x.subarray(0, 784)));
  assert.is(loadIdxPair(images, labels, { storage: 'u8', scale: false }).scale, undefined);
  const f32 = writeIdx({ dtype: 'f32', dims: [2, 2], data: new Float32Array(4) });
  assert.throws(() => loadIdxPair(f32, writeIdx({ dtype: 'u8', dims: [2], data: new Uint8Array(2) }), { storage: 'u8' }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => loadIdxPair(images, labels, { storage: 'f16' as 'u8' }), fails('ERR_BAD_ARGUMENT'));
});

test('an MLP trained on u8 pixels equals one trained on them converted first (wasm and reference), and evaluates alike', async () => {
  const { images, labels } = digitsAsIdx(400, 5);
  const bytes = loadIdxPair(images, labels, { storage: 'u8' });
  for (const backend of [wasm, reference]) {
    const before = backend.stats().buffers;
    const fit = async (ds: Dataset<DenseX>) => {
      const m = new MlpExpert({ backend, hidden: [16] });
      await m.fit(ds, { epochs: 2, batchSize: 50, seed: 3, validationSplit: 0.1 });
      return m;
    };
    const a = await fit(bytes), b = await fit(toFloat32(bytes));
    same(saveExpert(a), saveExpert(b), backend.name);
    assert.equal(a.network().evaluate(bytes), b.network().evaluate(toFloat32(bytes)), `${backend.name} evaluate`);
    a.dispose(); b.dispose();
    assert.is(backend.stats().buffers, before, `${backend.name}: no leaked buffers`);
  }
});

test('u16 features with scale and offset train as their float32 conversion', async () => {
  const r = rng(SEED + 7);
  const { train } = loadMnist({ train: 300, test: 0, seed: 7 });
  // Real pixels at 16-bit depth, mapped onto [-1, 1] by scale and offset.
  const stored: Dataset<Uint16Array> = { ...train, x: Uint16Array.from(train.x, (v) => Math.round(v * 65535)), scale: 2 / 65535, offset: -1 };
  const seed = r.int(0, 1000);
  const fit = async (ds: Dataset<DenseX>) => {
    const m = new MlpExpert({ backend: wasm, hidden: [8] });
    await m.fit(ds, { epochs: 1, batchSize: 32, seed });
    return saveExpert(m);
  };
  same(await fit(validate(stored)), await fit(toFloat32(stored)), `u16 (seed ${seed})`);
  const f = floatRows(stored);
  assert.ok(f.every((v) => v >= -1 && v <= 1), 'offset applied after scale');
});

test('SparseExpertModel on u8 pixels: the same model bytes as on float32, on the calling thread and on 2 workers', async () => {
  const { images, labels } = digitsAsIdx(600, 9);
  const bytes = loadIdxPair(images, labels, { storage: 'u8' });
  const opts = { experts: 3, expert: { kind: 'mlp' as const, hidden: [8], fit: { epochs: 1, batchSize: 64 } }, combine: 'gate' as const, holdout: 0.2, seed: 4 };
  const run = async (ds: Dataset<DenseX>, workers: number) => {
    const m = new SparseExpertModel({ ...opts, workers, backend: wasm });
    const report = await m.fit(ds);
    // Memory in the report: one wasm high water per worker (the calling thread's with 0), and Node's peak RSS.
    assert.is(report.wasmHighWaterMb.length, Math.max(1, workers), 'one high water per worker');
    assert.ok(report.wasmHighWaterMb.every((mb) => mb > 0) && report.peakRssMb! > 0, `memory figures ${JSON.stringify(report.wasmHighWaterMb)}, ${report.peakRssMb}`);
    const out = saveModel(m);
    m.dispose();
    return out;
  };
  // The file records the worker count: compare like with like.
  for (const workers of [0, 2]) same(await run(bytes, workers), await run(toFloat32(bytes), workers), `u8, ${workers} workers`);
});

test('take, selectColumns and task parts keep the stored kind, scale and offset; bad storage is an error', () => {
  const ds = validate({ x: Uint8Array.from([0, 10, 20, 30, 40, 50]), rows: 3, cols: 2, y: Int32Array.from([0, 1, 0]), classes: 2, scale: 0.5, offset: 1 });
  const t = take(ds, [2, 0]);
  assert.instance(t.x, Uint8Array);
  assert.equal([Array.from(t.x), t.scale, t.offset], [[40, 50, 0, 10], 0.5, 1]);
  const c = selectColumns(ds, [1]);
  assert.equal([Array.from(c.x), c.scale, c.offset], [[10, 30, 50], 0.5, 1]);
  const { meta, blobs } = datasetToParts(ds);
  const back = datasetFromParts(JSON.parse(JSON.stringify(meta)), blobs) as Dataset<DenseX>;
  assert.equal([back.x, back.scale, back.offset], [ds.x, 0.5, 1]);
  assert.equal(Array.from(floatRows(ds)), [1, 6, 11, 16, 21, 26]);
  assert.throws(() => validate({ ...ds, x: new Float32Array(6) }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => validate({ ...ds, scale: Number.NaN }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => validate({ ...ds, x: new Int8Array(6) as unknown as Uint8Array }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => validate({ ...ds, x: new Uint8Array(5) }), fails('ERR_BAD_SHAPE'));
});

test.run();
