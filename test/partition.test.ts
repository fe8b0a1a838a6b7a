// Partitioners: numpy array_split sizes, seeded determinism, stratification, k-means++ on
// separable blobs (with re-seeding of an empty cluster), feature groups, JSON round trips, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dataset } from '../src/data/dataset.js';
import { denseToCsrMatrix } from '../src/data/csr.js';
import { createPartition, partitionFromJSON } from '../src/partition/create.js';
import { featureGroups } from '../src/partition/features.js';
import { kmeans } from '../src/partition/kmeans.js';
import { arraySplitSizes } from '../src/partition/partition.js';
import { contiguousSplit, shuffledSplit, stratifiedSplit } from '../src/partition/row-split.js';
import { reference, wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

function assertCover(parts: readonly Int32Array[], rows: number, what: string): void {
  const seen = new Uint8Array(rows);
  for (const p of parts) {
    for (let j = 0; j < p.length; j++) {
      assert.ok(!seen[p[j]], `${what}: row ${p[j]} twice (seed ${SEED})`);
      seen[p[j]] = 1;
      if (j > 0) assert.ok(p[j - 1] < p[j], `${what}: part not sorted`);
    }
  }
  assert.ok(seen.every((v) => v === 1), `${what}: rows missing`);
}

/** Well-separated Gaussian-ish blobs: centers 20 apart, noise ±1. */
function blobs(rows: number, k: number, dims: number, seed: number): Dataset & { truth: Int32Array; centers: Float32Array[] } {
  const r = rng(seed);
  const centers = Array.from({ length: k }, (_, c) => Float32Array.from({ length: dims }, (_, d) => (d === c % dims ? 20 * (1 + Math.floor(c / dims)) : 0) + 100));
  const x = new Float32Array(rows * dims), truth = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    truth[i] = r.int(0, k);
    for (let d = 0; d < dims; d++) x[i * dims + d] = centers[truth[i]][d] + r.uniform(-1, 1) + r.uniform(-1, 1);
  }
  return { x, rows, cols: dims, y: truth, classes: k, truth, centers };
}

/** Labels equal up to a permutation of cluster ids. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>(), ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

function labelsOf(parts: readonly Int32Array[], rows: number): Int32Array {
  const out = new Int32Array(rows);
  parts.forEach((p, i) => p.forEach((r) => (out[r] = i)));
  return out;
}

test('array_split sizes match numpy (first rows % n parts one longer) and contiguous rows', () => {
  const numpy: [number, number, number[]][] = [
    [10, 3, [4, 3, 3]],
    [13, 4, [4, 3, 3, 3]],
    [7, 7, [1, 1, 1, 1, 1, 1, 1]],
    [1, 1, [1]],
    [5, 1, [5]],
    [100, 8, [13, 13, 13, 13, 12, 12, 12, 12]],
    [17, 5, [4, 4, 3, 3, 3]],
    [9, 2, [5, 4]],
  ];
  for (const [rows, n, sizes] of numpy) {
    assert.equal(arraySplitSizes(rows, n), sizes, `array_split(${rows}, ${n})`);
    const p = contiguousSplit(rows, n);
    assert.equal(p.parts.map((q) => q.length), sizes);
    let next = 0;
    for (const part of p.parts) for (const r of part) assert.is(r, next++, 'contiguous rows in order');
  }
});

test('shuffled: same sizes as array_split, deterministic by seed, disjoint cover', () => {
  for (const rows of [1, 9, 31, 64]) {
    for (const n of [1, 2, 3, 5].filter((v) => v <= rows)) {
      const a = shuffledSplit(rows, n, SEED), b = shuffledSplit(rows, n, SEED);
      assert.equal(a.parts.map((q) => q.length), arraySplitSizes(rows, n));
      a.parts.forEach((q, i) => allEqual(q, b.parts[i], SEED, `part ${i}`));
      assertCover(a.parts, rows, `shuffled ${rows}/${n}`);
    }
  }
  const a = shuffledSplit(64, 4, SEED), c = shuffledSplit(64, 4, SEED + 1);
  assert.ok(a.parts.some((q, i) => q.some((v, j) => v !== c.parts[i][j])), 'another seed gives another split');
});

test('stratified: each part keeps the class proportions (within one row), deterministic', () => {
  const r = rng(SEED);
  for (const [rows, classes, n] of [[97, 3, 4], [200, 5, 5], [33, 2, 3], [8, 2, 8]] as const) {
    // uneven classes: class c drawn with weight c + 1
    const y = Int32Array.from({ length: rows }, () => Math.floor(Math.sqrt(r.uniform(0, 1)) * classes));
    const p = stratifiedSplit(y, classes, n, SEED);
    assertCover(p.parts, rows, 'stratified');
    assert.equal(p.parts.map((q) => q.length), arraySplitSizes(rows, n));
    const total = new Array(classes).fill(0);
    y.forEach((c) => total[c]++);
    for (const part of p.parts) {
      const counts = new Array(classes).fill(0);
      part.forEach((i) => counts[y[i]]++);
      for (let c = 0; c < classes; c++) {
        const want = (total[c] * part.length) / rows;
        assert.ok(Math.abs(counts[c] - want) <= 1, `class ${c}: ${counts[c]} rows in a part of ${part.length}, expected ≈ ${want} (seed ${SEED})`);
      }
    }
    const q = stratifiedSplit(y, classes, n, SEED);
    p.parts.forEach((part, i) => allEqual(part, q.parts[i], SEED, 'same seed, same split'));
  }
});

test('k-means++ recovers well-separated blobs exactly (wasm and reference agree), routes new rows', async () => {
  for (const [rows, k, dims] of [[301, 3, 5], [97, 4, 3], [50, 2, 1]] as const) {
    const ds = blobs(rows, k, dims, SEED + rows);
    const p = await kmeans(ds, k, { seed: SEED, backend: wasm });
    assertCover(p.parts, rows, 'kmeans');
    assert.ok(samePartition(labelsOf(p.parts, rows), ds.truth), `clusters match the blobs (rows ${rows}, k ${k}, seed ${SEED})`);
    assert.ok(p.converged, 'converged');
    // inertia: the exact Σ‖x − c‖² over the returned centroids
    let inertia = 0;
    p.parts.forEach((part, j) => part.forEach((r) => {
      for (let d = 0; d < dims; d++) inertia += (ds.x[r * dims + d] - p.centroids[j * dims + d]) ** 2;
    }));
    allClose([p.inertia], [inertia], 1e-3, 1e-4, SEED, 'inertia');
    assert.ok(p.inertia / rows < dims * 2, `inertia per row ${p.inertia / rows}`);
    // routing the training rows gives the partition back; the blob centers go to their clusters
    allEqual(p.route(ds.x, rows), labelsOf(p.parts, rows), SEED, 'route(train)');
    const centers = new Float32Array(k * dims);
    ds.centers.forEach((c, i) => centers.set(c, i * dims));
    const routed = p.route(centers, k);
    for (let c = 0; c < k; c++) {
      const member = ds.truth.indexOf(c);
      if (member >= 0) assert.is(routed[c], labelsOf(p.parts, rows)[member], `center ${c} routes to its blob's cluster`);
    }
    assert.is(p.route(new Float32Array(0), 0).length, 0);
    const again = await kmeans(ds, k, { seed: SEED, backend: reference });
    p.parts.forEach((part, i) => allEqual(part, again.parts[i], SEED, 'reference backend, same seed'));
    allClose(again.centroids, p.centroids, 1e-4, 1e-5, SEED, 'centroids');
  }
});

test('k-means: an empty cluster is re-seeded from the farthest point, never dropped', async () => {
  const ds = blobs(120, 3, 2, SEED);
  // Centroid 2 starts far from every row: it owns nothing after the first assignment.
  const init = Float32Array.from([...ds.centers[0], ...ds.centers[1], 1e4, 1e4]);
  const p = await kmeans(ds, 3, { seed: SEED, init, backend: wasm });
  assert.ok(p.reseeded >= 1, `reseeded ${p.reseeded}`);
  assert.is(p.parts.length, 3);
  assert.ok(samePartition(labelsOf(p.parts, ds.rows), ds.truth), `blobs recovered after re-seeding (seed ${SEED})`);
});

test('k-means: fewer distinct rows than k → ERR_EMPTY; k = rows and k = 1 work; JSON round trip routes the same', async () => {
  const dup: Dataset = { x: Float32Array.from([0, 0, 1, 1, 0, 0, 5, 5, 1, 1]), rows: 5, cols: 2, y: new Float32Array(5) };
  await kmeans(dup, 4, { seed: SEED, backend: wasm }).then(() => assert.unreachable('4 clusters of 3 distinct rows'), (e) => assert.ok(code('ERR_EMPTY')(e), String(e)));
  const three = await kmeans(dup, 3, { seed: SEED, backend: wasm });
  assert.equal(three.parts.map((q) => q.length).sort(), [1, 2, 2]);
  const ds = blobs(13, 2, 3, SEED);
  const all = await kmeans(ds, 13, { seed: SEED, backend: wasm });
  assert.ok(all.parts.every((q) => q.length === 1), 'k = rows: one row each');
  assert.is(all.inertia, 0);
  const one = await kmeans(ds, 1, { seed: SEED, backend: wasm });
  assert.is(one.parts[0].length, 13);
  const json = JSON.parse(JSON.stringify(all.toJSON()));
  const back = await partitionFromJSON(json, wasm);
  assert.is(back.kind, 'kmeans');
  if (back.kind === 'kmeans') {
    allEqual(back.route(ds.x, ds.rows), all.route(ds.x, ds.rows), SEED, 'restored route');
    allEqual(back.centroids, all.centroids, SEED, 'restored centroids');
  }
});

test('feature groups: contiguous halves (seed §4), explicit groups, expert inputs are column slices, subset', () => {
  const f = featureGroups(7, 2);
  assert.equal(f.groups.map((g) => Array.from(g)), [[0, 1, 2, 3], [4, 5, 6]]);
  const x = Float32Array.from({ length: 3 * 7 }, (_, i) => i);
  const [a, b] = f.expertInputs(x, 3);
  allEqual(a, [0, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 17], SEED, 'group 0 slice');
  allEqual(b, [4, 5, 6, 11, 12, 13, 18, 19, 20], SEED, 'group 1 slice');
  const ds: Dataset = { x, rows: 3, cols: 7, y: Float32Array.from([1, 2, 3]) };
  const s = f.subset(ds, 1);
  assert.is(s.cols, 3);
  allEqual(s.x, b, SEED, 'subset x');
  allEqual(s.y, [1, 2, 3], SEED, 'subset keeps every row');
  const g = featureGroups(4, [[3, 0], [1, 2]]);
  allEqual(g.expertInputs(Float32Array.from([10, 11, 12, 13]), 1)[0], [13, 10], SEED, 'explicit order kept');
  const o = featureGroups(3, [[0, 1], [1, 2]], { allowOverlap: true });
  assert.is(o.experts, 2);
  const u = featureGroups(3, [[0], [2]], { allowUnused: true });
  assert.is(u.groups.length, 2);
  assert.equal(featureGroups(1, 1).groups.map((q) => Array.from(q)), [[0]]);
  assert.equal(featureGroups(4, 4).expertInputs(new Float32Array(0), 0).map((q) => q.length), [0, 0, 0, 0]);
});

test('feature groups: overlap, missing, repeated, out-of-range columns and empty groups → typed errors', () => {
  assert.throws(() => featureGroups(3, [[0, 1], [1, 2]]), code('ERR_BAD_ARGUMENT'), 'overlap');
  assert.throws(() => featureGroups(3, [[0], [2]]), code('ERR_BAD_ARGUMENT'), 'missing column 1');
  assert.throws(() => featureGroups(3, [[0, 0], [1, 2]], { allowOverlap: true }), code('ERR_BAD_ARGUMENT'), 'repeated in one group');
  assert.throws(() => featureGroups(3, [[0, 1, 2], [3]]), code('ERR_BAD_ARGUMENT'), 'out of range');
  assert.throws(() => featureGroups(3, [[0, 1, 2], []]), code('ERR_EMPTY'), 'empty group');
  assert.throws(() => featureGroups(3, 4), code('ERR_EMPTY'), 'more groups than columns');
  assert.throws(() => featureGroups(3, 1.5), code('ERR_BAD_ARGUMENT'), 'non-integer');
  assert.throws(() => featureGroups(3, 2).expertInputs(new Float32Array(5), 2), code('ERR_BAD_SHAPE'), 'input shape');
});

test('bad k → typed errors for every row partitioner; JSON round trips', async () => {
  const y = Int32Array.from({ length: 5 }, (_, i) => i % 2);
  for (const k of [0, -1, 6]) {
    assert.throws(() => contiguousSplit(5, k), code('ERR_EMPTY'), `contiguous k = ${k}`);
    assert.throws(() => shuffledSplit(5, k, 1), code('ERR_EMPTY'), `shuffled k = ${k}`);
    assert.throws(() => stratifiedSplit(y, 2, k, 1), code('ERR_EMPTY'), `stratified k = ${k}`);
  }
  assert.throws(() => contiguousSplit(0, 1), code('ERR_EMPTY'), 'no rows');
  for (const k of [1.5, NaN]) assert.throws(() => shuffledSplit(5, k, 1), code('ERR_BAD_ARGUMENT'), `k = ${k}`);
  const ds: Dataset = { x: new Float32Array(10), rows: 5, cols: 2, y, classes: 2 };
  await kmeans(ds, 2.5, { seed: 1, backend: wasm }).then(() => assert.unreachable(), (e) => assert.ok(code('ERR_BAD_ARGUMENT')(e)));
  await kmeans(ds, 6, { seed: 1, backend: wasm }).then(() => assert.unreachable(), (e) => assert.ok(code('ERR_EMPTY')(e)));
  const sparse = { ...ds, x: denseToCsrMatrix(ds.x, 5, 2) };
  await kmeans(sparse, 2, { seed: 1, backend: wasm }).then(() => assert.unreachable(), (e) => assert.ok(code('ERR_BAD_ARGUMENT')(e)));
  await createPartition({ ...ds, classes: undefined, y: new Float32Array(5) }, { kind: 'stratified', experts: 2, seed: 1 }).then(
    () => assert.unreachable(),
    (e) => assert.ok(code('ERR_BAD_ARGUMENT')(e)),
  );
  for (const spec of [{ kind: 'contiguous', experts: 2 }, { kind: 'shuffled', experts: 3, seed: 4 }, { kind: 'stratified', experts: 2, seed: 4 }, { kind: 'features', experts: 2 }] as const) {
    const p = await createPartition(ds, spec);
    const back = await partitionFromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    assert.equal(back.toJSON(), p.toJSON(), `${spec.kind} round trip`);
  }
  await partitionFromJSON({ kind: 'contiguous', rows: 3, parts: [[0, 1], [1, 2]] }).then(() => assert.unreachable(), (e) => assert.ok(code('ERR_BAD_FILE')(e)));
});

test('k-means overlap: each expert keeps its cluster and gains nearby border rows; JSON round trip keeps them', async () => {
  const ds = blobs(120, 3, 2, SEED);
  const hard = await kmeans(ds, 3, { seed: 1, backend: wasm });
  const soft = await kmeans(ds, 3, { seed: 1, backend: wasm, overlap: 1000 }); // blobs are far apart: a wide margin
  allEqual(soft.route(ds.x, ds.rows), hard.route(ds.x, ds.rows), SEED, 'routing is unchanged');
  let total = 0;
  soft.parts.forEach((p, i) => {
    const have = new Set(p);
    for (const r of hard.parts[i]) assert.ok(have.has(r), `part ${i} keeps row ${r}`);
    for (let j = 1; j < p.length; j++) assert.ok(p[j - 1] < p[j], 'sorted, no repeats');
    total += p.length;
  });
  assert.ok(total > ds.rows, `overlap adds border rows (${total} > ${ds.rows})`);
  const back = await partitionFromJSON(JSON.parse(JSON.stringify(soft.toJSON())), wasm);
  assert.equal((back as typeof soft).parts.map((p) => Array.from(p)), soft.parts.map((p) => Array.from(p)));
  await kmeans(ds, 3, { seed: 1, overlap: -1 }).then(() => assert.unreachable(), (e) => assert.is(e.code, 'ERR_BAD_ARGUMENT'));
});

test.run();
