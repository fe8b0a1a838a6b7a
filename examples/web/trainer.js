// The demo's trainer, a module Web Worker: it loads the digits and runs the library, whose
// experts train in Web Workers of their own, so the page thread only draws. Messages:
//   page → { type: 'train', settings }     trainer → { type: 'ready' } | 'progress' | 'done' | 'error'
import * as lib from '/dist/index.browser.js';

const TEST_ROWS = 500;

/** The 10,000 digits (served by examples/web/serve.mjs), shuffled once with a fixed seed. */
async function loadDigits() {
  const [images, labels] = await Promise.all(['images', 'labels'].map(async (f) => new Uint8Array(await (await fetch(`/mnist/${f}.idx`)).arrayBuffer())));
  const all = lib.loadIdxPair(images, labels, { classes: 10 });
  const order = new lib.Rng(7).permutation(all.rows);
  const rows = (from, n) => {
    const x = new Float32Array(n * all.cols), y = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      x.set(all.x.subarray(order[from + r] * all.cols, (order[from + r] + 1) * all.cols), r * all.cols);
      y[r] = all.y[order[from + r]];
    }
    return { x, y, rows: n, cols: all.cols, classes: 10 };
  };
  return { test: rows(0, TEST_ROWS), train: (n) => rows(TEST_ROWS, n) };
}

async function train(digits, s) {
  const data = digits.train(s.train);
  const model = new lib.SparseExpertModel({
    experts: s.experts, partition: s.partition, combine: { kind: s.combine, k: 2 }, seed: 1,
    workers: Math.min(s.experts, Math.max(2, (navigator.hardwareConcurrency || 2) - 1)),
    expert: { kind: 'mlp', hidden: [s.hidden], optimizer: { kind: 'adam', lr: 0.002 }, fit: { epochs: s.epochs, batchSize: 64 } },
    sparsity: s.sparsity > 0 ? { method: 'magnitude', sparsity: s.sparsity } : null,
  });
  try {
    const report = await model.fit(data, { onProgress: (p) => postMessage({ type: 'progress', ...p }) });
    const test = digits.test;
    const predicted = await model.predict(test.x, test.rows);
    return {
      accuracy: lib.accuracy(test.y, predicted), confusion: lib.confusionMatrix(test.y, predicted, 10),
      experts: report.experts.map((e) => ({ rows: e.rows, holdoutAccuracy: e.holdoutAccuracy })), seconds: report.seconds, workers: report.workers,
      rows: data.rows, testRows: test.rows, digits: { x: test.x.slice(0, 40 * 784), y: test.y.slice(0, 40), predicted: predicted.slice(0, 40) },
    };
  } finally {
    model.dispose();
  }
}

const ready = Promise.all([loadDigits(), lib.init()]);
ready.then(() => postMessage({ type: 'ready' }), (err) => postMessage({ type: 'error', message: err.message }));
onmessage = async ({ data }) => {
  try {
    const [digits] = await ready;
    postMessage({ type: 'done', result: await train(digits, data.settings) });
  } catch (err) {
    postMessage({ type: 'error', message: err.message });
  }
};
