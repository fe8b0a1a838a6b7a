// The data bench/train.ts trains on: 8,000 / 2,000 real MNIST digits (the `mnist` package,
// seeded stratified split), or all of Fashion-MNIST (60,000 / 10,000) from Debian's
// dataset-fashion-mnist package (gzipped IDX files).
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadIdxPair, loadMnist } from '../../dist/index.js';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** Which Fashion-MNIST files are missing (empty when installed). */
export const missingFashion = () => FASHION_FILES.filter((f) => !existsSync(`${FASHION_DIR}/${f}`));

export function loadData(name) {
  if (name === 'mnist') return loadMnist({ train: 8000, test: 2000, seed: 1 });
  if (name !== 'fashion-mnist') throw new Error(`unknown data '${name}': mnist or fashion-mnist`);
  const read = (f) => gunzipSync(readFileSync(`${FASHION_DIR}/${f}`));
  const [trainX, trainY, testX, testY] = FASHION_FILES.map(read);
  return { train: loadIdxPair(trainX, trainY), test: loadIdxPair(testX, testY) };
}
