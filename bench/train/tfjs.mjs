// The TensorFlow.js side of bench/train.ts: tfjs-backend-wasm, one thread, the same recipe
// and data, in its own plain node process. Prints one JSON line.
//   node bench/train/tfjs.mjs EPOCHS TIMED
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { accuracy, loadMnist } from '../../dist/index.js';

const [epochs, timed] = [Number(process.argv[2]), Number(process.argv[3])];
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();
const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
const xs = tf.tensor2d(train.x, [train.rows, 784]);
const ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10);
const model = () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
};
const fitOne = (m) => m.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
const timing = model();
await fitOne(timing);
const rates = [];
for (let i = 0; i < timed; i++) {
  const t = performance.now();
  await fitOne(timing);
  rates.push(train.rows / ((performance.now() - t) / 1000));
}
const m = model();
await m.fit(xs, ys, { epochs, batchSize: 128, shuffle: true, verbose: 0 });
const pred = m.predict(tf.tensor2d(test.x, [test.rows, 784])).argMax(-1).dataSync();
console.log(JSON.stringify({ side: 'tfjs-wasm', rates, test_accuracy: accuracy(test.y, pred), rss_mb: process.resourceUsage().maxRSS / 1024 }));
