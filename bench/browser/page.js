// The page side of bench/browser.ts (served into a cross-origin-isolated page): window.run
// trains the seed's MLP (784 → 512 relu → 10, Adam 1e-3, batch 128) on the digits the
// server hands out, with this project or with tfjs-backend-wasm, on `threads` threads, and
// returns samples/s of each epoch after the first, the held-out accuracy, and what ran; for
// tfjs also its products at the MLP's shape and where a training step spends its time.
const bin = async (name, Type) => new Type(await (await fetch(`/data/${name}.bin`)).arrayBuffer());
const script = (src) => new Promise((resolve, reject) => {
  const s = document.createElement('script');
  Object.assign(s, { src, onload: resolve, onerror: () => reject(new Error(`could not load ${src}`)) });
  document.head.append(s);
});

async function data() {
  const [x, y, tx, ty] = await Promise.all([bin('x', Float32Array), bin('y', Int32Array), bin('tx', Float32Array), bin('ty', Int32Array)]);
  return { train: { x, y, rows: y.length, cols: x.length / y.length, classes: 10 }, test: { x: tx, y: ty, rows: ty.length, cols: tx.length / ty.length, classes: 10 } };
}

/** The .wasm files this page fetched. */
const wasmLoaded = () => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()).filter((n) => n.endsWith('.wasm'));

const accuracy = (y, pred) => y.reduce((n, v, i) => n + (v === pred[i] ? 1 : 0), 0) / y.length;

async function ours(threads, epochs) {
  const lib = { ...(await import('/dist/index.browser.js')), ...(await import('/dist/backend.browser.js')) };
  const { train, test } = await data();
  const backend = await lib.createBackend({ threads });
  const mlp = new lib.MlpExpert({ backend });
  const rates = [];
  let start = 0;
  await mlp.fit(train, { epochs, seed: 1, callbacks: { onEpochBegin: () => void (start = performance.now()), onEpochEnd: () => void rates.push(train.rows / ((performance.now() - start) / 1000)) } });
  const bytes = mlp.toState().tensors.flatMap((t) => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return { ran: `${backend.name} (${lib.kernelRef(backend).build}) on ${backend.threads} thread(s)`, threads: backend.threads, rates: rates.slice(1), accuracy: accuracy(test.y, mlp.predict(test.x, test.rows)), weights: h.toString(16) };
}

/** Median ms of `reps` calls of f after one warm-up; tfjs-wasm's kernels return when done. */
function timed(tf, f, reps = 20) {
  tf.dispose(f());
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const y = f();
    ms.push(performance.now() - t);
    y.dispose();
  }
  return ms.sort((a, b) => a - b)[reps >> 1];
}

/**
 * tfjs-wasm runs a product through XNNPACK (on its thread pool) only when neither operand is
 * transposed (src/cc/batch_mat_mul_impl.cc), else in a one-thread loop: a dense layer's
 * forward product x·W is the first kind, its gradients dy·Wᵀ and xᵀ·dy the second. Times the
 * three at the first layer's shape, x a batch of the digits.
 */
const firstBatch = (tf, train) => tf.tensor2d(train.x.subarray(0, 128 * train.cols), [128, train.cols]);

function products(tf, model, train) {
  return tf.tidy(() => {
    const units = model.layers[0].units;
    const x = firstBatch(tf, train), w = tf.randomNormal([train.cols, units]), dy = tf.randomNormal([128, units]);
    return { forward: timed(tf, () => tf.matMul(x, w)), inputGradient: timed(tf, () => tf.matMul(dy, w, false, true)), weightGradient: timed(tf, () => tf.matMul(x, dy, true, false)) };
  });
}

const STEPS = 5;

/**
 * Kernel ms per training step (tf.profile over STEPS steps) and its shares in the two kinds of
 * product, told apart by shape: untransposed when a's columns = b's rows (so in this MLP).
 */
async function stepShares(tf, model, train) {
  const x = firstBatch(tf, train), labels = tf.tensor1d(train.y.subarray(0, 128), 'int32'), y = tf.oneHot(labels, 10);
  const { kernels } = await tf.profile(async () => {
    for (let i = 0; i < STEPS; i++) await model.trainOnBatch(x, y);
  });
  tf.dispose([x, labels, y]);
  const product = (k) => /MatMul/.test(k.name), plain = (k) => k.inputShapes[0].at(-1) === k.inputShapes[1].at(-2);
  const sum = (ks) => ks.reduce((n, k) => n + k.kernelTimeMs, 0);
  const all = sum(kernels);
  return { kernelMs: all / STEPS, threadedProductShare: sum(kernels.filter((k) => product(k) && plain(k))) / all, otherProductShare: sum(kernels.filter((k) => product(k) && !plain(k))) / all };
}

async function tfjs(threads, epochs) {
  await script('/node_modules/@tensorflow/tfjs/dist/tf.min.js');
  await script('/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
  const tf = globalThis.tf;
  tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const { train, test } = await data();
  const xs = tf.tensor2d(train.x, [train.rows, train.cols]), ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [train.cols] }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const rates = [];
  for (let e = 0; e < epochs; e++) {
    const t = performance.now();
    await model.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
    rates.push(train.rows / ((performance.now() - t) / 1000));
  }
  const pred = tf.tidy(() => model.predict(tf.tensor2d(test.x, [test.rows, test.cols])).argMax(-1).dataSync());
  const env = tf.env();
  return {
    ran: `tfjs-wasm, SIMD ${env.getBool('WASM_HAS_SIMD_SUPPORT')}, multithread ${env.getBool('WASM_HAS_MULTITHREAD_SUPPORT')}, ${tf.wasm.getThreadsCount()} thread(s), loaded ${wasmLoaded().join(', ')}`,
    threads: tf.wasm.getThreadsCount(), rates: rates.slice(1), accuracy: accuracy(test.y, pred),
    products: products(tf, model, train), step: await stepShares(tf, model, train),
  };
}

// What the page saw: tfjs sizes its thread pool from hardwareConcurrency (see bench/browser.ts).
const seen = () => ({ isolated: crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency });
window.run = async ({ side, threads, epochs }) => ({ ...(await (side === 'ours' ? ours(threads, epochs) : tfjs(threads, epochs))), ...seen() });
window.ready = true;
