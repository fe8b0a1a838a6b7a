import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCsv } from '../src/data/csv.js';
import { type IdxDtype, loadIdxPair, parseIdx, writeIdx } from '../src/data/idx.js';
import { Rng } from '../src/data/prng.js';

const fails = (code: string, line?: number) => (e: { code?: string; message?: string }) =>
  e.code === code && (line === undefined || e.message!.includes(`line ${line}`));

test('parseCsv: header, label by name, sorted string classes, quotes, CRLF, BOM, blank lines', () => {
  const text = '\uFEFFa,species,b\r\n1.5,"setosa",2\r\n\r\n3,virginica,-4e1\r\n"5",setosa,6\r\n';
  const { dataset, featureNames, labelNames } = parseCsv(text, { labelColumn: 'species' });
  assert.equal(featureNames, ['a', 'b']);
  assert.equal(labelNames, ['setosa', 'virginica']);
  assert.equal([dataset.rows, dataset.cols, dataset.classes], [3, 2, 2]);
  assert.equal(Array.from(dataset.x), [1.5, 2, 3, -40, 5, 6]);
  assert.equal(Array.from(dataset.y), [0, 1, 0]);
});

test('parseCsv: numeric labels sort numerically; no header; index label; delimiter; quoted delimiter and newline', () => {
  const { dataset, labelNames } = parseCsv('10;1\n2;2\n9;3\n', { header: false, labelColumn: 0, delimiter: ';' });
  assert.equal(labelNames, ['2', '9', '10']);
  assert.equal(Array.from(dataset.y), [2, 0, 1]);
  assert.equal(Array.from(dataset.x), [1, 2, 3]);
  const q = parseCsv('x,label\n1,"a, ""b""\nc"\n2,d\n');
  assert.equal(q.labelNames, ['a, "b"\nc', 'd']);
  const single = parseCsv('x,y\n7,0');
  assert.equal([single.dataset.rows, single.dataset.y[0]], [1, 0]);
});

test('parseCsv regression', () => {
  const { dataset, labelNames } = parseCsv('x1,x2,y\n1,2,0.5\n3,4,-1.25\n', { task: 'regression' });
  assert.is(labelNames, undefined);
  assert.ok(dataset.y instanceof Float32Array);
  assert.equal(Array.from(dataset.y), [0.5, -1.25]);
  assert.is(dataset.classes, undefined);
});

test('parseCsv errors carry line numbers', () => {
  assert.throws(() => parseCsv('a,b\n1,0\n2\n'), fails('ERR_BAD_FILE', 3));
  assert.throws(() => parseCsv('a,b\n1,0\nx,1\n'), fails('ERR_BAD_FILE', 3));
  assert.throws(() => parseCsv('a,b\n1,0\n,1\n'), fails('ERR_BAD_FILE', 3));
  assert.throws(() => parseCsv('a,b\n1,0\n\n4,\n'), fails('ERR_BAD_FILE', 4));
  assert.throws(() => parseCsv('a,b\nNaN,0\n'), fails('ERR_NON_FINITE', 2));
  assert.throws(() => parseCsv('a,b\n1,Infinity\n', { task: 'regression' }), fails('ERR_NON_FINITE', 2));
  assert.throws(() => parseCsv('a,b\n1,"0\n'), fails('ERR_BAD_FILE', 2));
  assert.throws(() => parseCsv('a,b\n'), fails('ERR_EMPTY'));
  assert.throws(() => parseCsv(''), fails('ERR_EMPTY'));
  assert.throws(() => parseCsv('a,b\n1,0\n', { labelColumn: 'c' }), fails('ERR_BAD_ARGUMENT'));
  assert.throws(() => parseCsv('a,b\n1,0\n', { delimiter: '::' }), fails('ERR_BAD_ARGUMENT'));
});

test('IDX round trip for every dtype and shape, including empty and odd sizes', () => {
  const seed = 12;
  const rng = new Rng(seed);
  const make: Record<IdxDtype, (n: number) => ArrayLike<number> & { length: number }> = {
    u8: (n) => Uint8Array.from({ length: n }, () => rng.int(256)),
    i8: (n) => Int8Array.from({ length: n }, () => rng.int(256) - 128),
    i16: (n) => Int16Array.from({ length: n }, () => rng.int(65536) - 32768),
    i32: (n) => Int32Array.from({ length: n }, () => rng.nextU32() | 0),
    f32: (n) => Float32Array.from({ length: n }, () => rng.normal()),
    f64: (n) => Float64Array.from({ length: n }, () => rng.normal()),
  };
  for (const dtype of Object.keys(make) as IdxDtype[]) {
    for (const dims of [[0], [1], [3, 5], [2, 3, 7], []]) {
      const count = dims.reduce((a, b) => a * b, 1);
      const data = make[dtype](count) as Float64Array;
      const back = parseIdx(writeIdx({ dtype, dims, data }));
      assert.is(back.dtype, dtype);
      assert.equal(back.dims, dims);
      assert.equal(Array.from(back.data), Array.from(data), `seed ${seed} ${dtype} ${dims}`);
    }
  }
});

test('IDX bytes are big-endian as in the MNIST files', () => {
  const bytes = writeIdx({ dtype: 'i32', dims: [2], data: Int32Array.from([1, 258]) });
  assert.equal(Array.from(bytes), [0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2]);
});

test('loadIdxPair: images scaled to [0, 1], labels, classes', () => {
  const images = writeIdx({ dtype: 'u8', dims: [3, 2, 2], data: Uint8Array.from([0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]) });
  const labels = writeIdx({ dtype: 'u8', dims: [3], data: Uint8Array.from([7, 0, 9]) });
  const ds = loadIdxPair(images, labels);
  assert.equal([ds.rows, ds.cols, ds.classes], [3, 4, 10]);
  assert.equal(Array.from(ds.x.subarray(0, 4)), [0, 1, Math.fround(0.2), Math.fround(0.4)]);
  assert.equal(Array.from(ds.y), [7, 0, 9]);
  assert.equal(Array.from(loadIdxPair(images, labels, { scale: false }).x.subarray(0, 2)), [0, 255]);
  const four = writeIdx({ dtype: 'u8', dims: [4], data: new Uint8Array(4) });
  assert.throws(() => loadIdxPair(images, four), fails('ERR_BAD_SHAPE'));
  assert.throws(() => loadIdxPair(images, labels, { classes: 5 }), fails('ERR_LABEL_RANGE'));
});

test('corrupt, truncated, gzip or unknown IDX → ERR_BAD_FILE', () => {
  const good = writeIdx({ dtype: 'f32', dims: [2, 2], data: new Float32Array(4) });
  assert.throws(() => parseIdx(good.subarray(0, good.length - 1)), fails('ERR_BAD_FILE'));
  assert.throws(() => parseIdx(new Uint8Array([...good, 0])), fails('ERR_BAD_FILE'));
  assert.throws(() => parseIdx(good.subarray(0, 6)), fails('ERR_BAD_FILE'));
  assert.throws(() => parseIdx(new Uint8Array([0, 0])), fails('ERR_BAD_FILE'));
  assert.throws(() => parseIdx(new Uint8Array([1, 0, 8, 0])), fails('ERR_BAD_FILE'));
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 0x0a, 0])), fails('ERR_BAD_FILE'));
  assert.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0])), (e: { code?: string; message?: string }) => e.code === 'ERR_BAD_FILE' && /gzip/.test(e.message!));
  assert.throws(() => writeIdx({ dtype: 'u8', dims: [3], data: new Uint8Array(2) }), fails('ERR_BAD_SHAPE'));
});

test.run();
