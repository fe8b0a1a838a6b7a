// The pool must never keep Node alive: each scenario runs as its own process and must exit by itself.
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const fixture = fileURLToPath(new URL('./fixtures/parallel/lifetime.ts', import.meta.url));

function runFixture(mode: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // A process kept alive by a handle would be killed by the timeout (code null).
    execFile(process.execPath, ['--import', 'tsx', fixture, mode], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

for (const mode of ['close', 'idle', 'edge']) {
  test(`the process exits by itself: ${mode}`, async () => {
    const { code, stdout, stderr, ms } = await runFixture(mode);
    assert.is(code, 0, `exit code ${code} after ${ms} ms\n${stderr}`);
    assert.is(stdout.trim(), `ok ${mode}`);
  });
}

// Node 20 keeps relaxed SIMD behind a V8 flag, which a worker inherits but may not be given.
const [v8major, v8minor] = process.versions.v8.split('.').map(Number);
const flagSets = [[], ...(v8major * 100 + v8minor < 1104 ? [['--experimental-wasm-relaxed-simd']] : [])];
for (const flags of flagSets) {
  test(`a script given as --input-type=module -e ${flags.join(' ')} starts kernel threads and pool workers`, () => {
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const script = `import { init, loadMnist, SparseExpertModel } from '${dist}';
      const b = await init({ threads: 2 });
      const { train } = loadMnist({ train: 200, test: 10, seed: 1 });
      const m = new SparseExpertModel({ experts: 2, expert: { kind: 'softmax' }, combine: 'fixed', workers: 2, seed: 1 });
      const r = await m.fit(train);
      console.log('threads ' + b.threads + ' workers ' + r.workers);`;
    const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.match(out, /threads 2 workers 2/, out);
  });
}

test.run();
