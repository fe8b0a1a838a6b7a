// `npm run bench`: every bench/*.ts in turn, each in its own process (relaxed SIMD enabled,
// as Node 20 keeps it behind a flag). Arguments such as --json are passed on.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
  const { status } = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', join(dir, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`bench/${file} failed (exit ${status})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
