// `npm test` after the build: the unit tests (test/*.test.ts, one node process, plain SIMD
// kernels), the tests that take their backend from test/util/backends.ts again on the relaxed
// (FMA) build, then the browser tests (Chromium) and the edge-runtime tests, each with uvu
// under tsx. Output is streamed; the counts are summed and the last line is
// `N passed, N failed`. A `.skip`/`.only` left in a test file fails the run.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');

/** Every test file under test/, relative to the root. */
const testFiles = readdirSync(join(root, 'test'), { recursive: true })
  .map((f) => join('test', String(f)))
  .filter((f) => f.endsWith('.test.ts'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The top-level files whose backend follows KERNEL_BUILD: kernels, models, sparse paths. */
const buildDependent = testFiles.filter((f) => dirname(f) === 'test' && /from '\.\/util\/backends\.js'/.test(readFileSync(join(root, f), 'utf8')));
// Node 20 keeps relaxed SIMD behind a flag (V8 ships it from 11.4 on).
const [v8major, v8minor] = process.versions.v8.split('.').map(Number);
const relaxedFlags = v8major * 100 + v8minor < 1104 ? ['--experimental-wasm-relaxed-simd'] : [];

const parts = [
  // Top-level files only: the subfolders are parts of their own.
  { name: 'unit', dir: 'test', pattern: '^[^/\\\\]+\\.test\\.ts$', minutes: 6 },
  {
    name: 'relaxed build',
    dir: 'test',
    pattern: `^(${buildDependent.map((f) => escape(relative('test', f))).join('|')})$`,
    env: { KERNEL_BUILD: 'relaxed' },
    flags: relaxedFlags,
    minutes: 3,
  },
  { name: 'browser', dir: 'test/browser', pattern: '\\.test\\.ts$', minutes: 3 },
  { name: 'edge', dir: 'test/edge', pattern: '\\.test\\.ts$', minutes: 1 },
  { name: 'bundlers', dir: 'test/bundlers', pattern: '\\.test\\.ts$', minutes: 3 },
  { name: 'runtimes', dir: 'test/runtimes', pattern: '\\.test\\.ts$', minutes: 3 },
];

/** skip / only calls (`test.skip`, `suite.only`) at the start of a line: each leaves tests out of the count. */
function focusedOrSkipped() {
  const found = [];
  for (const file of testFiles) {
    readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*[\w$]+\.(skip|only)\s*\(/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

/** Kills the process group led by `pid` (the part and anything it started, e.g. Chromium). */
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The counts in uvu's output. With its summary: the last Total/Passed/Skipped block, and only
 * if it follows every per-suite `(passed / total)` line (output printed by a test cannot fake
 * it). Without (a crash): the counts printed so far, and the test that was running failed.
 */
function counts(text) {
  const suites = [...text.matchAll(/\((\d+) \/ (\d+)\)\s*$/gm)];
  const blocks = [...text.matchAll(/^\s*Total:\s+(\d+)\n\s*Passed:\s+(\d+)\n\s*Skipped:\s+(\d+)\n\s*Duration:/gm)];
  const summary = blocks[blocks.length - 1];
  const lastSuite = suites[suites.length - 1];
  if (summary && (!lastSuite || summary.index > lastSuite.index)) {
    return { total: Number(summary[1]), passed: Number(summary[2]), skipped: Number(summary[3]), summary: true };
  }
  let passed = 0, total = 1;
  for (const [, p, t] of suites) {
    passed += Number(p);
    total += Number(t);
  }
  // The unfinished suite's marks so far: • passed, ✘ failed.
  const tail = lastSuite ? text.slice(lastSuite.index + lastSuite[0].length) : text;
  const marks = (mark) => tail.split(mark).length - 1;
  passed += marks('• ');
  total += marks('• ') + marks('✘ ');
  return { total, passed, skipped: 0, summary: false };
}

/** Runs one part, echoing its output; resolves to its counts. */
function runPart({ name, dir, pattern, minutes, env = {}, flags = [] }) {
  return new Promise((resolve) => {
    console.log(`\n== ${name}: uvu ${dir} ${pattern}`);
    // Its own process group, so a timeout kills whatever the part started too.
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', uvu, dir, pattern], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running = child;
    // Only stdout is parsed: uvu writes its counts there, and stderr could interleave.
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, minutes * 60_000);
    // Leftovers (a browser whose driver crashed) would hold the pipes open: end them on exit.
    child.on('exit', () => killGroup(child.pid));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      const { total, passed, skipped, summary } = counts(out.replace(/\x1b\[[0-9;]*m/g, ''));
      let failed = total - passed;
      if (timedOut || !summary || total === 0) {
        const why = timedOut ? `timed out after ${minutes} min` : total === 0 ? 'ran no test' : `ended (${signal ?? `exit ${code}`}) before uvu's summary`;
        failed = Math.max(failed, 1);
        console.log(`== ${name}: ${why}; ${passed} passed before that, ${failed} failed`);
      } else {
        // uvu exits non-zero on failure; a non-zero exit with all passed is still a failure.
        if (code !== 0) failed = Math.max(failed, 1);
        console.log(`== ${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
      }
      resolve({ passed, failed, skipped });
    });
  });
}

let running;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (running) killGroup(running.pid);
    process.exit(130);
  });
}

const sum = { passed: 0, failed: 0, skipped: 0 };
const focused = focusedOrSkipped();
if (focused.length) {
  console.log(`== .skip/.only would leave tests out; remove them (each counted as 1 failed):\n${focused.join('\n')}`);
  sum.failed += focused.length;
}
for (const part of parts) {
  const r = await runPart(part);
  for (const key of Object.keys(sum)) sum[key] += r[key];
}
// A skip that the scan above missed still fails the run: every test must run.
if (sum.skipped && !focused.length) sum.failed++;
console.log(`\n${sum.passed} passed, ${sum.failed} failed${sum.skipped ? `, ${sum.skipped} skipped` : ''}`);
process.exitCode = sum.failed ? 1 : 0;
