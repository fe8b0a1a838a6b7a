// The measured side of bench/gemm.ts for tfjs-backend-wasm (one thread). NN twice: with B
// reused across calls (XNNPACK caches it packed: inference) and with a fresh B tensor per
// call (training, where the weights change every step).
//   node bench/gemm/tfjs.mjs MIN_MS   → one JSON line
import { msPerCall } from '../util/child.mjs';
import { tfjsSelf, useTfjsWasm } from '../util/tfjs.mjs';
import * as tf from '@tensorflow/tfjs-core';
import { FORMS, SHAPES, data, transposes } from './shapes.mjs';

const minMs = Number(process.argv[2]);
await useTfjsWasm(tf);

const results = [];
for (const [m, k, n] of SHAPES) {
  for (const form of FORMS) {
    const [ta, tb] = transposes(form);
    const aData = data(m * k), bData = data(k * n, 1), bShape = tb ? [n, k] : [k, n];
    const a = tf.tensor2d(aData, ta ? [k, m] : [m, k]), b = tf.tensor2d(bData, bShape);
    // tfjs allocates each product; disposing it keeps memory flat, as a training loop would.
    results.push({ form, m, k, n, scenario: 'cached', ms: msPerCall(() => tf.matMul(a, b, ta, tb).dispose(), { minMs }) });
    if (form === 'NN') {
      const fresh = () => {
        const bt = tf.tensor2d(bData, bShape);
        tf.matMul(a, bt, ta, tb).dispose();
        bt.dispose();
      };
      results.push({ form, m, k, n, scenario: 'fresh', ms: msPerCall(fresh, { minMs }) });
    }
    tf.dispose([a, b]);
  }
}
console.log(JSON.stringify({ self: tfjsSelf(tf), results }));
