// The CLI on the user's own data: train → a .spxm file (with what it needs to read new data
// the same way), predict, evaluate, inspect. Text for people, one JSON object with --json.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fail } from '../errors.js';
import type { ExpertSpec } from '../experts/create.js';
import type { ExpertKind } from '../experts/registry.js';
import { loadModel, readModelMeta, saveModel } from '../io/model-file.js';
import { accuracy } from '../metrics/classification.js';
import { mae, mse, r2 } from '../metrics/regression.js';
import { classificationReport } from '../metrics/report.js';
import type { CombineKind, PartitionOptions } from '../model/options.js';
import { SparseExpertModel } from '../model/sparse-expert-model.js';
import type { PartitionKind } from '../partition/registry.js';
import { Progress } from './progress.js';
import { type DataMeta, type Task, about, readRows, readTrainingData } from './user-data.js';

export interface Flags {
  data?: string; labels?: string; label?: string; task?: string; partition?: string; experts?: string; expert?: string;
  hidden?: string; combine?: string; k?: string; sparsity?: string; epochs?: string; seed?: string; workers?: string;
  out?: string; model?: string; json?: boolean;
}

type Say = (line: string) => void;

/** A flag's number: an integer ≥ min (or any number in [0, 1) for a fraction), else one clear error. */
function num(flags: Flags, name: keyof Flags, fallback: number, kind: 'int' | 'fraction' = 'int', min = 1): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  const ok = kind === 'int' ? Number.isInteger(v) && v >= min : v >= 0 && v < 1;
  if (!ok) fail('ERR_BAD_ARGUMENT', `--${name} must be ${kind === 'int' ? `an integer ≥ ${min}` : 'a number in [0, 1)'}, got ${JSON.stringify(raw)}`);
  return v;
}

function need(flags: Flags, name: keyof Flags, command: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') fail('ERR_BAD_ARGUMENT', `${command} needs --${name} (see --help)`);
  return v;
}

function modelMeta(path: string, bytes: Uint8Array): DataMeta {
  const meta = about(path, () => readModelMeta(bytes)) as DataMeta | undefined;
  if (!meta?.input) fail('ERR_BAD_FILE', `${path} was not saved by \`sparse-experts train\`: it does not say how to read data (use the library's loadModel)`);
  return meta;
}

function readModelFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    return fail('ERR_BAD_FILE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, err);
  }
}

export async function train(flags: Flags, say: Say): Promise<Record<string, unknown>> {
  const data = need(flags, 'data', 'train');
  const out = need(flags, 'out', 'train');
  if (flags.task !== undefined && flags.task !== 'classification' && flags.task !== 'regression') {
    fail('ERR_BAD_ARGUMENT', `--task must be classification or regression, got ${JSON.stringify(flags.task)}`);
  }
  const task = (flags.task ?? 'classification') as Task;
  // Every flag is checked before the data is read.
  const epochs = num(flags, 'epochs', 30);
  const kind = (flags.expert ?? (task === 'regression' ? 'linear' : 'mlp')) as ExpertKind;
  // Small data: small batches and a livelier Adam than the MNIST defaults.
  const expert: ExpertSpec = { kind, hidden: (flags.hidden ?? '64').split(',').map(Number), optimizer: { kind: 'adam', lr: 0.01 }, fit: { epochs, batchSize: 32 } };
  const sparsity = flags.sparsity === undefined ? null : { method: 'magnitude' as const, sparsity: num(flags, 'sparsity', 0, 'fraction') };
  const options = {
    experts: num(flags, 'experts', 3), partition: { kind: (flags.partition ?? (task === 'classification' ? 'stratified' : 'shuffled')) as PartitionKind } as PartitionOptions,
    expert, sparsity, combine: { kind: (flags.combine ?? 'convex') as CombineKind, k: num(flags, 'k', 2) },
    workers: flags.workers === undefined ? ('auto' as const) : num(flags, 'workers', 0, 'int', 0), seed: num(flags, 'seed', 1, 'int', 0),
  };
  const { dataset, meta } = readTrainingData(data, { labels: flags.labels, label: flags.label, task });
  const what = meta.task === 'classification' ? `${dataset.classes} classes` : 'regression';
  say(`${basename(data)}: ${dataset.rows} rows × ${dataset.cols} features, ${what}${meta.label ? ` (label: ${meta.label})` : ''}`);
  const model = new SparseExpertModel(options);
  try {
    const bar = new Progress('train');
    const report = await model.fit(dataset, { onProgress: (p) => bar.update(p.expert, p.fraction) });
    bar.done();
    const predicted = await model.predict(dataset, dataset.rows);
    const score = meta.task === 'classification' ? { train_accuracy: accuracy(dataset.y, predicted) } : { train_r2: r2(dataset.y, predicted) };
    const bytes = saveModel(model, { meta: meta as unknown as Record<string, unknown> });
    writeFileSync(out, bytes);
    const o = model.options;
    say(`trained ${o.experts} ${kind} experts (${o.partition.kind} partition, ${o.combine.kind} combiner${sparsity ? `, ${sparsity.sparsity} sparse` : ''}) in ${report.seconds.toFixed(1)} s on ${report.workers} worker(s)`);
    say(Object.entries(score).map(([k, v]) => `${k.replace('_', ' ')} ${v.toFixed(4)}`).join(', '));
    say(`saved ${out} (${bytes.length} bytes)`);
    return { command: 'train', data, rows: dataset.rows, cols: dataset.cols, task: meta.task, classes: dataset.classes ?? null, experts: o.experts, partition: o.partition.kind, combine: o.combine.kind, seconds: report.seconds, ...score, out, bytes: bytes.length };
  } finally {
    model.dispose();
  }
}

async function loaded(flags: Flags, command: string): Promise<{ model: SparseExpertModel; meta: DataMeta; data: string }> {
  const path = need(flags, 'model', command);
  const data = need(flags, 'data', command);
  const bytes = readModelFile(path);
  const meta = modelMeta(path, bytes);
  return { model: await about(path, () => loadModel(bytes)), meta, data };
}

export async function predict(flags: Flags, say: Say): Promise<Record<string, unknown>> {
  const { model, meta, data } = await loaded(flags, 'predict');
  try {
    const { x, rows } = readRows(data, meta);
    const predicted = await model.predict(x, rows);
    const lines: string[] = [];
    if (meta.task === 'classification') {
      const proba = await model.predictProba(x, rows);
      const k = meta.classes!.length;
      lines.push(['prediction', ...meta.classes!.map((c) => `p_${c}`)].map(csvField).join(','));
      for (let r = 0; r < rows; r++) lines.push([csvField(meta.classes![predicted[r]]), ...Array.from(proba.subarray(r * k, r * k + k), (p) => p.toPrecision(6))].join(','));
    } else {
      lines.push('prediction', ...Array.from(predicted, (v) => String(v)));
    }
    const text = `${lines.join('\n')}\n`;
    if (flags.out) {
      writeFileSync(flags.out, text);
      say(`${rows} predictions written to ${flags.out}`);
    } else if (!flags.json) process.stdout.write(text);
    const predictions = meta.task === 'classification' ? Array.from(predicted, (c) => meta.classes![c]) : Array.from(predicted);
    return { command: 'predict', rows, ...(flags.out ? { out: flags.out } : { predictions }) };
  } finally {
    model.dispose();
  }
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function evaluate(flags: Flags, say: Say): Promise<Record<string, unknown>> {
  const { model, meta, data } = await loaded(flags, 'evaluate');
  try {
    const { x, rows, y } = readRows(data, meta, flags.labels);
    if (!y) fail('ERR_BAD_ARGUMENT', `${data} has no ${meta.input === 'idx' ? 'labels: give them with --labels labels.idx' : `label column ${JSON.stringify(meta.label)}`} to evaluate against`);
    const predicted = await model.predict(x, rows);
    if (meta.task === 'regression') {
      const scores = { r2: r2(y, predicted), mse: mse(y, predicted), mae: mae(y, predicted) };
      say(`${rows} rows: R² ${scores.r2.toFixed(4)}, MSE ${scores.mse.toPrecision(5)}, MAE ${scores.mae.toPrecision(5)}`);
      return { command: 'evaluate', rows, ...scores };
    }
    const report = classificationReport(y, predicted, meta.classes!.length, meta.classes);
    say(`${rows} rows: accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macro.f1.toFixed(4)}\n`);
    say(report.text);
    say(`\nconfusion matrix (rows: true class, columns: predicted)\n${confusionText(report.confusion, meta.classes!)}`);
    return { command: 'evaluate', rows, accuracy: report.accuracy, macro_f1: report.macro.f1, per_class: report.perClass, confusion: report.confusion, classes: meta.classes };
  } finally {
    model.dispose();
  }
}

function confusionText(m: number[][], names: readonly string[]): string {
  const w = Math.max(...names.map((n) => n.length), ...m.flat().map((v) => String(v).length));
  const row = (head: string, cells: string[]) => [head.padEnd(w), ...cells.map((c) => c.padStart(w))].join('  ');
  return [row('', [...names]), ...m.map((r, t) => row(names[t], r.map(String)))].join('\n');
}

export async function inspect(path: string | undefined, say: Say): Promise<Record<string, unknown>> {
  if (!path) fail('ERR_BAD_ARGUMENT', 'inspect needs a model file: sparse-experts inspect model.spxm');
  const bytes = readModelFile(path);
  const meta = about(path, () => readModelMeta(bytes)) as DataMeta | undefined;
  const model = await about(path, () => loadModel(bytes));
  try {
    const state = model.toState();
    const o = model.options;
    const experts = model.expertList().map((e, i) => {
      const s = e.toState();
      const weights = s.tensors.filter((t) => !t.name.endsWith('/mask'));
      const parameters = weights.reduce((n, t) => n + t.data.length, 0);
      const nonZero = weights.reduce((n, t) => n + Array.from(t.data).filter((v) => v !== 0).length, 0);
      return { index: i, kind: s.kind, parameters, non_zero: nonZero, sparsity: parameters ? 1 - nonZero / parameters : 0 };
    });
    const info = {
      command: 'inspect', file: path, bytes: statSync(path).size, task: state.task, features: meta?.cols ?? null, classes: meta?.classes ?? null,
      label: meta?.label ?? null, experts, partition: o.partition.kind, combiner: o.combine.kind, sparsity: o.sparsity,
    };
    say(`${path}: ${info.bytes} bytes, ${state.task}${meta ? `, ${meta.cols} features${meta.label ? ` (label: ${meta.label})` : ''}` : ''}`);
    if (meta?.classes) say(`classes: ${meta.classes.join(', ')}`);
    say(`partition: ${o.partition.kind}; combiner: ${o.combine.kind}; sparsity: ${o.sparsity ? `${o.sparsity.method} ${o.sparsity.sparsity}` : 'none'}`);
    for (const e of experts) say(`  expert ${e.index + 1}: ${e.kind}, ${e.parameters} parameters, ${e.non_zero} non-zero (${(100 * e.sparsity).toFixed(1)} % sparse)`);
    return info;
  } finally {
    model.dispose();
  }
}
