// Latency of the public predict on 1 and on 32 real MNIST rows: the seed's model shapes
// (Dense(512) MLP experts) as one expert, five dense experts (convex combiner), five
// pruned to 90 % and run through CSR weights, and five behind k-means hard routing (one
// expert per row); and tfjs-wasm's model.predict of one such MLP (one thread), as a caller
// would use it (tensor in, class ids read back). Each variant runs in fresh processes,
// interleaved over ≥ 5 rounds; each process reports the median of CALLS timed calls after
// 50 warm-up calls; the table has the median and quartiles of those over the rounds.
//   npm run bench:latency [-- --json] [-- --rounds N] [-- --quick]
import { fileURLToPath } from 'node:url';
import { argValue, interleave } from './util/interleave.js';
import { formatSpread, jsonSpread, spread } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const rounds = Math.max(5, Number(argValue(args, '--rounds', '5')));
const calls = args.includes('--quick') ? '50' : '300';
const side = fileURLToPath(new URL('./latency/side.mjs', import.meta.url));

interface Call { median_ms: number; p90_ms: number }
interface Run { self: Record<string, unknown>; rows1: Call; rows32: Call }

const variants: [name: string, what: string][] = [
  ['single', '1 dense expert'],
  ['dense', '5 dense experts, convex'],
  ['csr', '5 experts pruned 90 %, CSR, convex'],
  ['routed', '5 dense experts, k-means hard routing'],
  ['tfjs', 'tfjs-wasm, 1 dense MLP'],
];
const runs = interleave<Run>(variants.map(([name]) => ({ name, args: [side, name, calls] })), rounds, (l) => json || console.error(l));
const self = runs.get('tfjs')![0].self as { simd: boolean; threads: number; wasm: string[] };
const ours = runs.get('single')![0].self as { backend: string; wasm: string[] };
const selfLine = `self-check: tfjs SIMD ${self.simd}, threads ${self.threads}, loaded ${self.wasm.join(', ')}; ours ${ours.backend} loaded ${ours.wasm.join(', ')}`;

const ms = (name: string, key: 'rows1' | 'rows32') => spread(runs.get(name)!.map((r) => r[key].median_ms));
if (json) {
  console.log(JSON.stringify({ op: 'self-check', ...Object.fromEntries([...runs].map(([n, r]) => [n, r[0].self])) }));
  for (const [name, what] of variants) {
    console.log(JSON.stringify({ op: 'latency', variant: name, what, rounds, calls: Number(calls), rows1_ms: jsonSpread(ms(name, 'rows1'), 3), rows32_ms: jsonSpread(ms(name, 'rows32'), 3) }));
  }
} else {
  console.log(`${selfLine}\n`);
  console.log(`predict latency, ms (one thread, kernels ${ours.backend}): median (first–third quartile) over ${rounds} interleaved fresh processes,`);
  console.log(`each the median of ${calls} calls; rows per second at 32 rows from the median.`);
  console.log(formatTable(['model', '1 row', '32 rows', '32 rows: rows/s'], variants.map(([name, what]) => {
    const [one, many] = [ms(name, 'rows1'), ms(name, 'rows32')];
    return [what, formatSpread(one, 3), formatSpread(many, 3), Math.round(32 / (many.median / 1000)).toString()];
  })));
}
