// Memory behaviour of the wasm backend: no growth over many calls of a training-like mix,
// and buffers stay correct when the linear memory grows under them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WasmBackend } from '../src/backend/wasm.js';
import { wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

/** One training-step-like mix of kernels over buffers allocated once. */
function mix(): () => void {
  const b = wasm, r = rng(SEED + 30);
  const [m, k, n, c] = [37, 29, 23, 10];
  const x = b.upload(r.floats(m * k)), w = b.upload(r.floats(n * k)), h = b.alloc(m * n), bias = b.upload(r.floats(n));
  const w2 = b.upload(r.floats(c * n)), logits = b.alloc(m * c), probs = b.alloc(m * c), grad = b.alloc(m * c);
  const labels = b.upload(r.ints(m, 0, c)), gw = b.alloc(c * n), gb = b.alloc(c), mo = b.alloc(c * n), ve = b.alloc(c * n);
  const vals = b.alloc(m * 3), idx = b.alloc(m * 3, 'i32'), assign = b.alloc(m, 'i32'), dist = b.alloc(m), sums = b.alloc(5 * k);
  let step = 0;
  return () => {
    b.gemm(false, true, m, n, k, x, w, h);
    b.biasAct(h, bias, m, n, 'relu', h);
    b.gemm(false, true, m, c, n, h, w2, logits);
    b.softmaxCrossEntropy(logits, labels, m, c, probs, grad);
    b.gemm(true, false, c, n, m, grad, h, gw);
    b.colSum(grad, m, c, gb);
    b.actBackward(h, h, m * n, 'relu', h);
    b.adam(w2, gw, mo, ve, c * n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, step: ++step, l1: 1e-4 });
    const csr = b.denseToCsr(w, n, k, 0.5); // the one allocating call: freed right after
    b.matmulCsrT(x, m, csr, h);
    b.freeCsr(csr);
    b.topk(logits, m, c, 3, vals, idx);
    b.kmeansAssign(x, m, k, w, 5, assign, dist);
    b.scatterAddRows(x, k, assign, m, sums);
  };
}

test('leak: high-water mark, bytes in use and buffer count stable over 1,000 calls', () => {
  const run = mix();
  run(); // scratch and CSR sizes settle on the first call
  const before = wasm.stats();
  for (let i = 0; i < 1000; i++) run();
  const after = wasm.stats();
  assert.equal(after, before);
});

test('memory growth: old buffers still read and compute correctly', () => {
  const r = rng(SEED + 31);
  const data = r.floats(1000);
  const old = wasm.upload(data);
  const memory = (wasm as WasmBackend).k.memory, bytes = memory.buffer.byteLength;
  const big = wasm.alloc(8 << 20); // 32 MB: more than the memory holds, so it grows
  assert.ok(memory.buffer.byteLength > bytes, 'the memory did not grow');
  allClose(wasm.read(old), data, 0, 0, SEED + 31, 'old buffer after growth');
  const sums = wasm.alloc(10);
  wasm.colSum(old, 100, 10, sums);
  const want = new Float64Array(10);
  for (let i = 0; i < 1000; i++) want[i % 10] += data[i];
  allClose(wasm.read(sums), want, 1e-5, 1e-5, SEED + 31, 'colSum after growth');
  for (const buf of [old, big, sums]) wasm.free(buf);
});

test.run();
