// The pool must never keep Node alive: each scenario runs as its own process and must exit by itself.
import { execFile } from 'node:child_process';
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

test.run();
