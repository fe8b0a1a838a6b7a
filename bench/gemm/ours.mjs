// The measured side of bench/gemm.ts for this project: every shape and form on one build
// and thread count (above 1: the shared-memory build, products cut across the threads).
//   node bench/gemm/ours.mjs simd|relaxed MIN_MS [THREADS]   → one JSON line
import { msPerCall, wasmLoaded } from '../util/child.mjs';
import { init } from '../../dist/index.js';
import { FORMS, SHAPES, data, transposes } from './shapes.mjs';

const [build, minMs, threads] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 1)];
const b = await init({ build, threads });
const results = [];
for (const [m, k, n] of SHAPES) {
  for (const form of FORMS) {
    const [ta, tb] = transposes(form);
    const a = b.upload(data(m * k)), bb = b.upload(data(k * n, 1)), c = b.alloc(m * n);
    // NN as a Dense forward runs it: gemmUnpacked, which runs the GEMM itself where packing pays.
    const call = form === 'NN' ? () => b.gemmUnpacked(m, n, k, a, bb, c) : () => b.gemm(ta, tb, m, n, k, a, bb, c);
    results.push({ form, m, k, n, ms: msPerCall(call, { minMs }) });
    for (const buf of [a, bb, c]) b.free(buf);
  }
}
console.log(JSON.stringify({ self: { backend: b.name, wasm: wasmLoaded(), threads: b.threads }, results }));
