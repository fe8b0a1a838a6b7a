// The CLI's IDX input: u8 images train as bytes (scale 1/255, in shared memory), and rows read
// to predict or evaluate are widened exactly as training widened them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnist } from '../src/entry/node.js';
import { floatRows } from '../src/data/dataset.js';
import { writeIdx } from '../src/data/idx.js';
import { isShared } from '../src/data/shared.js';
import { readRows, readTrainingData } from '../src/cli/user-data.js';

test('IDX training data stays bytes; predict rows match the training rows, labelled or not; f32 images load as float32', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spx-idx-'));
  try {
    const { train } = loadMnist({ train: 40, test: 0, seed: 1 });
    const pixels = Uint8Array.from(train.x, (v) => Math.round(v * 255));
    const images = join(dir, 'images.idx.gz'), labels = join(dir, 'labels.idx');
    writeFileSync(images, gzipSync(writeIdx({ dtype: 'u8', dims: [40, 28, 28], data: pixels })));
    writeFileSync(labels, writeIdx({ dtype: 'u8', dims: [40], data: Uint8Array.from(train.y) }));
    const { dataset, meta } = readTrainingData(images, { labels });
    assert.instance(dataset.x, Uint8Array);
    assert.equal([dataset.scale, isShared(dataset.x), meta.cols], [1 / 255, true, 784]);
    const trained = Array.from(floatRows(dataset));
    const labelled = readRows(images, meta, labels), bare = readRows(images, meta);
    assert.equal(Array.from(labelled.x), trained, 'labelled rows as trained');
    assert.equal(Array.from(bare.x), trained, 'unlabelled rows as trained');
    assert.equal(Array.from(labelled.y!), Array.from(train.y));
    const floats = join(dir, 'floats.idx');
    writeFileSync(floats, writeIdx({ dtype: 'f32', dims: [40, 784], data: floatRows(dataset) }));
    const f = readTrainingData(floats, { labels }).dataset;
    assert.instance(f.x, Float32Array);
    assert.equal(Array.from(f.x), trained);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
