// What the machine gives T threads of work, measured without our threads: T one-thread
// processes of ours.mjs started at once, their samples/s summed. On a shared virtual machine
// the cores behind the vCPUs are not always each a core of their own; against one process
// alone in the same round, this is the most a T-thread speedup could be then.
//   node bench/train/side-by-side.mjs T <node arguments of one process…>
import { spawn } from 'node:child_process';

const [count, ...args] = [Number(process.argv[2]), ...process.argv.slice(3)];
const runOne = () => new Promise((resolve, reject) => {
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => void (out += d));
  p.on('error', reject);
  p.on('close', (code) => {
    const last = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('{')) reject(new Error(`a side-by-side process failed (exit ${code}): ${out}`));
    else resolve(JSON.parse(last));
  });
});
const runs = await Promise.all(Array.from({ length: count }, runOne));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(JSON.stringify({
  side: `${count} one-thread processes at once`, self: runs[0].self, rows: runs[0].rows, curve: [], weights: null,
  rates: [runs.reduce((sum, r) => sum + mean(r.rates), 0)], rss_mb: Math.max(...runs.map((r) => r.rss_mb)),
}));
