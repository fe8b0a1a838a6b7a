// Public entries fuzzed with fast-check (seed printed; rerun with SEED=…): datasets, CSV and
// IDX parsers, loadModel on truncated and garbled bytes, scalers, penalties, linear experts,
// combiners, model options and fits, partitions, splits and hashing. Each call returns a valid result or throws
// SparseExpertsError with a known code — never another exception, a NaN model, or leaked
// wasm memory (buffer count equal before and after).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SparseExpertsError } from '../src/errors.js';
import type { Combiner } from '../src/combine/combiner.js';
import { LearnedWeights } from '../src/combine/convex.js';
import { Stacking } from '../src/combine/stacking.js';
import { parseCsv } from '../src/data/csv.js';
import { fromArrays, validate } from '../src/data/dataset.js';
import { hashingVectorize } from '../src/data/hashing.js';
import { parseIdx } from '../src/data/idx.js';
import { kFold, trainTestSplit } from '../src/data/split.js';
import { type ScaleKind, createScaler } from '../src/data/scale.js';
import { LinearRegression } from '../src/experts/linear.js';
import { LogisticRegression } from '../src/experts/logistic.js';
import { perRowPenalty } from '../src/experts/penalty.js';
import { SoftmaxRegression } from '../src/experts/softmax.js';
import { loadModel, saveModel } from '../src/io/model-file.js';
import { SparseExpertModel } from '../src/model/sparse-expert-model.js';
import { createPartition, partitionFromJSON } from '../src/partition/create.js';
import { wasm } from './util/backends.js';
import { SEED } from './util/prng.js';

const CODES = new Set(['ERR_BAD_SHAPE', 'ERR_BAD_ARGUMENT', 'ERR_NON_FINITE', 'ERR_LABEL_RANGE', 'ERR_EMPTY', 'ERR_DIVERGED', 'ERR_BAD_FILE', 'ERR_NOT_FITTED']);
let cases = 0;
/** Calls that returned a result, per entry: the generators must reach valid input too. */
const valid = new Map<string, number>();

/** Runs `fn`; a throw must be a SparseExpertsError with a known code. Returns the result or null. */
async function typed<T>(what: string, fn: () => T | Promise<T>): Promise<T | null> {
  cases++;
  try {
    const r = await fn();
    valid.set(what, (valid.get(what) ?? 0) + 1);
    return r;
  } catch (err) {
    if (err instanceof SparseExpertsError && CODES.has(err.code)) return null;
    throw new Error(`${what}: ${err instanceof SparseExpertsError ? err.code : 'untyped'} ${String(err)} (SEED=${SEED})`, { cause: err });
  }
}

const run = (numRuns: number) => ({ numRuns, seed: SEED });
/** Usually undefined (the default), else one of the values. */
const rarely = <T,>(...values: T[]) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.constantFrom(...values), weight: 1 });
/** Numbers a user may hand in: mostly ordinary, sometimes huge, tiny, NaN or ±Infinity. */
const value = fc.oneof({ arbitrary: fc.double({ min: -10, max: 10, noNaN: true }), weight: 30 }, { arbitrary: fc.constantFrom(0, 1e30, -1e30, NaN, Infinity, -Infinity, 1e-30), weight: 1 });
/** rows × cols of values, rows and cols in [0, max]; sometimes one row is ragged. */
const matrix = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max }), fc.boolean()).chain(([rows, cols, ragged]) =>
  fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }).map((m) => (ragged && m.length > 1 ? [...m.slice(1), [...m[0], 1]] : m)));

test('datasets: fromArrays / validate on random shapes, values and labels', async () => {
  await fc.assert(fc.asyncProperty(
    matrix(6), fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 20 }, { arbitrary: fc.constantFrom(-1, 7, 0.5, NaN), weight: 1 }), { maxLength: 7 }),
    fc.option(fc.integer({ min: -1, max: 6 }), { nil: undefined }), fc.constantFrom('classification', 'regression') as fc.Arbitrary<'classification' | 'regression'>,
    async (x, labels, classes, task) => {
      // Mostly one label per row, sometimes a count that does not match.
      const y = labels.length % 4 === 0 ? labels : Array.from(x, (_, i) => labels[i % Math.max(labels.length, 1)] ?? 0);
      const ds = await typed('fromArrays', () => fromArrays(x, y, { classes, task }));
      if (ds) assert.ok(ds.x.every(Number.isFinite) && ds.rows === x.length);
      await typed('validate', () => validate({ x: Float32Array.from(x.flat()), rows: x.length, cols: x[0]?.length ?? 0, y: Int32Array.from(y, (v) => Math.trunc(v)), classes: classes ?? 3 }));
    },
  ), run(3000));
});

test('parsers: parseCsv on random text, parseIdx on random and truncated bytes', async () => {
  // Mostly well-formed tables of numbers (with a header row of names), with stray tokens mixed in.
  const cell = fc.oneof({ arbitrary: fc.double({ min: -100, max: 100, noNaN: true }).map(String), weight: 20 }, { arbitrary: fc.constantFrom('a', '', '"q,uote"', '"', 'NaN', '1e40', ' 2 ', ';', '"x""y"'), weight: 1 });
  const csvText = fc.integer({ min: 1, max: 4 }).chain((cols) => fc.tuple(fc.constant(cols), fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean()))
    .map(([cols, rows, eol, trailing]) => [Array.from({ length: cols }, (_, i) => (i === cols - 1 ? 'y' : `f${i}`)).join(','), ...rows.map((r) => r.join(','))].join(eol) + (trailing ? eol : ''));
  await fc.assert(fc.asyncProperty(csvText, fc.record({ header: fc.boolean(), task: fc.constantFrom('classification', 'regression'), labelColumn: fc.option(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant('y')), { nil: undefined }) }), async (text, o) => {
    const r = await typed('parseCsv', () => parseCsv(text, o as never));
    if (r) assert.ok(r.dataset.x.every(Number.isFinite));
  }), run(3000));
  const header = (dims: number[]) => [0, 0, 0x08, dims.length, ...dims.flatMap((d) => [0, 0, 0, d])];
  await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 60 }), async (dims, body, cut) => {
    const bytes = Uint8Array.from([...header(dims), ...body]).subarray(0, cut);
    await typed('parseIdx', () => parseIdx(bytes));
    await typed('parseIdx(random)', () => parseIdx(body));
  }), run(2000));
});

test('loadModel: truncated and garbled model files → ERR_BAD_FILE, nothing leaked', async () => {
  const x = Float32Array.from({ length: 60 * 3 }, (_, i) => Math.sin(i)), y = Int32Array.from({ length: 60 }, (_, i) => i % 2);
  const m = new SparseExpertModel({ experts: 2, expert: { kind: 'softmax' }, combine: 'fixed', workers: 0, backend: wasm, scale: 'standard' });
  await m.fit({ x, rows: 60, cols: 3, y, classes: 2 });
  const bytes = saveModel(m);
  m.dispose();
  const before = wasm.stats().buffers;
  const cut = fc.oneof({ arbitrary: fc.constant(bytes.length), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: bytes.length }), weight: 1 });
  await fc.assert(fc.asyncProperty(cut, fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }), async (n, flips) => {
    const b = bytes.slice(0, n);
    for (const [i, v] of flips) if (i < b.length) b[i] = v;
    const loaded = await typed('loadModel', () => loadModel(b, { backend: wasm }));
    if (loaded) {
      const p = await typed('predict', () => loaded.predictProba(x.subarray(0, 9), 3));
      if (p) assert.ok(p.every((v) => !Number.isNaN(v)), 'a loaded model predicts numbers');
      loaded.dispose();
    }
    assert.is(wasm.stats().buffers, before, 'buffers after a failed or disposed load');
  }), run(600));
});

test('scalers and penalties: random data and options', async () => {
  await fc.assert(fc.asyncProperty(fc.constantFrom('standard', 'minmax', 'standard', 'minmax', 'robust'), fc.array(value, { maxLength: 12 }), fc.integer({ min: -1, max: 4 }), async (kind, v, rows) => {
    const s = await typed('createScaler', () => createScaler(kind as never));
    const x = Float32Array.from(v);
    const cols = rows > 0 ? Math.floor(x.length / rows) : 0;
    if (s && (await typed('fit', () => s.fit(x, rows, cols)))) {
      const out = s.transform(x, rows);
      assert.ok(out.every(Number.isFinite), `finite scaled values ${Array.from(x)}`);
    }
  }), run(1500));
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.record({ penalty: fc.constantFrom(undefined, 'l1', 'l2', 'elasticnet', 'none', 'bad'), C: fc.option(value, { nil: undefined }), l1Ratio: fc.option(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { nil: undefined }) }, { requiredKeys: [] }),
      fc.record({ l1: fc.option(value, { nil: undefined }), l2: fc.option(value, { nil: undefined }) }, { requiredKeys: [] }),
      fc.record({ C: value, l1: value }),
    ),
    fc.integer({ min: 1, max: 1000 }),
    async (c, rows) => {
      const p = await typed('perRowPenalty', () => perRowPenalty(c as never, rows, 'sklearn'));
      if (p) assert.ok(p.l1 >= 0 && p.l2 >= 0 && Number.isFinite(p.l1 + p.l2), JSON.stringify(c));
    },
  ), run(1500));
});

test('linear experts: random tiny data and options → a finite model or a typed error; nothing leaked', async () => {
  const before = wasm.stats().buffers;
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom('softmax', 'logistic', 'linear'),
    fc.record({ solver: rarely('lbfgs', 'adam', 'sgd', 'ridge'), penalty: rarely('l1', 'l2', 'elasticnet', 'none'), C: rarely(1, 0.01, 100, 1e-300, 0, -1), l1Ratio: rarely(0, 0.5, 1, 2), tol: rarely(1e-4, 1e-8, 0), maxIter: rarely(1, 5, 0) })
      .map((o) => (o.penalty === 'elasticnet' && o.l1Ratio === undefined ? { ...o, l1Ratio: 0.5 } : o)),
    fc.constantFrom(1, 1, 1e6, 1e30), fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    async (rows, cols, kind, options, magnitude, poison) => {
      const x = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * magnitude);
      if (poison && x.length) x[x.length - 1] = NaN;
      const classes = kind === 'softmax' ? 3 : 2;
      const y = kind === 'linear' ? Float32Array.from({ length: rows }, (_, i) => Math.cos(i)) : Int32Array.from({ length: rows }, (_, i) => i % classes);
      const config = { ...options, backend: wasm, fit: { epochs: 2 } } as never;
      const m = await typed('constructor', () => (kind === 'softmax' ? new SoftmaxRegression(config) : kind === 'logistic' ? new LogisticRegression(config) : new LinearRegression(config)));
      if (!m) return;
      const ds = { x, rows, cols, y, ...(kind === 'linear' ? {} : { classes }) };
      if (await typed(`${kind} fit`, () => m.fit(ds))) {
        const p = m.predict(x, rows);
        assert.ok(Array.from(p).every(Number.isFinite), `${kind} ${JSON.stringify(options)} ×${magnitude}: finite predictions`);
      }
      m.dispose();
      assert.is(wasm.stats().buffers, before, 'buffers after dispose');
    },
  ), run(400));
});

test('combiners and model options: random outputs, labels and options', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.array(value, { minLength: 1, maxLength: 20 }), fc.boolean(), async (rows, experts, v, stacking) => {
    const outputs = Array.from({ length: experts }, (_, e) => Float32Array.from({ length: rows * 2 }, (_, i) => Math.abs(v[(i + e) % v.length])));
    // Class ids in [0, 2), and now and then one out of range.
    const y = Int32Array.from({ length: rows }, (_, i) => (Number.isFinite(v[i % v.length]) ? Math.abs(Math.trunc(v[i % v.length])) % (i === 5 ? 3 : 2) : 0));
    const c: Combiner = stacking ? new Stacking({ backend: wasm }) : new LearnedWeights({ epochs: 5 });
    if (await typed('combiner fit', () => c.fit(outputs, y))) {
      const out = c.combine(outputs, rows);
      assert.ok(out.every(Number.isFinite), 'finite combined outputs');
    }
    c.dispose?.();
  }), run(600));
  await fc.assert(fc.asyncProperty(
    fc.record({ experts: fc.option(fc.integer({ min: -1, max: 8 }), { nil: undefined }), holdout: fc.option(fc.constantFrom(0.1, 0.2, 0, 1, -0.5), { nil: undefined }), workers: fc.option(fc.constantFrom(0, 'auto', 2, -1, 1.5), { nil: undefined }), seed: fc.option(fc.constantFrom(0, 7, 1.5), { nil: undefined }), scale: fc.constantFrom(undefined, 'standard', 'minmax', 'robust'), partition: fc.constantFrom(undefined, 'contiguous', 'kmeans', 'features', 'bogus'), combine: fc.constantFrom(undefined, 'fixed', 'convex', 'stacking', 'gate', 'topk', 'hard', { kind: 'stacking', cv: 1 }, { kind: 'stacking', cv: 3 }, 'bogus') }, { requiredKeys: [] }),
    async (o) => {
      await typed('model options', () => new SparseExpertModel(o as never));
    },
  ), run(1500));
});

test('model fits: random partitions, combiners, scaling and small data → a finite model or a typed error; nothing leaked', async () => {
  const before = wasm.stats().buffers;
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }),
    fc.constantFrom('contiguous', 'shuffled', 'stratified', 'kmeans', 'features'), fc.constantFrom('fixed', 'convex', 'stacking', 'gate', 'topk', 'hard'),
    rarely<ScaleKind>('standard', 'minmax'), fc.constantFrom('softmax', 'logistic', 'linear', 'mlp'), fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    async (rows, cols, experts, partition, combine, scale, kind, poison) => {
      const x = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 2.3) * 3);
      if (poison && x.length) x[0] = Infinity;
      const regression = kind === 'linear';
      const y = regression ? Float32Array.from({ length: rows }, (_, i) => Math.cos(i)) : Int32Array.from({ length: rows }, (_, i) => i % 2);
      const m = await typed('model', () => new SparseExpertModel({ experts, partition, combine, scale, expert: { kind, ...(kind === 'mlp' ? { hidden: [3], fit: { epochs: 1 } } : {}) }, workers: 0, backend: wasm }));
      if (!m) return;
      if (await typed('model fit', () => m.fit({ x, rows, cols, y, ...(regression ? {} : { classes: 2 }) }))) {
        const p = await m.predictProba(x, rows);
        assert.ok(p.every(Number.isFinite), `${partition} ${combine} ${kind}: finite outputs`);
      }
      m.dispose();
      assert.is(wasm.stats().buffers, before, 'buffers after dispose');
    },
  ), run(150));
});

test('partitions, splits and hashing: random specs, empty or overlapping feature groups, random text', async () => {
  const groups = fc.array(fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 4 }), { maxLength: 3 });
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom('contiguous', 'shuffled', 'stratified', 'kmeans', 'features', 'bogus'),
    fc.oneof(fc.integer({ min: -1, max: 6 }), groups), fc.boolean(), fc.option(fc.constantFrom(0, 0.5, -1, NaN), { nil: undefined }),
    async (rows, cols, kind, experts, allowOverlap, overlap) => {
      const ds = { x: Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i)), rows, cols, y: Int32Array.from({ length: rows }, (_, i) => i % 3), classes: 3 };
      const p = await typed('createPartition', () => createPartition(ds, { kind, experts, allowOverlap, overlap, seed: 1, backend: wasm } as never));
      if (p) {
        const parts = Array.from({ length: p.experts }, (_, i) => p.subset(ds, i));
        assert.ok(parts.every((d) => d.x.length === d.rows * d.cols), `${kind}: consistent subsets`);
        await typed('partitionFromJSON', () => partitionFromJSON(JSON.parse(JSON.stringify(p.toJSON())), wasm));
      }
      await typed('kFold', () => kFold(rows, typeof experts === 'number' ? experts : 2, { seed: 1 }));
      await typed('trainTestSplit', () => trainTestSplit(ds, { testFraction: overlap ?? 0.25, seed: 1, stratify: allowOverlap }));
    },
  ), run(1500));
  await fc.assert(fc.asyncProperty(fc.array(fc.string({ maxLength: 30 }), { maxLength: 6 }), fc.option(fc.integer({ min: -1, max: 1 << 12 }), { nil: undefined }), async (texts, features) => {
    const m = await typed('hashingVectorize', () => hashingVectorize(texts, { features }));
    if (m) assert.is(m.rows, texts.length);
  }), run(1000));
});

test('fuzz total: at least 10,000 generated cases', () => {
  assert.ok(cases >= 10_000, `${cases} cases (SEED=${SEED})`);
  // Every entry also saw valid input (at least 5 % of its cases).
  for (const [what, n] of [['fromArrays', 3000], ['parseCsv', 3000], ['loadModel', 600], ['fit', 1500], ['perRowPenalty', 1500], ['combiner fit', 600], ['model options', 1500], ['createPartition', 1500], ['hashingVectorize', 1000]] as const) {
    assert.ok((valid.get(what) ?? 0) >= 0.05 * n, `${what}: ${valid.get(what) ?? 0} valid of ${n}`);
  }
  const fits = ['softmax fit', 'logistic fit', 'linear fit'].reduce((s, k) => s + (valid.get(k) ?? 0), 0);
  assert.ok(fits >= 40, `${fits} expert fits succeeded of 400`);
  assert.ok((valid.get('model fit') ?? 0) >= 15, `${valid.get('model fit') ?? 0} model fits succeeded of 150`);
});

test.run();
