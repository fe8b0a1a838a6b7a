// The measured side of bench/latency.ts: one model variant, or tfjs, in a fresh plain node
// process; the median time of a predict call on 1 and on 32 real MNIST rows.
//   node bench/latency/side.mjs single|dense|csr|routed|tfjs CALLS   → one JSON line
import { wasmLoaded } from '../util/child.mjs';
import { SparseExpertModel, init, loadMnist } from '../../dist/index.js';

const [variant, calls] = [process.argv[2], Number(process.argv[3])];
const { train, test } = loadMnist({ train: 2000, test: 320, seed: 1 });
const expert = { kind: 'mlp', hidden: [512], fit: { epochs: 1, batchSize: 128 } };
const pruned = { method: 'magnitude', sparsity: 0.9, scope: 'global', fineTuneEpochs: 1 };
const variants = {
  single: { experts: 1, combine: 'fixed' },
  dense: { experts: 5, combine: 'convex' },
  csr: { experts: 5, combine: 'convex', sparsity: pruned },
  routed: { experts: 5, partition: 'kmeans', combine: 'hard' },
};

/** An async predict of `rows` rows starting at row `at` of the held-out digits. */
async function predictor() {
  if (variant === 'tfjs') {
    // Loaded only here, so our variants' processes hold no tfjs.
    const tf = await import('@tensorflow/tfjs');
    const { tfjsSelf, useTfjsWasm } = await import('../util/tfjs.mjs');
    await useTfjsWasm(tf);
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    await m.fit(tf.tensor2d(train.x, [train.rows, 784]), tf.oneHot(tf.tensor1d(train.y, 'int32'), 10), { epochs: 1, batchSize: 128, verbose: 0 });
    const self = { side: 'tfjs', ...tfjsSelf(tf) };
    // What a caller does: rows in, class ids out (argMax read back), tensors freed.
    return { self, run: async (at, rows) => tf.tidy(() => m.predict(tf.tensor2d(test.x.subarray(at * 784, (at + rows) * 784), [rows, 784])).argMax(-1)).data() };
  }
  const backend = await init({ build: 'simd', threads: 1 }); // one thread, like tfjs's side
  const model = new SparseExpertModel({ ...variants[variant], expert, workers: 0, seed: 1, backend });
  await model.fit(train);
  return { self: { side: variant, backend: backend.name }, run: (at, rows) => model.predict(test.x.subarray(at * 784, (at + rows) * 784), rows) };
}

const { self, run } = await predictor();
const result = {};
for (const rows of [1, 32]) {
  const at = (i) => (i * rows) % (test.rows - rows + 1);
  for (let i = 0; i < 50; i++) await run(at(i), rows);
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await run(at(i), rows);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  result[`rows${rows}`] = { median_ms: times[times.length >> 1], p90_ms: times[Math.floor(times.length * 0.9)] };
}
console.log(JSON.stringify({ self: { wasm: wasmLoaded(), ...self }, ...result }));
