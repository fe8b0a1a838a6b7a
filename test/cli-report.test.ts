// dist/cli.js as a user runs it, in a subprocess: --help, the report with tiny settings, and
// a bad flag (non-zero exit, one line saying what is wrong).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

test('--help prints the usage and exits 0', async () => {
  const { code, stdout, stderr } = await run(['--help']);
  assert.is(code, 0, stderr);
  assert.match(stdout, /^sparse-experts — /);
  for (const word of ['usage: sparse-experts [report]', 'sparse-experts train', '--experts N', '--json']) assert.match(stdout, word);
});

test('the report with tiny settings: JSON with the single model and ensembles of 2 experts that learned', async () => {
  const { code, stdout, stderr } = await run(['report', '--train', '1000', '--test', '300', '--epochs', '3', '--experts', '2', '--hidden', '32', '--workers', '1', '--json']);
  assert.is(code, 0, stderr);
  const report = JSON.parse(stdout) as {
    single: { accuracy: number; parameters: number };
    ensembles: { accuracy: number; sparsity: number; experts: { rows: number; parameters: number; non_zero: number }[] }[];
  };
  // 784·32 + 32 + 32·10 + 10 weights; chance is 0.1 on ten digits.
  assert.is(report.single.parameters, 25450);
  assert.ok(report.single.accuracy > 0.5, `single model accuracy ${report.single.accuracy}`);
  assert.ok(report.ensembles.length > 0);
  for (const e of report.ensembles) {
    assert.is(e.experts.length, 2);
    assert.ok(e.accuracy > 0.3, `ensemble accuracy ${e.accuracy}`);
    // Pruning reaches the 784·32 hidden weights; the output layer (32·10) stays dense by default, biases (42) are never pruned.
    for (const x of e.experts) assert.ok(x.non_zero <= Math.round((1 - e.sparsity) * 784 * 32) + 320 + 42, `${x.non_zero} of ${x.parameters} non-zero at sparsity ${e.sparsity}`);
  }
  assert.ok(report.ensembles.some((e) => e.sparsity === 0.9), 'the report prunes to 90 %');
});

test('a bad flag exits non-zero with one line naming it', async () => {
  const { code, stdout, stderr } = await run(['--bogus']);
  assert.is(code, 1);
  assert.is(stdout, '');
  const lines = stderr.trim().split('\n');
  assert.is(lines.length, 1, stderr);
  assert.match(lines[0], /^error ERR_PARSE_ARGS_UNKNOWN_OPTION: Unknown option '--bogus'/);
});

test.run();
