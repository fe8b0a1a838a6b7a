// dist/cli.js as a user runs it, in a subprocess: --help, the report with tiny settings (JSON
// and text), and a bad flag (non-zero exit, one line saying what is wrong).
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

const TINY = ['report', '--train', '1000', '--test', '300', '--epochs', '3', '--experts', '2', '--hidden', '32', '--workers', '1'];

interface Scored {
  accuracy: number;
  parameters: number;
  flops_per_sample: number;
}

test('the report with tiny settings: JSON with the single model, its pruned twin, ensembles of 2 experts and mixtures that learned', async () => {
  const { code, stdout, stderr } = await run([...TINY, '--json']);
  assert.is(code, 0, stderr);
  const report = JSON.parse(stdout) as {
    single: Scored;
    single_pruned: Scored & { sparsity: number; non_zero: number; fine_tune_epochs: number };
    ensembles: { accuracy: number; sparsity: number; experts: { rows: number; parameters: number; non_zero: number }[] }[];
    moe: (Scored & { experts: number; k: number; init: string; load_min: number; load_max: number; train_s: number })[];
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
  // The single model pruned as the experts are: 10 % of the hidden weights, the output layer and biases kept, 2 × 3 fine-tune epochs.
  const p = report.single_pruned;
  assert.is(p.sparsity, 0.9);
  assert.is(p.fine_tune_epochs, 6);
  assert.is(p.non_zero, Math.round(0.1 * 784 * 32) + 320 + 42);
  assert.ok(p.flops_per_sample < 0.2 * report.single.flops_per_sample, `${p.flops_per_sample} FLOPs pruned, ${report.single.flops_per_sample} dense`);
  assert.ok(p.accuracy > 0.5, `pruned single accuracy ${p.accuracy}`);
  // E = 5 and 8 at k = 1 and 2 from a random start, then the partition-initialised 8; each of 784 → 32 → 10 experts.
  assert.equal(report.moe.map((m) => `${m.experts}/${m.k}/${m.init}`), ['5/1/random', '5/2/random', '8/1/random', '8/2/random', '8/1/partition']);
  for (const m of report.moe) {
    assert.ok(m.accuracy > 0.3, `moe ${m.experts}/${m.k}/${m.init} accuracy ${m.accuracy}`);
    assert.ok(m.parameters >= m.experts * 25450, `${m.parameters} parameters for ${m.experts} experts`);
    assert.ok(m.load_min >= 0 && m.load_min <= 1 && m.load_max >= 1, `load ${m.load_min}–${m.load_max}`);
    assert.ok(m.train_s > 0);
  }
  // Top-2 runs two experts per row: more FLOPs than top-1 with the same experts.
  assert.ok(report.moe[1].flops_per_sample > report.moe[0].flops_per_sample && report.moe[3].flops_per_sample > report.moe[2].flops_per_sample);
});

test('the text report puts the pruned single model above the pruned ensembles and lists the mixtures', async () => {
  const { code, stdout, stderr } = await run(TINY);
  assert.is(code, 0, stderr);
  const lines = stdout.split('\n');
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const pruned = at(/^single dense model\s+pruned, 6 fine-tune epochs\s+0\.90/), firstPrunedEnsemble = at(/^(contiguous|kmeans)\S*.*\s0\.90\s/);
  assert.ok(pruned > 0 && firstPrunedEnsemble > pruned, stdout);
  for (const row of [/^MoE, 5 experts\s+top-1 router, trained jointly/, /^MoE, 8 experts\s+top-2 router/, /^k-means → MoE, 8 experts\s+top-1 router, fine-tuned jointly/]) assert.ok(at(row) > firstPrunedEnsemble, `${row} in\n${stdout}`);
  assert.ok(at(/^k-means → MoE, 8 experts, top-1 router, fine-tuned jointly: load \d\.\d\d–\d\.\d\d$/) > 0, stdout);
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
