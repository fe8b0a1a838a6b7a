// GEMM throughput, this project vs @tensorflow/tfjs-backend-wasm (one thread), on the shapes
// an MNIST MLP step uses, in NN, NT and TN, for the plain and relaxed SIMD builds; then the
// cold start of both. `--json`: one JSON object per line instead of tables. `--quick`: loops
// of 0.1 s, to check that the bench runs (its numbers are not for quoting).
// Run with `npm run bench:gemm` (Node 20 needs --experimental-wasm-relaxed-simd for relaxed).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { init, type Backend, type KernelBuild } from '../src/entry/node.js';
import { relaxedSimdSupported } from '../src/backend/kernels.js';
import { coldStartMs } from './util/coldstart.js';
import { msPerCall } from './util/measure.js';
import { formatTable } from './util/table.js';

const json = process.argv.includes('--json');
const timing = process.argv.includes('--quick') ? { minMs: 100, warmMs: 50 } : {};
const require = createRequire(import.meta.url);
const tfjsWasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;

type Form = 'NN' | 'NT' | 'TN';
/** m×k×n and the forms measured on it. */
const SHAPES: Array<[m: number, k: number, n: number]> = [[128, 784, 512], [128, 512, 10], [784, 128, 512], [128, 512, 784], [512, 512, 512]];
const FORMS: Form[] = ['NN', 'NT', 'TN'];

/** Deterministic fill in [-1, 1): the values do not matter to the speed, only that they are finite. */
const data = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 2003) / 1001.5 - 1);

function ourMsPerCall(b: Backend, form: Form, m: number, k: number, n: number): number {
  const [ta, tb] = [form === 'TN', form === 'NT'];
  const a = b.upload(data(m * k)), bb = b.upload(data(k * n)), c = b.alloc(m * n);
  const ms = msPerCall(() => b.gemm(ta, tb, m, n, k, a, bb, c), timing);
  for (const buf of [a, bb, c]) b.free(buf);
  return ms;
}

function tfjsMsPerCall(form: Form, m: number, k: number, n: number): number {
  const [ta, tb] = [form === 'TN', form === 'NT'];
  const a = tf.tensor2d(data(m * k), ta ? [k, m] : [m, k]);
  const b = tf.tensor2d(data(k * n), tb ? [n, k] : [k, n]);
  // tfjs allocates each product; disposing it keeps memory flat, as a training loop would.
  const ms = msPerCall(() => tf.matMul(a, b, ta, tb).dispose(), timing);
  tf.dispose([a, b]);
  return ms;
}

setWasmPaths(tfjsWasmDir);
setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();

const builds: KernelBuild[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
if (!relaxedSimdSupported()) console.error('relaxed SIMD is off in this runtime (Node 20: pass --experimental-wasm-relaxed-simd); measuring simd only');
const backends = Object.fromEntries(await Promise.all(builds.map(async (bld) => [bld, await init({ build: bld })] as const)));

const rows: string[][] = [];
for (const [m, k, n] of SHAPES) {
  for (const form of FORMS) {
    const gflop = (2 * m * n * k) / 1e9;
    const tfjs = gflop / (tfjsMsPerCall(form, m, k, n) / 1000);
    for (const build of builds) {
      const ours = gflop / (ourMsPerCall(backends[build], form, m, k, n) / 1000);
      const row = { op: 'gemm', form, m, k, n, build, gflops: +ours.toFixed(2), tfjs_gflops: +tfjs.toFixed(2), ratio: +(ours / tfjs).toFixed(2) };
      if (json) console.log(JSON.stringify(row));
      else rows.push([form, `${m}×${k}×${n}`, build, ours.toFixed(1), tfjs.toFixed(1), `${(ours / tfjs).toFixed(2)}×`]);
    }
  }
}
if (!json) console.log(`GEMM, GFLOP/s (median of 3 timed loops of ≥ ${timing.minMs ?? 1000} ms; one thread)\n${formatTable(['form', 'm×k×n', 'build', 'ours', 'tfjs-wasm', 'ratio'], rows)}\n`);

// Cold start: a fresh process, from before the first import to a backend ready for work.
const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
const ours = `const t = performance.now(); const m = await import(${JSON.stringify(dist)}); await m.init(); console.log(performance.now() - t);`;
const theirs = `const t = performance.now(); const tf = await import('@tensorflow/tfjs-core'); const w = (await import('@tensorflow/tfjs-backend-wasm')).default;
  w.setWasmPaths(${JSON.stringify(tfjsWasmDir)}); w.setThreadsCount(1); await tf.setBackend('wasm'); await tf.ready(); console.log(performance.now() - t);`;
const cold = {
  simd: coldStartMs(ours),
  relaxed: coldStartMs(ours, { nodeFlags: ['--experimental-wasm-relaxed-simd'] }),
  tfjs: coldStartMs(theirs),
};
if (json) {
  console.log(JSON.stringify({ op: 'coldstart', unit: 'ms', simd: +cold.simd.toFixed(1), relaxed: +cold.relaxed.toFixed(1), tfjs: +cold.tfjs.toFixed(1) }));
} else {
  const rowsCold = [['sparse-experts init() (simd: Node 20 default)', cold.simd], ['sparse-experts init() (relaxed: --experimental-wasm-relaxed-simd)', cold.relaxed], ["tfjs-backend-wasm setBackend('wasm')", cold.tfjs]];
  console.log(`Cold start, ms (fresh process: import + ready; median of 5)\n${formatTable(['', 'ms'], rowsCold.map(([what, ms]) => [String(what), (ms as number).toFixed(1)]))}`);
}
