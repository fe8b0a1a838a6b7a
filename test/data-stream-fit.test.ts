import { readFileSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackend } from '../src/backend/init.js';
import type { WasmBackend } from '../src/backend/wasm.js';
import { idxSource } from '../src/data/chunked-idx.js';
import { fromArrays } from '../src/data/dataset.js';
import { fileBytes } from '../src/data/file-bytes.js';
import { loadIdxPair } from '../src/data/idx.js';
import { Rng } from '../src/data/prng.js';
import { datasetSource } from '../src/data/source.js';
import { LogisticRegression } from '../src/experts/logistic.js';
import { MlpExpert } from '../src/experts/mlp.js';
import { accuracy } from '../src/metrics/classification.js';
import { streamFeed } from '../src/train/feed.js';
import { wasm } from './util/backends.js';
import { mnistIdxFiles } from './util/mnist-idx.js';

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const weights = (e: MlpExpert) => e.toState().tensors.map((t) => t.data);

test('streamFeed: every row exactly once per epoch, shuffled only inside its window, the same order for any block size', async () => {
  const rows = 53, window = 10, bs = 4;
  // The row number as the feature: the batches show which rows came when.
  const ds = fromArrays(Array.from({ length: rows }, (_, r) => [r]), Array.from({ length: rows }, (_, r) => r % 3));
  const epochOrder = async (blockRows: number, rng: Rng) => {
    const feed = streamFeed(wasm, datasetSource(ds, blockRows), bs, window);
    try {
      const order: number[] = [];
      for await (const { x, y, n } of feed.epoch(rng, true)) {
        const got = Array.from(wasm.read(x as never) as Float32Array).slice(0, n);
        got.forEach((r, i) => assert.is(y[i], r % 3, 'the labels travel with their rows'));
        order.push(...got);
      }
      return order;
    } finally {
      feed.dispose();
    }
  };
  const rng = new Rng(5);
  const first = await epochOrder(7, rng), second = await epochOrder(7, rng);
  for (const order of [first, second]) {
    assert.equal([...order].sort((a, b) => a - b), Array.from({ length: rows }, (_, r) => r), 'a permutation of all rows');
    order.forEach((r, i) => assert.is(Math.floor(r / window), Math.floor(i / window), `row ${r} at position ${i} stays in its window`));
  }
  assert.not.equal(first, second, 'each epoch draws a new order');
  assert.equal(await epochOrder(1, new Rng(5)), first, 'block edges do not change the order');
  assert.equal(await epochOrder(100, new Rng(5)), first);
  const stats = wasm.stats();
  await epochOrder(3, new Rng(1));
  assert.equal(wasm.stats(), stats, 'the feed frees its buffers');
});

test('an MLP streamed from IDX files with one window of every row trains to the bits of the in-memory fit (bytes or float32)', async () => {
  const files = mnistIdxFiles(1500, 0, 1, 11);
  try {
    const config = { hidden: [16], backend: wasm, fit: { epochs: 2, batchSize: 32, seed: 7 } };
    let h1 = null, inMemory = null;
    for (const storage of ['f32', 'u8'] as const) {
      const ds = loadIdxPair(readFileSync(files.images), readFileSync(files.labels), { storage });
      inMemory?.dispose();
      inMemory = new MlpExpert(config);
      h1 = await inMemory.fit(ds);
      const streamed = new MlpExpert(config);
      const src = await idxSource(fileBytes(files.images, 9999), fileBytes(files.labels, 777), { blockRows: 250, storage });
      const h2 = await streamed.fit(src, { shuffleWindow: src.rows });
      weights(inMemory).forEach((w, i) => assert.ok(sameBits(w, weights(streamed)[i]), `${storage}: tensor ${i} bit for bit`));
      assert.equal(h2.history.loss, h1.history.loss);
      streamed.dispose();
    }
    const src = await idxSource(fileBytes(files.images), fileBytes(files.labels));
    // A smaller window is another order: other weights, as well trained.
    const windowed = new MlpExpert(config);
    const h3 = await windowed.fit(src, { shuffleWindow: 400 });
    assert.not.ok(sameBits(weights(windowed)[0], weights(inMemory!)[0]));
    assert.ok(h3.history.acc![1] > h1!.history.acc![1] - 0.05, `windowed training accuracy ${h3.history.acc![1]}, in memory ${h1!.history.acc![1]}`);
    for (const e of [inMemory!, windowed]) e.dispose();
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
  }
});

test('streaming: lbfgs experts and validationSplit are refused with typed errors; sgd-trained linear experts stream', async () => {
  const ds = fromArrays(Array.from({ length: 40 }, (_, r) => [r / 40, (r % 5) / 5]), Array.from({ length: 40 }, (_, r) => (r % 5 > 2 ? 1 : 0)));
  const src = datasetSource(ds, 16);
  const fails = (code: string) => (e: { code?: string }) => e.code === code;
  try {
    await new LogisticRegression({ backend: wasm }).fit(src);
    assert.unreachable();
  } catch (e) {
    assert.ok(fails('ERR_BAD_ARGUMENT')(e as never), (e as Error).message);
  }
  try {
    await new MlpExpert({ backend: wasm }).fit(src, { validationSplit: 0.2 });
    assert.unreachable();
  } catch (e) {
    assert.ok(fails('ERR_BAD_ARGUMENT')(e as never), (e as Error).message);
  }
  const sgd = new LogisticRegression({ backend: wasm, solver: 'sgd', fit: { epochs: 3 } });
  const h = await sgd.fit(src, { validationData: ds });
  assert.is(h.history.val_loss!.length, 3);
  sgd.dispose();
});

test('a backend capped at 16 MB trains on 72,000 real digits (54 MB as bytes, 215 MB as float32) streamed from disk, more than its memory holds', async () => {
  const files = mnistIdxFiles(8000, 2000, 9, 1);
  const small = await createBackend({ build: 'simd', maximumMemoryMb: 16 });
  try {
    const src = await idxSource(fileBytes(files.images), fileBytes(files.labels));
    const bytes = src.rows * src.cols;
    assert.ok(src.storage === 'u8' && bytes > 3 * 16 * 2 ** 20, `even as bytes, the data (${bytes / 2 ** 20} MB) is 3× the cap`);
    const config = { hidden: [32], backend: small, fit: { epochs: 1, batchSize: 64, seed: 3 } };
    // The rows do not fit in its memory as one buffer; the failed upload leaves the backend as it was.
    const whole = loadIdxPair(readFileSync(files.images), readFileSync(files.labels), { storage: 'u8' });
    const before = small.stats();
    try {
      small.upload(whole.x);
      assert.unreachable('the rows should not fit');
    } catch (e) {
      assert.is((e as { code?: string }).code, 'ERR_OUT_OF_MEMORY', (e as Error).message);
    }
    assert.equal(small.stats(), before, 'nothing allocated');
    // Streamed: two windows of 4,096 rows (3 MB each as bytes) in wasm memory at a time.
    const expert = new MlpExpert(config);
    const h = await expert.fit(src, { shuffleWindow: 4096 });
    assert.is(h.epochs.length, 1);
    assert.ok((small as WasmBackend).k.memory.buffer.byteLength <= 16 * 2 ** 20, 'the memory stayed under its cap');
    const testSet = loadIdxPair(files.testImages, files.testLabels);
    const pred = expert.predict(testSet.x, testSet.rows);
    const acc = accuracy(testSet.y, pred);
    assert.ok(acc > 0.9, `held-out accuracy ${acc}`);
    expert.dispose();
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
  }
});

test.run();
