// GEMM throughput, this project (plain and relaxed SIMD builds, on each thread count) vs
// @tensorflow/tfjs-backend-wasm (one thread: its threaded build runs only in browsers), on the shapes an MNIST MLP step uses, in NN, NT and TN; tfjs's NN both with B
// reused (cached packed) and with a fresh B tensor per call; the largest difference of each
// product from tfjs's; then the cold start of both. Every side runs in fresh processes,
// interleaved over ≥ 5 rounds (bench/util/interleave.ts): figures are the median and the
// inter-quartile range over the rounds, ratios taken within each round.
//   npm run bench:gemm [-- --json] [-- --rounds N] [-- --threads 1,2 (default)] [-- --quick (loops of 30 ms: checks the bench runs)]
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartMs, coldStartSides } from './util/coldstart.js';
import { argValue, interleave, relaxedFlags } from './util/interleave.js';
import { type Spread, formatSpread, jsonSpread, spread } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const rounds = Math.max(5, Number(argValue(args, '--rounds', '5')));
const minMs = args.includes('--quick') ? '30' : '200';
const THREADS = argValue(args, '--threads', '1,2').split(',').map(Number);
if (!THREADS.every((t) => Number.isInteger(t) && t >= 1)) {
  console.error(`--threads takes thread counts ≥ 1 separated by commas, got ${argValue(args, '--threads', '')}`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const tfjsWasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
const script = (name: string) => fileURLToPath(new URL(`./gemm/${name}`, import.meta.url));
const flags = relaxedFlags();
const log = (line: string) => json || console.error(line);

interface Product { form: string; m: number; k: number; n: number; ms: number; scenario?: 'cached' | 'fresh' }
interface Run { self: Record<string, unknown>; results: Product[] }
interface Diff { results: (Omit<Product, 'ms'> & { max_abs_diff: number; max_abs: number })[] }

/** Our sides: each build on each thread count. */
const side = (build: string, threads: number) => (threads === THREADS[0] ? build : `${build}×${threads}`);
const runs = interleave<Run>([
  ...['simd', 'relaxed'].flatMap((build) => THREADS.map((t) => ({ name: side(build, t), args: [...(build === 'relaxed' ? flags : []), script('ours.mjs'), build, minMs, String(t)] }))),
  { name: 'tfjs', args: [script('tfjs.mjs'), minMs] },
], rounds, log);
const diffs = Object.fromEntries(['simd', 'relaxed'].map((b) => [b, interleave<Diff>([{ name: b, args: [...(b === 'relaxed' ? flags : []), script('diff.mjs'), b] }], 1).get(b)![0]]));

const self = Object.fromEntries([...runs].map(([side, rs]) => [side, rs[0].self]));
const tf = self.tfjs as { simd: boolean; multithread: boolean; threads: number; wasm: string[] };
const selfLine = `self-check: tfjs SIMD ${tf.simd}, multithread ${tf.multithread}, threads ${tf.threads}, loaded ${tf.wasm.join(', ')}; ours ${[...runs.keys()].filter((k) => k !== 'tfjs').map((k) => {
  const s = self[k] as { backend: string; wasm: string[]; threads: number };
  return `${s.backend} on ${s.threads} thread(s) loaded ${s.wasm.join(', ')}`;
}).join('; ')}`;

/** GFLOP/s per round of one product on one side (and scenario). */
const rates = (side: string, p: Omit<Product, 'ms'>, scenario?: string): number[] =>
  runs.get(side)!.map((run) => {
    const r = run.results.find((x) => x.form === p.form && x.m === p.m && x.k === p.k && x.n === p.n && (scenario === undefined || x.scenario === scenario))!;
    return (2 * p.m * p.n * p.k) / 1e9 / (r.ms / 1000);
  });
const ratios = (a: number[], b: number[]) => spread(a.map((x, i) => x / b[i]));

if (json) console.log(JSON.stringify({ op: 'self-check', ...self }));
else console.log(`${selfLine}\n`);
const rows: string[][] = [];
for (const p of runs.get('simd')![0].results) {
  const tfjs = rates('tfjs', p, 'cached');
  const fresh = p.form === 'NN' ? rates('tfjs', p, 'fresh') : null;
  for (const build of ['simd', 'relaxed']) {
    const d = diffs[build].results.find((x) => x.form === p.form && x.m === p.m && x.k === p.k && x.n === p.n)!;
    const first = rates(build, p);
    for (const threads of THREADS) {
      const ours = rates(side(build, threads), p);
      const [o, t, r] = [spread(ours), spread(tfjs), ratios(ours, tfjs)];
      const [f, rf] = fresh ? [spread(fresh), ratios(ours, fresh)] : [null, null];
      const up = threads === THREADS[0] ? null : ratios(ours, first);
      if (json) {
        console.log(JSON.stringify({
          op: 'gemm', form: p.form, m: p.m, k: p.k, n: p.n, build, threads, rounds, gflops: jsonSpread(o), ...(up ? { speedup: jsonSpread(up) } : {}),
          tfjs_gflops: jsonSpread(t), ratio: jsonSpread(r), ...(f && rf ? { tfjs_fresh_gflops: jsonSpread(f), ratio_fresh: jsonSpread(rf) } : {}), max_abs_diff: d.max_abs_diff, max_abs: d.max_abs,
        }));
      } else {
        const cell = (s: Spread | null, digits = 1, unit = '') => (s ? formatSpread(s, digits, unit) : '—');
        rows.push([p.form, `${p.m}×${p.k}×${p.n}`, build, String(threads), cell(o), cell(up, 2, '×'), cell(t), cell(r, 2, '×'), cell(f), cell(rf, 2, '×'), `${d.max_abs_diff.toExponential(1)} of ${d.max_abs.toFixed(0)}`]);
      }
    }
  }
}
if (!json) {
  console.log(`GEMM, GFLOP/s, ours on ${THREADS.join(' / ')} threads, tfjs on one: median (first–third quartile) over ${rounds} interleaved fresh processes,`);
  console.log(`each the median of 3 loops of ≥ ${minMs} ms; ratios within each round ('vs 1st count': the same build on ${THREADS[0]} thread(s)).`);
  console.log(`tfjs cached: B reused (XNNPACK keeps it packed); fresh: a new B tensor per call (NN only). max |Δ|: ours − tfjs, of max |C|.`);
  console.log(`${formatTable(['form', 'm×k×n', 'build', 'threads', 'ours', 'vs 1st count', 'tfjs cached', 'ratio', 'tfjs fresh', 'ratio (fresh)', 'max |Δ| vs tfjs'], rows)}\n`);
}

const cold = coldStartMs(coldStartSides(tfjsWasmDir, flags), rounds);
if (json) {
  console.log(JSON.stringify({ op: 'coldstart', unit: 'ms', rounds, ...Object.fromEntries([...cold].map(([name, s]) => [name, jsonSpread(s, 1)])) }));
} else {
  console.log(`Cold start, ms (fresh process: import + ready; median (quartiles) of ${rounds}, interleaved)\n${formatTable(['', 'ms'], [...cold].map(([name, s]) => [name, formatSpread(s)]))}`);
}
