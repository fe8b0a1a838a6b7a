import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blobBytes } from '../src/data/byte-stream.js';
import { csvSource } from '../src/data/chunked-csv.js';
import { idxSource } from '../src/data/chunked-idx.js';
import { parseCsv } from '../src/data/csv.js';
import { fromArrays } from '../src/data/dataset.js';
import { fileBytes } from '../src/data/file-bytes.js';
import { loadIdxPair, writeIdx } from '../src/data/idx.js';
import { type RowBlock, blockSource, checkedBlocks, datasetSource, readAll } from '../src/data/source.js';
import { mnistIdxFiles } from './util/mnist-idx.js';

const files = mnistIdxFiles(1000, 0, 1, 3);
const fails = (code: string, text?: string) => (e: { code?: string; message?: string }) => e.code === code && (text === undefined || e.message!.includes(text));
const rejects = async (p: Promise<unknown>, code: string, text?: string) => {
  try {
    await p;
  } catch (e) {
    assert.ok(fails(code, text)(e as { code?: string }), `expected ${code}${text ? ` (${text})` : ''}, got ${(e as Error).message}`);
    return;
  }
  assert.unreachable(`expected ${code}`);
};
const bytes = (s: string | Uint8Array) => new Blob([s as BlobPart]);
/** Bytes as a stream of `size`-byte chunks (every edge a chunk edge somewhere). */
const chunked = (data: Uint8Array, size: number) => () => (async function* () {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
})();

test('idxSource: real digits read in odd-sized chunks and blocks equal loadIdxPair of the whole files, as bytes or as float32', async () => {
  const imageBytes = readFileSync(files.images), labelBytes = readFileSync(files.labels);
  const whole = loadIdxPair(imageBytes, labelBytes, { storage: 'u8' });
  const floats = loadIdxPair(imageBytes, labelBytes);
  const ways = [
    [fileBytes(files.images, 997), fileBytes(files.labels, 997), 333],
    [fileBytes(files.images), fileBytes(files.labels), 1000],
    [chunked(imageBytes, 4099), chunked(labelBytes, 1), 7],
  ] as const;
  for (const [images, labels, blockRows] of ways) {
    const src = await idxSource(images, labels, { blockRows });
    assert.equal([src.rows, src.cols, src.classes, src.storage, src.scale], [1000, 784, 10, 'u8', 1 / 255]);
    const ds = await readAll(src);
    assert.ok(ds.x instanceof Uint8Array && Buffer.from(ds.x).equals(Buffer.from(whole.x)), `pixels, blocks of ${blockRows}`);
    assert.equal(Array.from(ds.y), Array.from(whole.y));
  }
  const f32 = await readAll(await idxSource(fileBytes(files.images, 5000), fileBytes(files.labels), { storage: 'f32', blockRows: 99 }));
  assert.ok(f32.x instanceof Float32Array && Buffer.from(f32.x.buffer).equals(Buffer.from(floats.x.buffer)), 'float32 pixels');
});

test('idxSource from Blobs (the browser path: Blob.stream()); a second pass reads the same rows', async () => {
  const src = await idxSource(blobBytes(bytes(readFileSync(files.images))), blobBytes(bytes(readFileSync(files.labels))), { blockRows: 256, scale: false });
  const a = await readAll(src), b = await readAll(src);
  assert.equal(a.x[0 * 784 + 300] % 1, 0, 'unscaled pixels stay integers');
  assert.equal(Array.from(a.x.subarray(0, 5000)), Array.from(b.x.subarray(0, 5000)));
  let blocks = 0;
  for await (const block of checkedBlocks(src)) blocks += block.rows > 0 ? 1 : 0;
  assert.is(blocks, 4);
});

test('idxSource errors: not IDX, truncated, trailing bytes, counts that differ, float labels', async () => {
  const img = writeIdx({ dtype: 'u8', dims: [3, 2], data: new Uint8Array(6) });
  const lab = writeIdx({ dtype: 'u8', dims: [3], data: Uint8Array.from([0, 1, 2]) });
  const open = (b: Uint8Array) => blobBytes(bytes(b));
  await rejects(idxSource(open(new TextEncoder().encode('hello world')), open(lab)), 'ERR_BAD_FILE', 'not an IDX file');
  await rejects(idxSource(open(img.subarray(0, 6)), open(lab)), 'ERR_BAD_FILE', 'truncated');
  const short = await idxSource(open(img.subarray(0, img.length - 1)), open(lab), { classes: 3 });
  await rejects(readAll(short), 'ERR_BAD_FILE', 'truncated');
  const long = await idxSource(open(Uint8Array.from([...img, 9])), open(lab), { classes: 3 });
  await rejects(readAll(long), 'ERR_BAD_FILE', 'bytes after');
  await rejects(idxSource(open(img), open(writeIdx({ dtype: 'u8', dims: [2], data: new Uint8Array(2) }))), 'ERR_BAD_SHAPE', '3 images but 2 labels');
  await rejects(idxSource(open(img), open(writeIdx({ dtype: 'f32', dims: [3], data: new Float32Array(3) }))), 'ERR_BAD_FILE', 'integer dtype');
  await rejects(idxSource(fileBytes(join(files.dir, 'missing.idx')), open(lab)), 'ERR_BAD_FILE', 'cannot read');
});

test('csvSource equals parseCsv, whatever the chunk edges (quotes, CRLF, BOM, multi-byte text across them)', async () => {
  const text = '\uFEFFa,species,b\r\n1.5,"sé,to""sa",2\r\n\r\n3,virginica,-4e1\r\n"5","sé,to""sa",6\n7,"line\nbreak",8\r\n9,virginica,10';
  const want = parseCsv(text, { labelColumn: 'species' });
  const data = new TextEncoder().encode(text);
  for (const size of [1, 2, 3, 5, 8, 1000]) {
    for (const blockRows of [1, 2, 100]) {
      const src = await csvSource(chunked(data, size), { labelColumn: 'species', blockRows });
      assert.equal(src.labelNames, want.labelNames);
      assert.equal(src.featureNames, want.featureNames);
      const got = await readAll(src);
      assert.equal([got.rows, got.cols, got.classes], [want.dataset.rows, want.dataset.cols, want.dataset.classes], `chunks of ${size}`);
      assert.equal(Array.from(got.x), Array.from(want.dataset.x));
      assert.equal(Array.from(got.y), Array.from(want.dataset.y));
    }
  }
  const reg = await readAll(await csvSource(blobBytes(bytes('x;y\n1;0.5\n2;-1.25\n')), { delimiter: ';', task: 'regression' }));
  assert.equal([Array.from(reg.y), reg.classes], [[0.5, -1.25], undefined]);
});

test('csvSource errors name the line: ragged rows, non-numbers, NaN, unclosed quotes, no rows', async () => {
  const open = (s: string) => chunked(new TextEncoder().encode(s), 3);
  await rejects(csvSource(open('a,b\n1,0\n2\n')), 'ERR_BAD_FILE', 'line 3');
  await rejects(csvSource(open('a,b\n1,0\nx,1\n')), 'ERR_BAD_FILE', 'line 3');
  await rejects(csvSource(open('a,b\nNaN,0\n')), 'ERR_NON_FINITE', 'line 2');
  await rejects(csvSource(open('a,b\n1,"0\n')), 'ERR_BAD_FILE', 'line 2');
  await rejects(csvSource(open('a,b\n')), 'ERR_EMPTY');
  await rejects(csvSource(open('a,b\n1,0\n'), { delimiter: '::' }), 'ERR_BAD_ARGUMENT');
});

test('block sources: rows counted when not given; ragged blocks, wrong label types, NaN and wrong row counts are typed errors', async () => {
  const ds = fromArrays([[1, 2], [3, 4], [5, 6]], [0, 1, 0]);
  const blocks = (list: RowBlock[]) => async function* () {
    yield* list;
  };
  const counted = await blockSource(datasetSource(ds, 2).blocks, { cols: 2, classes: 2 });
  assert.is(counted.rows, 3);
  const one = (b: Partial<RowBlock>) => blockSource(blocks([{ x: new Float32Array(4), y: new Int32Array(2), rows: 2, ...b } as RowBlock]), { cols: 2, classes: 2, rows: 2 }).then(readAll);
  await rejects(one({ x: new Float32Array(3) }), 'ERR_BAD_SHAPE', 'ragged');
  await rejects(one({ y: new Int32Array(1) }), 'ERR_BAD_SHAPE', 'labels');
  await rejects(one({ y: new Float32Array(2) as unknown as Int32Array }), 'ERR_BAD_ARGUMENT', 'Int32Array');
  await rejects(one({ y: Int32Array.from([0, 2]) }), 'ERR_LABEL_RANGE', 'row 1');
  await rejects(one({ x: Float32Array.from([0, 0, NaN, 0]) }), 'ERR_NON_FINITE', 'row 1, column 0');
  await rejects(readAll({ ...counted, rows: 4 }), 'ERR_BAD_SHAPE', 'yielded 3 rows');
  await rejects(readAll({ ...counted, rows: 2 }), 'ERR_BAD_SHAPE', 'more than the 2 rows');
  await rejects(blockSource(blocks([]), { cols: 2 }), 'ERR_EMPTY');
});

test.after(() => rmSync(files.dir, { recursive: true, force: true }));
test.run();
