// Real MNIST digits (the `mnist` package's 10,000) as IDX files on disk, in a seeded shuffled
// order, the training rows repeated `repeat` times: a file of real rows larger than memory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIdx } from '../../src/data/idx.js';
import { mnistAll } from '../../src/data/mnist.js';
import { Rng } from '../../src/data/prng.js';

export interface MnistIdx {
  dir: string;
  images: string;
  labels: string;
  rows: number;
  /** The held-out digits (not in the files), as u8 IDX bytes. */
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** The pixels back as bytes: the package stores pixel / 255 to three decimals. */
function bytesOf(x: Float32Array, rows: number[]): Uint8Array {
  const out = new Uint8Array(rows.length * 784);
  rows.forEach((r, i) => {
    for (let c = 0; c < 784; c++) out[i * 784 + c] = Math.round(x[r * 784 + c] * 255);
  });
  return out;
}

export function mnistIdxFiles(train: number, test: number, repeat: number, seed = 0): MnistIdx {
  const all = mnistAll();
  const order = Array.from(new Rng(seed).permutation(all.rows));
  const trainRows = order.slice(0, train), testRows = order.slice(train, train + test);
  const one = bytesOf(all.x, trainRows);
  const images = new Uint8Array(one.length * repeat);
  for (let k = 0; k < repeat; k++) images.set(one, k * one.length);
  const labels = Uint8Array.from({ length: train * repeat }, (_, i) => all.y[trainRows[i % train]]);
  const dir = mkdtempSync(join(tmpdir(), 'sparse-experts-idx-'));
  const files = { images: join(dir, 'images.idx'), labels: join(dir, 'labels.idx') };
  writeFileSync(files.images, writeIdx({ dtype: 'u8', dims: [train * repeat, 28, 28], data: images }));
  writeFileSync(files.labels, writeIdx({ dtype: 'u8', dims: [train * repeat], data: labels }));
  return {
    dir, ...files, rows: train * repeat,
    testImages: writeIdx({ dtype: 'u8', dims: [test, 28, 28], data: bytesOf(all.x, testRows) }),
    testLabels: writeIdx({ dtype: 'u8', dims: [test], data: Uint8Array.from(testRows, (r) => all.y[r]) }),
  };
}
