import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { csrToDense, denseToCsrMatrix, validateCsr } from '../src/data/csr.js';
import { fromArrays, isSparse, oneHot, selectColumns, take, validate } from '../src/data/dataset.js';
import { hashingVectorize, tokenize } from '../src/data/hashing.js';
import { murmur3 } from '../src/data/murmur3.js';
import { Rng } from '../src/data/prng.js';

const fails = (code: string) => (e: { code?: string; message?: string }) => e.code === code;

function randomDense(rng: Rng, rows: number, cols: number, density: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => (rng.next() < density ? Math.fround(rng.normal()) : 0));
}

test('fromArrays builds row-major x, Int32 labels and classes', () => {
  const ds = fromArrays([[1, 2], [3, 4], [5, 6]], [0, 2, 1]);
  assert.equal(Array.from(ds.x), [1, 2, 3, 4, 5, 6]);
  assert.ok(ds.y instanceof Int32Array);
  assert.equal([ds.rows, ds.cols, ds.classes], [3, 2, 3]);
  const reg = fromArrays([[1], [2]], [0.5, -1.25], { task: 'regression' });
  assert.ok(reg.y instanceof Float32Array);
  assert.is(reg.classes, undefined);
  assert.equal(Array.from(reg.y), [0.5, -1.25]);
});

test('fromArrays: ragged row names the row; label checks', () => {
  assert.throws(() => fromArrays([[1, 2], [3, 4], [5]], [0, 1, 0]), (e: { code?: string; message?: string }) => e.code === 'ERR_BAD_SHAPE' && /row 2/.test(e.message!));
  assert.throws(() => fromArrays([], []), fails('ERR_EMPTY'));
  assert.throws(() => fromArrays([[1]], [0, 1]), fails('ERR_BAD_SHAPE'));
  assert.throws(() => fromArrays([[1], [2]], [0, 1.5]), fails('ERR_LABEL_RANGE'));
  assert.throws(() => fromArrays([[1], [2]], [0, -1]), fails('ERR_LABEL_RANGE'));
  assert.throws(() => fromArrays([[1], [2]], [0, 3], { classes: 3 }), fails('ERR_LABEL_RANGE'));
});

test('validate: non-finite names row and column; shapes; empty', () => {
  const x = new Float32Array([1, 2, 3, 4, 5, NaN]);
  assert.throws(() => validate({ x, rows: 2, cols: 3, y: new Int32Array(2), classes: 2 }), (e: { code?: string; message?: string }) => e.code === 'ERR_NON_FINITE' && /row 1, column 2/.test(e.message!));
  x[5] = Infinity;
  assert.throws(() => validate({ x, rows: 2, cols: 3, y: new Int32Array(2), classes: 2 }), fails('ERR_NON_FINITE'));
  assert.throws(() => validate({ x: new Float32Array(5), rows: 2, cols: 3, y: new Int32Array(2), classes: 2 }), fails('ERR_BAD_SHAPE'));
  assert.throws(() => validate({ x: new Float32Array(6), rows: 2, cols: 3, y: new Int32Array(3), classes: 2 }), fails('ERR_BAD_SHAPE'));
  assert.throws(() => validate({ x: new Float32Array(0), rows: 0, cols: 3, y: new Int32Array(0), classes: 2 }), fails('ERR_EMPTY'));
  assert.throws(() => validate({ x: new Float32Array(6), rows: 2, cols: 3, y: new Float32Array([0, 0.5]), classes: 2 }), fails('ERR_LABEL_RANGE'));
  assert.throws(() => validate({ x: new Float32Array(6), rows: 2, cols: 3, y: new Float32Array([0, NaN]) }), fails('ERR_NON_FINITE'));
  const ok = { x: new Float32Array(6), rows: 2, cols: 3, y: new Int32Array([1, 0]), classes: 2 };
  assert.is(validate(ok), ok);
});

test('take copies rows in order (repeats allowed, 0 and 1 rows), dense and sparse agree', () => {
  const seed = 4;
  const rng = new Rng(seed);
  for (const [rows, cols] of [[1, 1], [5, 3], [13, 9], [8, 17]]) {
    const x = randomDense(rng, rows, cols, 0.4);
    const y = Int32Array.from({ length: rows }, () => rng.int(3));
    const ds = { x, rows, cols, y, classes: 3 };
    const sparse = { x: denseToCsrMatrix(x, rows, cols), rows, cols, y, classes: 3 };
    for (const idx of [[], [0], Array.from({ length: 7 }, () => rng.int(rows))]) {
      const t = take(ds, idx);
      const s = take(sparse, idx);
      assert.is(t.rows, idx.length);
      assert.equal(Array.from(t.y), idx.map((i) => y[i]), `seed ${seed}`);
      const want = idx.flatMap((i) => Array.from(x.subarray(i * cols, (i + 1) * cols)));
      assert.equal(Array.from(t.x), want, `seed ${seed} ${rows}×${cols}`);
      assert.equal(Array.from(csrToDense(validateCsr(s.x))), want, `seed ${seed} sparse ${rows}×${cols}`);
    }
  }
  assert.throws(() => take(fromArrays([[1]], [0]), [1]), fails('ERR_BAD_ARGUMENT'));
});

test('selectColumns picks a feature group in the given order, dense and sparse', () => {
  const ds = fromArrays([[1, 2, 3, 0], [4, 0, 6, 7]], [0, 1]);
  const g = selectColumns(ds, [3, 0]);
  assert.equal([g.rows, g.cols], [2, 2]);
  assert.equal(Array.from(g.x), [0, 1, 7, 4]);
  const sp = selectColumns({ ...ds, x: denseToCsrMatrix(ds.x, 2, 4) }, [3, 0]);
  validateCsr(sp.x);
  assert.equal(Array.from(csrToDense(sp.x)), [0, 1, 7, 4]);
  assert.equal(selectColumns(ds, []).cols, 0);
  assert.throws(() => selectColumns(ds, [4]), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => selectColumns({ ...ds, x: denseToCsrMatrix(ds.x, 2, 4) }, [1, 1]), fails('ERR_BAD_ARGUMENT'));
});

test('oneHot', () => {
  assert.equal(Array.from(oneHot([2, 0], 3)), [0, 0, 1, 1, 0, 0]);
  assert.equal(oneHot([], 3).length, 0);
  assert.throws(() => oneHot([3], 3), fails('ERR_LABEL_RANGE'));
});

test('CSR: dense round trip, row ranges, structural errors', () => {
  const seed = 8;
  const rng = new Rng(seed);
  const x = randomDense(rng, 9, 7, 0.3);
  const m = validateCsr(denseToCsrMatrix(x, 9, 7));
  assert.equal(Array.from(csrToDense(m)), Array.from(x), `seed ${seed}`);
  assert.equal(Array.from(csrToDense(m, 3, 5)), Array.from(x.subarray(21, 35)), `seed ${seed}`);
  assert.is(csrToDense(m, 4, 4).length, 0);
  assert.throws(() => csrToDense(m, 5, 10), fails('ERR_BAD_ARGUMENT'));
  const bad = (rowPtr: number[], colIdx: number[], values: number[]) => ({ rows: 2, cols: 3, rowPtr: Int32Array.from(rowPtr), colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) });
  assert.throws(() => validateCsr(bad([0, 1], [0], [1])), fails('ERR_BAD_SHAPE'));
  assert.throws(() => validateCsr(bad([0, 1, 2], [0, 3], [1, 1])), fails('ERR_BAD_SHAPE'));
  assert.throws(() => validateCsr(bad([0, 2, 2], [1, 1], [1, 1])), fails('ERR_BAD_SHAPE'));
  assert.throws(() => validateCsr(bad([0, 1, 1], [0], [NaN])), fails('ERR_NON_FINITE'));
  const sparse = { x: bad([0, 1, 1], [0], [1]), rows: 2, cols: 3, y: new Int32Array(2), classes: 1 };
  assert.is(validate(sparse), sparse);
});

test('murmur3 matches the reference vectors', () => {
  assert.is(murmur3('', 0), 0);
  assert.is(murmur3('', 1), 0x514e28b7);
  assert.is(murmur3('hello', 0), 0x248bfa47);
  assert.is(murmur3('Hello, world!', 1234), 0xfaf6cdb3);
  assert.is(murmur3('The quick brown fox jumps over the lazy dog', 0), 0x2e4ff723);
});

test('hashingVectorize: counts, binary, L2 norm, bigrams, empty text', () => {
  assert.equal(tokenize('Hello, hello WORLD_1 é!'), ['hello', 'hello', 'world_1', 'é']);
  const F = 1 << 20;
  const [h, w] = [murmur3('hello') % F, murmur3('world') % F];
  const m = hashingVectorize(['hello world hello', ''], { features: F, normalize: false });
  validateCsr(m);
  assert.equal([m.rows, m.cols, Array.from(m.rowPtr)], [2, F, [0, 2, 2]]);
  const got = new Map(Array.from(m.colIdx, (c, i) => [c, m.values[i]]));
  assert.equal([got.get(h), got.get(w)], [2, 1]);
  const b = hashingVectorize(['hello world hello'], { features: F, weighting: 'binary', normalize: false });
  assert.equal(Array.from(b.values), [1, 1]);
  const n = hashingVectorize(['hello world hello'], { features: F });
  const norm = Math.hypot(...n.values);
  assert.ok(Math.abs(norm - 1) < 1e-6, `norm ${norm}`);
  const bi = hashingVectorize(['a b c'], { features: F, ngrams: 2 });
  assert.is(bi.rowPtr[1], 5);
  const seeded = hashingVectorize(['hello'], { features: F, seed: 1 });
  assert.is(seeded.colIdx[0], murmur3('hello', 1) % F);
  assert.throws(() => hashingVectorize(['x'], { features: 0 }), fails('ERR_BAD_ARGUMENT'));
});

test('isSparse: CSR rows are sparse, dense rows (views included) are not', () => {
  const ds = fromArrays([[1, 0], [0, 2]], [0, 1]);
  assert.is(isSparse(ds), false);
  assert.is(isSparse({ ...ds, x: ds.x.subarray(0, 4) }), false);
  assert.is(isSparse({ ...ds, x: denseToCsrMatrix(ds.x, 2, 2) }), true);
  assert.is(isSparse({ ...ds, x: hashingVectorize(['a b', 'c'], { features: 8 }) }), true);
});

test.run();
