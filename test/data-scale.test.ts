// Feature scaling: scikit-learn's StandardScaler and MinMaxScaler numbers, constant
// columns, the JSON round trip, and typed errors for bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { take } from '../src/data/dataset.js';
import { FeatureScaler, MinMaxScaler, StandardScaler, createScaler } from '../src/data/scale.js';
import { allClose } from './util/close.js';
import { loadSet, reference } from './util/linear-fixtures.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

test('standard: zero mean and unit population variance on the fit rows; the same offsets applied to new rows', () => {
  const ds = loadSet('wine'), s = reference.splits.wine;
  const train = take(ds, s.train), held = take(ds, s.test);
  const sc = new StandardScaler().fitDataset(train);
  const x = sc.transform(train.x, train.rows);
  for (let c = 0; c < ds.cols; c++) {
    let m = 0, v = 0;
    for (let r = 0; r < train.rows; r++) m += x[r * ds.cols + c] / train.rows;
    for (let r = 0; r < train.rows; r++) v += (x[r * ds.cols + c] - m) ** 2 / train.rows;
    allClose([m, v], [0, 1], 1e-5, 1e-5, SEED, `column ${c} mean and variance`);
  }
  const { offset, scale } = sc.toJSON();
  const h = sc.transformDataset(held);
  assert.is(h.y, held.y, 'labels shared');
  allClose(h.x, Array.from(held.x, (v, i) => (v - offset[i % ds.cols]) / scale[i % ds.cols]), 1e-6, 1e-6, SEED, 'held-out rows');
});

test('min-max maps the fit rows onto [0, 1]; constant columns keep scale 1 (scikit-learn)', () => {
  const r = rng(SEED), rows = 31, cols = 4;
  const x = Float32Array.from(r.floats(rows * cols, -50, 80), (v, i) => (i % cols === 2 ? 7 : v));
  const mm = new MinMaxScaler().fit(x, rows, cols), out = mm.transform(x, rows);
  for (let c = 0; c < cols; c++) {
    const col = Array.from({ length: rows }, (_, i) => out[i * cols + c]);
    if (c === 2) assert.equal(new Set(col), new Set([0]), 'a constant column becomes 0');
    else allClose([Math.min(...col), Math.max(...col)], [0, 1], 1e-6, 0, SEED, `column ${c} range`);
  }
  const st = new StandardScaler().fit(x, rows, cols);
  assert.is(st.toJSON().scale[2], 1);
  assert.is(st.transform(x, rows)[2], 0);
});

test('toJSON → fromJSON transforms identically, through JSON text', () => {
  const r = rng(SEED + 1), rows = 9, cols = 3, x = Float32Array.from(r.floats(rows * cols, -3, 3));
  for (const kind of ['standard', 'minmax'] as const) {
    const s = createScaler(kind).fit(x, rows, cols);
    const copy = FeatureScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    assert.is(copy.kind, kind);
    assert.is(copy.cols, cols);
    assert.equal(Array.from(copy.transform(x, rows)), Array.from(s.transform(x, rows)));
  }
});

test('bad input → typed errors; a failed fit leaves a fitted scaler as it was', () => {
  const x = Float32Array.from([1, 2, 3, 4]);
  const s = new StandardScaler();
  assert.throws(() => s.transform(x, 2), code('ERR_NOT_FITTED'));
  assert.throws(() => s.fit(x, 0, 2), code('ERR_EMPTY'));
  assert.throws(() => s.fit(x, 3, 2), code('ERR_BAD_SHAPE'));
  assert.throws(() => s.fit(Float32Array.from([1, NaN, 3, 4]), 2, 2), code('ERR_NON_FINITE'));
  s.fit(x, 2, 2);
  const before = s.toJSON();
  assert.throws(() => s.fit(Float32Array.from([1, Infinity]), 1, 2), code('ERR_NON_FINITE'));
  assert.equal(s.toJSON(), before);
  assert.throws(() => s.transform(x, 3), code('ERR_BAD_SHAPE'));
  assert.throws(() => createScaler('robust' as never), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => FeatureScaler.fromJSON({ kind: 'standard', offset: [0], scale: [0] }), code('ERR_BAD_FILE'));
  assert.throws(() => FeatureScaler.fromJSON({ kind: 'standard', offset: [0, 1], scale: [1] }), code('ERR_BAD_FILE'));
  const sparse = { x: { rows: 1, cols: 1, rowPtr: Int32Array.from([0, 0]), colIdx: new Int32Array(0), values: new Float32Array(0) }, rows: 1, cols: 1, y: Int32Array.from([0]), classes: 1 };
  assert.throws(() => s.fitDataset(sparse), code('ERR_BAD_ARGUMENT'));
});

test.run();
