// `count` node processes started at once with the same arguments, each printing one JSON line
// last: what a shared machine gives that many streams of work at the same time (the machine
// ceilings of bench:train and bench:threads).
import { spawn } from 'node:child_process';

/** The last JSON line of each of `count` `node …args` processes run at once (rejects if one fails). */
export function runAtOnce(args, count) {
  return Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => void (out += d));
    p.stderr.on('data', (d) => void (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`a process run at once failed (exit ${code}; node ${args.join(' ')}): ${err || out}`));
      else resolve(JSON.parse(last));
    });
  })));
}
