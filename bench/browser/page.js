// The page side of bench/browser.ts (served into a cross-origin-isolated page): window.run
// trains the seed's MLP (784 → 512 relu → 10, Adam 1e-3, batch 128) on the digits the
// server hands out, with this project or with tfjs-backend-wasm, on `threads` threads, and
// returns samples/s of each epoch after the first, the held-out accuracy, and what ran.
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
  };
}

window.run = ({ side, threads, epochs }) => (side === 'ours' ? ours(threads, epochs) : tfjs(threads, epochs));
window.isolated = crossOriginIsolated;
window.ready = true;
