// The measured side of bench/coldstart.ts for tfjs-backend-wasm (one thread), as ours.mjs:
// import, backend ready, then the first 128×784×512 product (read back, so it has run).
//   node bench/coldstart/tfjs.mjs WASM_DIR   → one JSON line
const t0 = performance.now();
const tf = await import('@tensorflow/tfjs-core');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const t1 = performance.now();
wasm.setWasmPaths(process.argv[2]);
wasm.setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();
const t2 = performance.now();
const { data } = await import('../gemm/shapes.mjs');
const [m, k, n] = [128, 784, 512];
const a = tf.tensor2d(data(m * k), [m, k]), w = tf.tensor2d(data(k * n, 1), [k, n]);
const t3 = performance.now();
tf.matMul(a, w).dataSync();
const t4 = performance.now();
console.log(JSON.stringify({ backend: tf.getBackend(), threads: 1, node: t0, import: t1 - t0, init: t2 - t1, ready: t2 - t0, first: t4 - t3 }));
