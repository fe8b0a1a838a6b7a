// Cold start: a fresh node process runs `script` (an ES module body that prints the ms from
// before its first import to ready); the median over several processes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function coldStartMs(script: string, { runs = 5, nodeFlags = [] as string[] } = {}): number {
  const times = Array.from({ length: runs }, () => {
    const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    const ms = Number(r.stdout.trim().split('\n').pop());
    if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`cold-start child failed (exit ${r.status}): ${r.stderr || r.stdout}`);
    return ms;
  });
  return median(times);
}
