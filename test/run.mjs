// `npm test` after the build: the unit tests (test/*.test.ts, one node process), then the
// browser tests (Chromium), then the edge-runtime tests, each with uvu under tsx. Output is
// streamed; the counts are summed and the last line is `N passed, N failed`. A part that
// crashes or times out before uvu's summary counts as one failure.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');

const parts = [
  // Top-level files only: the subfolders are parts of their own.
  { name: 'unit', dir: 'test', pattern: '^[^/\\\\]+\\.test\\.ts$', minutes: 6 },
  { name: 'browser', dir: 'test/browser', pattern: '\\.test\\.ts$', minutes: 2 },
  { name: 'edge', dir: 'test/edge', pattern: '\\.test\\.ts$', minutes: 1 },
  { name: 'bundlers', dir: 'test/bundlers', pattern: '\\.test\\.ts$', minutes: 3 },
];

/** Runs one part, echoing its output; resolves to its counts. */
function runPart({ name, dir, pattern, minutes }) {
  return new Promise((resolve) => {
    console.log(`\n== ${name}: uvu ${dir} ${pattern}`);
    const child = spawn(process.execPath, ['--import', 'tsx', uvu, dir, pattern], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const echo = (stream) => (chunk) => {
      out += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, minutes * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = out.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (label) => Number(text.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1]);
      const total = count('Total'), passed = count('Passed'), skipped = count('Skipped') || 0;
      if (timedOut || !Number.isInteger(total) || !Number.isInteger(passed) || total === 0) {
        const why = timedOut ? `timed out after ${minutes} min` : total === 0 ? 'ran no test' : `ended (${signal ?? `exit ${code}`}) before uvu's summary`;
        console.log(`== ${name}: ${why}; counted as 1 failed`);
        resolve({ passed: Number.isInteger(passed) ? passed : 0, failed: 1, skipped });
        return;
      }
      // uvu exits non-zero on failure; a non-zero exit with all passed is still a failure.
      const failed = Math.max(total - passed, code === 0 ? 0 : 1);
      console.log(`== ${name}: ${passed} passed, ${failed} failed`);
      resolve({ passed, failed, skipped });
    });
  });
}

const sum = { passed: 0, failed: 0, skipped: 0 };
for (const part of parts) {
  const r = await runPart(part);
  for (const key of Object.keys(sum)) sum[key] += r[key];
}
console.log(`\n${sum.passed} passed, ${sum.failed} failed${sum.skipped ? `, ${sum.skipped} skipped` : ''}`);
process.exitCode = sum.failed ? 1 : 0;
