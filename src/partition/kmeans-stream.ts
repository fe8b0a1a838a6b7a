// k-means over a source: the mean and spread in two passes, k-means++ seeded on a reservoir
// sample of rows, then Lloyd's iterations over the blocks — one pass per assignment, member
// sums accumulated as the blocks go by. Only labels-sized arrays (an assignment and a distance
// per row) and one block live at a time. With a sample of every row, the same steps in the same
// order as kmeans() in memory: the same partition.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import { Rng } from '../data/prng.js';
import { type RowSource, blockFloats, checkedBlocks } from '../data/source.js';
import { type KMeansOptions, ClusterPartition, addByCluster, assignNearest, centre, kmeansSettings, moveCentroids, plusPlusInit, reseedRows, withinMargin } from './kmeans.js';
import { checkCount } from './partition.js';

export interface StreamKMeansOptions extends Omit<KMeansOptions, 'init'> {
  /** Rows k-means++ draws its seeds from: a seeded reservoir sample (default 10,000 or every row). */
  sampleRows?: number;
}

/** Each block of a pass, centred by `mean`, with the index of its first row. */
async function* centred(src: RowSource, mean: Float64Array): AsyncGenerator<{ x: Float32Array; rows: number; start: number }> {
  let start = 0;
  for await (const block of checkedBlocks(src)) {
    yield { x: centre(blockFloats(src, block), block.rows, src.cols, mean), rows: block.rows, start };
    start += block.rows;
  }
}

/** Cluster the rows of a source into k parts. */
export async function kmeansSource(src: RowSource, k: number, options: StreamKMeansOptions): Promise<ClusterPartition> {
  const { rows, cols: dims } = src;
  checkCount(rows, k, 'rows');
  const { maxIter, tol, overlap } = kmeansSettings(options);
  const sampleRows = Math.min(rows, options.sampleRows ?? 10_000);
  if (!Number.isInteger(sampleRows) || sampleRows < k) fail('ERR_BAD_ARGUMENT', `sampleRows must be an integer ≥ k = ${k}, got ${options.sampleRows}`);
  const b: Backend = options.backend ?? (await getBackend());
  const rng = new Rng(options.seed);

  const mean = new Float64Array(dims), variance = new Float64Array(dims);
  for await (const block of checkedBlocks(src)) {
    const x = blockFloats(src, block);
    for (let i = 0; i < x.length; i++) mean[i % dims] += x[i] / rows;
  }
  // Reservoir sampling (Algorithm R) on its own stream, so k-means++ draws as in memory.
  const sample = new Float32Array(sampleRows * dims), draw = rng.fork(1);
  for await (const { x, rows: n, start } of centred(src, mean)) {
    for (let i = 0; i < x.length; i++) variance[i % dims] += (x[i] * x[i]) / rows;
    for (let i = 0; i < n; i++) {
      const r = start + i, slot = r < sampleRows ? r : draw.int(r + 1);
      if (slot < sampleRows) sample.set(x.subarray(i * dims, (i + 1) * dims), slot * dims);
    }
  }
  const tolAbs = (tol * variance.reduce((a, v) => a + v, 0)) / Math.max(dims, 1);
  const C = plusPlusInit(sample, sampleRows, dims, k, rng, (c) => assignNearest(b, sample, sampleRows, dims, c, 1).dist);

  const assign = new Int32Array(rows), dist = new Float32Array(rows);
  /** One pass: every row's nearest centroid and distance; the member sums for the update. */
  const assignPass = async (): Promise<Float64Array> => {
    const sums = new Float64Array(k * dims);
    for await (const { x, rows: n, start } of centred(src, mean)) {
      const a = assignNearest(b, x, n, dims, C, k);
      assign.set(a.assign, start);
      dist.set(a.dist, start);
      addByCluster(x, n, dims, a.assign, sums);
    }
    return sums;
  };
  /** Rows `want` (centred), by one more pass. */
  const rowsAt = async (want: number[]): Promise<Map<number, Float32Array>> => {
    const got = new Map<number, Float32Array>();
    for await (const { x, rows: n, start } of centred(src, mean)) {
      for (const r of want) if (r >= start && r < start + n) got.set(r, x.slice((r - start) * dims, (r - start + 1) * dims));
    }
    return got;
  };

  let iterations = 0, reseeded = 0, converged = false;
  for (;;) {
    const sums = await assignPass();
    const counts = new Int32Array(k);
    for (let r = 0; r < rows; r++) counts[assign[r]]++;
    const empty = [...counts.keys()].filter((j) => counts[j] === 0);
    if (empty.length > 0) {
      if (reseeded >= k * (maxIter + 1)) break;
      const picks = reseedRows(empty, assign, dist, counts);
      const got = await rowsAt(picks);
      picks.forEach((r, i) => C.set(got.get(r)!, empty[i] * dims));
      reseeded += empty.length;
      continue;
    }
    if (converged || iterations >= maxIter) break;
    converged = moveCentroids(sums, counts, dims, C) <= tolAbs;
    iterations++;
  }

  const parts = Array.from({ length: k }, () => [] as number[]);
  let inertia = 0;
  for await (const { x, rows: n, start } of centred(src, mean)) {
    for (let i = 0; i < n; i++) {
      const r = start + i;
      if (overlap === 0) parts[assign[r]].push(r);
      else for (const j of withinMargin(x, i, dims, C, k, 1 + overlap)) parts[j].push(r);
      for (let d = 0; d < dims; d++) inertia += (x[i * dims + d] - C[assign[r] * dims + d]) ** 2;
    }
  }
  const emptyAt = parts.findIndex((p) => p.length === 0);
  if (emptyAt >= 0) fail('ERR_EMPTY', `k-means: cluster ${emptyAt} stays empty after re-seeding; the data has fewer than k = ${k} distinct rows`);
  const centroids = C.map((v, i) => v + mean[i % dims]);
  return new ClusterPartition(
    { rows, parts: parts.map((p) => Int32Array.from(p)), dims, centroids, mean: Float32Array.from(mean), inertia, iterations, converged, reseeded, seed: options.seed },
    b,
  );
}
