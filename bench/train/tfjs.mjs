// The TensorFlow.js side of bench/train.ts: tfjs-backend-wasm, one thread, the same recipe
// and data, in its own plain node process. Prints one JSON line like bench/train/ours.mjs.
//   node bench/train/tfjs.mjs mnist|fashion-mnist TIMED ACC_EPOCHS
import { tfjsSelf, useTfjsWasm } from '../util/tfjs.mjs';
import * as tf from '@tensorflow/tfjs';
import { accuracy } from '../../dist/index.js';
import { loadData } from './data.mjs';

const [data, timed, accEpochs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
await useTfjsWasm(tf);
const { train, test } = loadData(data);
const xs = tf.tensor2d(train.x, [train.rows, train.cols]);
const ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10);
const testX = tf.tensor2d(test.x, [test.rows, test.cols]);
const model = () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [train.cols] }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
};
const fitOne = (m) => m.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
const timing = model();
if (timed > 0) await fitOne(timing);
const rates = [];
for (let i = 0; i < timed; i++) {
  const t = performance.now();
  await fitOne(timing);
  rates.push(train.rows / ((performance.now() - t) / 1000));
}
// The accuracy curve: one model, fitted an epoch at a time (Adam's state carries over).
const curve = [];
if (accEpochs > 0) {
  const m = model();
  let seconds = 0;
  for (let e = 0; e < accEpochs; e++) {
    const t = performance.now();
    await fitOne(m);
    seconds += (performance.now() - t) / 1000;
    const pred = tf.tidy(() => m.predict(testX).argMax(-1).dataSync());
    curve.push({ s: seconds, acc: accuracy(test.y, pred) });
  }
}
console.log(JSON.stringify({ side: 'tfjs-wasm', self: tfjsSelf(tf), rows: train.rows, rates, curve, rss_mb: process.resourceUsage().maxRSS / 1024 }));
