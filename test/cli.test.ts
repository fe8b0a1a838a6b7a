// The command line on the user's own data, driven as a subprocess (dist/cli.js, as `npx
// sparse-experts` runs it) on small CSV and IDX files written here: train → inspect →
// predict → evaluate, --json, progress on a pipe, and one clear line + non-zero exit for bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeIdx } from '../src/data/idx.js';
import { Progress } from '../src/cli/progress.js';
import { rng } from './util/prng.js';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sparse-experts-cli-'));
const at = (name: string) => join(dir, name);
const SPECIES = ['setosa', 'versicolor', 'virginica'];

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(...args: string[]): Record<string, any> {
  const r = run(...args, '--json');
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Three well-separated classes with text labels; the label is not the last column.
const r = rng(5);
const blob = (n: number, order: (cols: string[]) => string[]) => {
  const lines = [order(['a', 'b', 'species', 'c']).join(',')];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    lines.push(order([(2 * k + r.uniform(-0.6, 0.6)).toFixed(3), (-k + r.uniform(-0.6, 0.6)).toFixed(3), SPECIES[k], (k + r.uniform(-0.6, 0.6)).toFixed(3)]).join(','));
  }
  return `${lines.join('\n')}\n`;
};
writeFileSync(at('train.csv'), blob(240, (c) => c));
// The same kind of rows with the columns in another order: read by name.
writeFileSync(at('test.csv'), blob(60, ([a, b, s, c]) => [c, s, a, b]));
writeFileSync(at('unlabelled.csv'), blob(9, ([a, b, , c]) => [a, b, c]));
{
  const lines = ['x1,x2,y'];
  for (let i = 0; i < 150; i++) {
    const [x1, x2] = [r.uniform(), r.uniform()];
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${(3 * x1 - 2 * x2 + 0.01 * r.uniform()).toFixed(4)}`);
  }
  writeFileSync(at('reg.csv'), `${lines.join('\n')}\n`);
}

test('train on a CSV → a model file; inspect says what it holds', () => {
  const t = json('train', '--data', 'train.csv', '--label', 'species', '--experts', '3', '--out', 'iris.spxm', '--workers', '1');
  assert.equal([t.rows, t.cols, t.classes, t.task, t.experts, t.partition, t.combine], [240, 3, 3, 'classification', 3, 'stratified', 'convex']);
  assert.ok(t.train_accuracy > 0.9, `train accuracy ${t.train_accuracy}`);
  const i = json('inspect', 'iris.spxm');
  assert.is(i.bytes, statSync(at('iris.spxm')).size);
  assert.equal(i.classes, SPECIES);
  assert.equal([i.features, i.label, i.partition, i.combiner, i.experts.length], [3, 'species', 'stratified', 'convex', 3]);
  assert.ok(i.experts.every((e: { kind: string; parameters: number }) => e.kind === 'mlp' && e.parameters > 0));
});

test('evaluate a CSV with its columns in another order: accuracy, macro-F1, per-class table, confusion matrix', () => {
  const e = json('evaluate', '--model', 'iris.spxm', '--data', 'test.csv');
  assert.ok(e.accuracy > 0.9, `accuracy ${e.accuracy}`);
  assert.ok(e.macro_f1 > 0.9, `macro-F1 ${e.macro_f1}`);
  assert.equal(e.per_class.map((c: { name: string }) => c.name), SPECIES);
  assert.is(e.confusion.flat().reduce((s: number, v: number) => s + v, 0), 60);
  const text = run('evaluate', '--model', 'iris.spxm', '--data', 'test.csv');
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /accuracy [01]\.\d{4}, macro-F1 [01]\.\d{4}/);
  assert.match(text.stdout, /versicolor/);
  assert.match(text.stdout, /confusion matrix/);
});

test('predict a CSV without the label column → a CSV of labels and class probabilities', () => {
  const p = run('predict', '--model', 'iris.spxm', '--data', 'unlabelled.csv', '--out', 'preds.csv');
  assert.is(p.code, 0, p.stderr);
  const lines = readFileSync(at('preds.csv'), 'utf8').trim().split('\n');
  assert.is(lines[0], 'prediction,p_setosa,p_versicolor,p_virginica');
  assert.is(lines.length, 10);
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.equal(rows.map((f) => f[0]), Array.from({ length: 9 }, (_, i) => SPECIES[i % 3]), 'well-separated rows predicted right');
  for (const f of rows) assert.ok(Math.abs(f.slice(1).map(Number).reduce((s, v) => s + v, 0) - 1) < 1e-4, 'probabilities sum to 1');
  const j = json('predict', '--model', 'iris.spxm', '--data', 'unlabelled.csv');
  assert.equal(j.predictions, rows.map((f) => f[0]));
});

test('regression on a CSV: train, then evaluate gives R², MSE and MAE', () => {
  const t = json('train', '--data', 'reg.csv', '--task', 'regression', '--out', 'reg.spxm', '--workers', '0');
  assert.equal([t.task, t.partition, t.classes], ['regression', 'shuffled', null]);
  const e = json('evaluate', '--model', 'reg.spxm', '--data', 'reg.csv');
  assert.ok(e.r2 > 0.99, `R² ${e.r2}`);
  assert.ok(e.mse >= 0 && e.mae >= 0);
});

test('IDX images (gzipped) and labels: train and evaluate', () => {
  const rows = 120, cols = 16, images = new Uint8Array(rows * cols), labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    labels[i] = i % 2;
    for (let c = 0; c < cols; c++) images[i * cols + c] = (c < 8) === (i % 2 === 0) ? 200 + r.int(0, 50) : r.int(0, 50);
  }
  writeFileSync(at('images.idx.gz'), gzipSync(writeIdx({ dtype: 'u8', dims: [rows, 4, 4], data: images })));
  writeFileSync(at('labels.idx'), writeIdx({ dtype: 'u8', dims: [rows], data: labels }));
  const t = json('train', '--data', 'images.idx.gz', '--labels', 'labels.idx', '--out', 'idx.spxm', '--experts', '2', '--workers', '0');
  assert.equal([t.rows, t.cols, t.classes], [rows, cols, 2]);
  const e = json('evaluate', '--model', 'idx.spxm', '--data', 'images.idx.gz', '--labels', 'labels.idx');
  assert.ok(e.accuracy > 0.95, `accuracy ${e.accuracy}`);
});

test('progress on a pipe: plain lines per expert, no terminal escapes; on a terminal: bars redrawn in place', () => {
  const t = run('train', '--data', 'train.csv', '--label', 'species', '--out', 'again.spxm', '--workers', '0', '--epochs', '4');
  assert.is(t.code, 0, t.stderr);
  assert.match(t.stderr, /train expert 1 \[#+\.*\] 100%/);
  assert.not.match(t.stderr, /\x1b\[/);
  let written = '';
  const tty = { isTTY: true, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
  const bar = new Progress('train', tty);
  bar.update(0, 0.5);
  bar.update(0, 1);
  bar.done();
  assert.match(written, /\x1b\[1A/, 'redraws in place');
  assert.match(written, /train expert 1 \[#{24}\] 100%/);
});

const bad: Array<[what: string, args: string[], message: RegExp]> = [
  ['a missing data file', ['train', '--data', 'nope.csv', '--out', 'x.spxm'], /ERR_BAD_FILE: cannot read nope\.csv: no such file/],
  ['an unknown label column', ['train', '--data', 'train.csv', '--label', 'kind', '--out', 'x.spxm'], /no column named "kind"/],
  ['an unknown flag', ['train', '--data', 'train.csv', '--bogus', '1'], /Unknown option '--bogus'/],
  ['a bad number', ['train', '--data', 'train.csv', '--experts', 'two', '--out', 'x.spxm'], /--experts must be an integer/],
  ['no --out', ['train', '--data', 'train.csv'], /train needs --out/],
  ['a CSV given as the model', ['evaluate', '--model', 'train.csv', '--data', 'test.csv'], /train\.csv: not a sparse-experts file/],
  ['data missing a feature column', ['predict', '--model', 'iris.spxm', '--data', 'reg.csv'], /has no column "a"/],
  ['a text value in a number column', ['train', '--data', 'bad.csv', '--out', 'x.spxm'], /bad\.csv: line 3, column b: "high" is not a number/],
  ['an unknown command', ['fly'], /unknown command 'fly'/],
];
writeFileSync(at('bad.csv'), 'a,b,y\n1,2,x\n3,high,y\n');
for (const [what, args, message] of bad) {
  test(`${what} → one line on stderr and a non-zero exit`, () => {
    const r = run(...args);
    assert.ok(r.code !== 0 && r.code !== null, `exit ${r.code}`);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0], /^error/);
    assert.match(lines[0], message);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
