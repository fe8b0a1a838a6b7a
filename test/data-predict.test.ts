// Predicting from stored rows: predict, predictProba and evaluate take a u8 / u16 dataset (or
// a view) and widen it a batch (a block) of rows at a time, with the same results as on the
// rows converted to float32 first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MlpExpert, SparseExpertModel, loadMnist } from '../src/entry/node.js';
import { type Dataset, type DenseX, rowsView, toFloat32 } from '../src/data/dataset.js';
import { reference, wasm } from './util/backends.js';
import { allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const fails = (code: string) => (err: unknown) => (err as { code?: string }).code === code;

/** Real digits as bytes with scale 1/255, the form image files hold. */
function digitBytes(train: number, test: number, seed: number): { train: Dataset<Uint8Array>; test: Dataset<Uint8Array> } {
  const d = loadMnist({ train, test, seed });
  const bytes = (ds: typeof d.train): Dataset<Uint8Array> => ({ ...ds, x: Uint8Array.from(ds.x, (v) => Math.round(v * 255)), scale: 1 / 255 });
  return { train: bytes(d.train), test: bytes(d.test) };
}

test('an expert predicts and evaluates u8 rows and views of them as their float32 conversion (wasm and reference)', async () => {
  const { train, test: held } = digitBytes(300, 333, 6);
  const r = rng(SEED + 31);
  const view = rowsView(held, Array.from({ length: 77 }, () => r.int(0, held.rows - 1)));
  for (const backend of [wasm, reference]) {
    const before = backend.stats().buffers;
    const m = new MlpExpert({ backend, hidden: [16] });
    await m.fit(train, { epochs: 1, batchSize: 50, seed: 2 });
    for (const [ds, what] of [[held, 'u8'], [view, 'a view']] as [Dataset<DenseX>, string][]) {
      const f = toFloat32(ds);
      allEqual(m.predictProba(ds, ds.rows), m.predictProba(f.x, f.rows), SEED + 31, `${backend.name} ${what} predictProba`);
      assert.equal(Array.from(m.predict(ds, ds.rows)), Array.from(m.predict(f.x, f.rows)), `${backend.name} ${what} predict`);
      assert.equal(m.network().evaluate(ds), m.network().evaluate(f), `${backend.name} ${what} evaluate`);
    }
    assert.throws(() => m.predict(held, held.rows - 1), fails('ERR_BAD_SHAPE'));
    assert.throws(() => m.predict({ ...held, scale: Number.NaN }, held.rows), fails('ERR_BAD_ARGUMENT'));
    assert.throws(() => m.predict({ ...held, cols: 392, x: held.x.subarray(0, held.rows * 392) }, held.rows), fails('ERR_BAD_SHAPE'));
    assert.is(m.predict(held, held.rows).length, held.rows, 'usable after the errors');
    m.dispose();
    assert.is(backend.stats().buffers, before, `${backend.name}: no leaked buffers`);
  }
});

test('SparseExpertModel predicts u8 rows block by block as their float32 conversion: a gate, and top-k routing with its usage', async () => {
  const { train, test: held } = digitBytes(900, 4500, 8); // more rows than one block (4096)
  const f = toFloat32(held);
  for (const combine of ['gate', 'topk'] as const) {
    const m = new SparseExpertModel({ experts: 3, expert: { kind: 'mlp', hidden: [16], fit: { epochs: 1, batchSize: 64 } }, combine, holdout: 0.2, workers: 0, seed: 5, backend: wasm });
    await m.fit(train);
    const before = wasm.stats().buffers;
    const fromFloats = await m.predictProba(f.x, f.rows), flops = m.flopsPerSample();
    allEqual(await m.predictProba(held, held.rows), fromFloats, 8, `${combine} predictProba`);
    assert.is(m.flopsPerSample(), flops, `${combine}: the same experts ran on the same share of rows`);
    assert.equal(Array.from(await m.predict(held, held.rows)), Array.from(await m.predict(f.x, f.rows)), `${combine} predict`);
    try {
      await m.predict(held, held.rows + 1);
      assert.unreachable('a wrong row count');
    } catch (err) {
      assert.ok(fails('ERR_BAD_SHAPE')(err), String(err));
    }
    assert.is(wasm.stats().buffers, before, `${combine}: no leaked buffers`);
    m.dispose();
  }
});

test.run();
