// What the machine gives T threads of work, measured without our threads: T one-thread
// processes of ours.mjs started at once, their samples/s summed. On a shared virtual machine
// the cores behind the vCPUs are not always each a core of their own; against one process
// alone in the same round, this is the most a T-thread speedup could be then.
//   node bench/train/side-by-side.mjs T <node arguments of one process…>
import { runAtOnce } from '../util/at-once.mjs';

const [count, ...args] = [Number(process.argv[2]), ...process.argv.slice(3)];
const runs = await runAtOnce(args, count);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(JSON.stringify({
  side: `${count} one-thread processes at once`, self: runs[0].self, rows: runs[0].rows, curve: [], weights: null,
  rates: [runs.reduce((sum, r) => sum + mean(r.rates), 0)], rss_mb: Math.max(...runs.map((r) => r.rss_mb)),
}));
