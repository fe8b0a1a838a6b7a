// One model on several threads: the seed's MLP (784 → 512 relu → 10, Adam, batch 128) on
// 8,000 MNIST digits with 1, 2, … kernel threads, each run a fresh process, the thread
// counts interleaved round by round (the machine is shared); the weights must come out
// identical. Then 5 experts through a worker pool on one core and on every core (workers and
// kernel threads together, src/parallel/pool.ts), beside the machine's ceiling (as many one-core
// runs at once as there are cores, the same round). Then GEMM GFLOP/s per thread count on the
// MLP's shapes, loops interleaved across thread counts; both against tfjs-backend-wasm (one
// thread: its threaded build runs only in browsers) in the same run.
//   npm run bench:threads [-- --threads 1,2] [-- --rounds 3] [-- --json] [-- --quick]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createBackend, type Backend } from '../src/entry/node.js';
import { relaxedSimdSupported } from '../src/backend/kernels.js';
import { runAtOnce } from './util/at-once.mjs';
import { median } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const json = args.includes('--json');
const quick = args.includes('--quick');
const THREADS = option('--threads', '1,2').split(',').map(Number);
const ROUNDS = Number(option('--rounds', quick ? '1' : '3'));
const EPOCHS = quick ? 2 : 4; // the first is warm-up
const build = relaxedSimdSupported() ? 'relaxed' : 'simd';
const flags = relaxedSimdSupported() ? ['--experimental-wasm-relaxed-simd'] : [];

function child(script: string, argv: (string | number)[]): { rates: number[]; test_accuracy: number; weights?: string } {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const r = spawnSync(process.execPath, [...flags, path, ...argv.map(String)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

// ---- training: rounds of every thread count, then tfjs ----
const runs = new Map<number, ReturnType<typeof child>[]>(THREADS.map((t) => [t, []]));
for (let round = 0; round < ROUNDS; round++) for (const t of THREADS) runs.get(t)!.push(child('./threads/train.mjs', [build, t, EPOCHS]));
const tfjs = child('./train/tfjs.mjs', ['mnist', EPOCHS - 1, 0]); // data, timed epochs, accuracy epochs
const tfjsRate = median(tfjs.rates);
const weights = new Set([...runs.values()].flat().map((r) => r.weights));
if (weights.size !== 1) throw new Error(`the weights differ between thread counts or runs: ${[...weights].join(', ')}`);
const rate = (t: number) => median(runs.get(t)!.flatMap((r) => r.rates));
// Speedup per round (the runs of one round are close in time), then the median.
const speedup = (t: number) => median(runs.get(t)!.map((r, i) => median(r.rates) / median(runs.get(THREADS[0])![i].rates)));
const trainRows = THREADS.map((t) => ({
  op: 'train', build, threads: t, samples_per_s: Math.round(rate(t)), speedup: +speedup(t).toFixed(2),
  tfjs_samples_per_s: Math.round(tfjsRate), ratio: +(rate(t) / tfjsRate).toFixed(2), test_accuracy: runs.get(t)![0].test_accuracy,
}));

// ---- 5 experts through a worker pool: one core against every core (workers + kernel threads) ----
// On the default build of this runtime (simd on Node 20 without the flag) and on relaxed where it runs.
// Each round also runs `cores` one-core processes at once: their summed rate over one alone is what
// the machine gave that many streams of work then (the ceiling any schedule of the experts can reach).
const cores = availableParallelism();
const expertBuilds = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
interface ExpertsRun { seconds: number; file: string }
const expertsRows = [];
for (const b of expertBuilds) {
  const runs = { one: [] as number[], all: [] as number[], ceiling: [] as number[] };
  const files = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, argv] of [['one', [1, 1]], ['all', [cores, cores]]] as const) {
      const r = child('./threads/experts.mjs', [...argv, b]) as unknown as ExpertsRun;
      runs[key].push(r.seconds);
      files.add(r.file);
    }
    const atOnce = await runAtOnce<ExpertsRun>([...flags, fileURLToPath(new URL('./threads/experts.mjs', import.meta.url)), '1', '1', b], cores);
    runs.ceiling.push(atOnce.reduce((sum, r) => sum + runs.one[round] / r.seconds, 0));
  }
  if (files.size !== 1) throw new Error(`the 5-expert model files differ between one core and ${cores} (${b})`);
  const speedups = runs.one.map((s, i) => s / runs.all[i]);
  expertsRows.push({
    op: 'experts', build: b, experts: 5, cores, one_core_s: +median(runs.one).toFixed(2), all_cores_s: +median(runs.all).toFixed(2),
    speedup: +median(speedups).toFixed(2), machine_ceiling: +median(runs.ceiling).toFixed(2), of_ceiling: +median(speedups.map((x, i) => x / runs.ceiling[i])).toFixed(2),
  });
}

// ---- GEMM: loops of every thread count interleaved, one backend each ----
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();
const backends: Backend[] = await Promise.all(THREADS.map((threads) => createBackend({ build, threads })));
const SHAPES: Array<[form: 'NN' | 'NT' | 'TN', m: number, k: number, n: number]> = [['NN', 128, 784, 512], ['NT', 128, 512, 784], ['TN', 784, 128, 512], ['NN', 128, 512, 10], ['NN', 512, 512, 512]];
const data = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 2003) / 1001.5 - 1);
const loopMs = quick ? 50 : 400;

/** ms per call of each fn, loops of loopMs interleaved over LOOPS rounds; the median per fn. */
function interleaved(fns: (() => void)[]): number[] {
  const per = fns.map(() => [] as number[]);
  for (let round = 0; round < (quick ? 2 : 5); round++) {
    fns.forEach((fn, i) => {
      let calls = 0;
      const start = performance.now();
      do (fn(), calls++);
      while (performance.now() - start < loopMs);
      if (round > 0) per[i].push((performance.now() - start) / calls); // round 0 warms up
    });
  }
  return per.map(median);
}

const gemmRows: { op: string; form: string; m: number; k: number; n: number; build: string; threads: number; gflops: number; speedup: number; tfjs_gflops: number; ratio: number }[] = [];
for (const [form, m, k, n] of SHAPES) {
  const [ta, tb] = [form === 'TN', form === 'NT'];
  const ours = backends.map((b) => ({ b, a: b.upload(data(m * k)), bb: b.upload(data(k * n)), c: b.alloc(m * n) }));
  const ta2 = tf.tensor2d(data(m * k), ta ? [k, m] : [m, k]), tb2 = tf.tensor2d(data(k * n), tb ? [n, k] : [k, n]);
  const ms = interleaved([...ours.map((o) => () => o.b.gemm(ta, tb, m, n, k, o.a, o.bb, o.c)), () => tf.matMul(ta2, tb2, ta, tb).dispose()]);
  const gflops = ms.map((t) => (2 * m * n * k) / 1e9 / (t / 1000));
  const theirs = gflops[gflops.length - 1];
  THREADS.forEach((t, i) => gemmRows.push({ op: 'gemm', form, m, k, n, build, threads: t, gflops: +gflops[i].toFixed(2), speedup: +(gflops[i] / gflops[0]).toFixed(2), tfjs_gflops: +theirs.toFixed(2), ratio: +(gflops[i] / theirs).toFixed(2) }));
  for (const o of ours) for (const buf of [o.a, o.bb, o.c]) o.b.free(buf);
  tf.dispose([ta2, tb2]);
}

if (json) {
  for (const row of [...trainRows, ...expertsRows, ...gemmRows]) console.log(JSON.stringify(row));
} else {
  console.log(`Training the seed's MLP on 8,000 MNIST digits (${build} build; samples/s: median over ${ROUNDS} interleaved rounds of ${EPOCHS - 1} epochs after a warm-up; identical weights on every thread count; accuracy on 2,000 held-out digits after ${EPOCHS} epochs)`);
  console.log(formatTable(['threads', 'samples/s', 'vs 1 thread', 'vs tfjs-wasm (1 thread)', 'test acc'],
    [...trainRows.map((r) => [String(r.threads), String(r.samples_per_s), `${r.speedup.toFixed(2)}×`, `${r.ratio.toFixed(1)}×`, r.test_accuracy.toFixed(4)]),
      ['tfjs-wasm', String(Math.round(tfjsRate)), '', '1.0×', '—']]));
  console.log(`\n5 experts of the seed's shape on 8,000 digits (10 epochs, a worker pool warmed by a small fit; median of ${ROUNDS} interleaved rounds, identical model files):`);
  for (const r of expertsRows) {
    console.log(`${r.build}: one core (1 worker, 1 thread) ${r.one_core_s} s, all ${cores} cores (${cores} workers, floor(${cores} / busy workers) threads each) ${r.all_cores_s} s: ${r.speedup.toFixed(2)}× (machine ceiling ${r.machine_ceiling.toFixed(2)}×: ${cores} one-core runs at once; ${r.of_ceiling.toFixed(2)} of it)`);
  }
  console.log(`\nGEMM, GFLOP/s (median of ${quick ? 1 : 4} loops of ${loopMs} ms, interleaved across thread counts)`);
  console.log(formatTable(['form', 'm×k×n', 'threads', 'ours', 'vs 1 thread', 'tfjs-wasm', 'ratio'],
    gemmRows.map((r) => [r.form, `${r.m}×${r.k}×${r.n}`, String(r.threads), r.gflops.toFixed(1), `${r.speedup.toFixed(2)}×`, r.tfjs_gflops.toFixed(1), `${r.ratio.toFixed(2)}×`])));
}
