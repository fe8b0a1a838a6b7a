// Not timed: the largest |ours − tfjs| per shape and form on one build, against the largest
// |tfjs| (the scale of the result), on the benchmark's own data.
//   node bench/gemm/diff.mjs simd|relaxed   → one JSON line
import { useTfjsWasm } from '../util/tfjs.mjs';
import * as tf from '@tensorflow/tfjs-core';
import { init } from '../../dist/index.js';
import { FORMS, SHAPES, data, transposes } from './shapes.mjs';

await useTfjsWasm(tf);
const b = await init({ build: process.argv[2] });
const results = [];
for (const [m, k, n] of SHAPES) {
  for (const form of FORMS) {
    const [ta, tb] = transposes(form);
    const aData = data(m * k), bData = data(k * n, 1);
    const want = tf.matMul(tf.tensor2d(aData, ta ? [k, m] : [m, k]), tf.tensor2d(bData, tb ? [n, k] : [k, n]), ta, tb).dataSync();
    const a = b.upload(aData), bb = b.upload(bData), c = b.alloc(m * n);
    b.gemm(ta, tb, m, n, k, a, bb, c);
    const got = b.read(c);
    for (const buf of [a, bb, c]) b.free(buf);
    let diff = 0, scale = 0;
    for (let i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    results.push({ form, m, k, n, max_abs_diff: diff, max_abs: scale });
  }
}
tf.disposeVariables();
console.log(JSON.stringify({ build: process.argv[2], results }));
