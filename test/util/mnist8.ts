// MNIST downsampled to 8×8 (64 features): the 28×28 digits cropped to their central 24×24
// and averaged over 3×3 blocks — a small-image set like scikit-learn's digits, from real data.
import type { Dataset } from '../../src/data/dataset.js';
import { loadMnist } from '../../src/data/mnist.js';

function downsample(ds: Dataset): Dataset {
  const x = new Float32Array(ds.rows * 64);
  for (let r = 0; r < ds.rows; r++) {
    for (let i = 0; i < 24; i++) for (let j = 0; j < 24; j++) x[r * 64 + Math.floor(i / 3) * 8 + Math.floor(j / 3)] += ds.x[r * 784 + (i + 2) * 28 + j + 2] / 9;
  }
  return { ...ds, x, cols: 64 };
}

export function loadMnist8(train: number, test: number, seed: number): { train: Dataset; test: Dataset } {
  const d = loadMnist({ train, test, seed });
  return { train: downsample(d.train), test: downsample(d.test) };
}
