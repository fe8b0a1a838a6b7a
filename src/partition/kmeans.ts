// k-means++ clustering of the rows: seeded k-means++ init, Lloyd iterations whose
// assignment step is the wasm kernel, empty clusters re-seeded from the farthest points.
// Rows are centred first: the kernel's ‖x‖² − 2x·c + ‖c‖² loses precision when ‖x‖ ≫ ‖x − c‖.
import { fail } from '../errors.js';
import type { Backend, F32 } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import { type AnyDataset, floatRows, isSparse } from '../data/dataset.js';
import { Rng } from '../data/prng.js';
import { type PartitionJSON, RowParts, checkCount, fromLists, toLists } from './partition.js';

export interface KMeansOptions {
  seed: number;
  /** Lloyd iterations at most (default 100). */
  maxIter?: number;
  /** Stop when Σ‖centroid shift‖² ≤ tol · (mean per-feature variance), as scikit-learn (default 1e-4). */
  tol?: number;
  /** Initial centroids (k × cols, row-major) instead of k-means++. */
  init?: Float32Array;
  /**
   * Soft boundaries (default 0): a row also trains cluster j's expert when its squared
   * distance to centroid j is within (1 + overlap)× the distance to its own. Experts then
   * see the borders of their region, where hard routing makes its mistakes; routing stays
   * nearest-centroid.
   */
  overlap?: number;
  backend?: Backend;
}

interface ClusterState {
  rows: number;
  parts: Int32Array[];
  dims: number;
  /** k × dims, in the data's own coordinates. */
  centroids: Float32Array;
  /** The per-feature mean subtracted before the kernel runs. */
  mean: Float32Array;
  inertia: number;
  iterations: number;
  converged: boolean;
  reseeded: number;
  seed: number;
}

export class ClusterPartition extends RowParts {
  readonly kind = 'kmeans' as const;
  readonly dims: number;
  readonly centroids: Float32Array;
  /** Σ over rows of the squared distance to its centroid (float64, exact — not the kernel's identity). */
  readonly inertia: number;
  readonly iterations: number;
  /** False when maxIter stopped the iterations first. */
  readonly converged: boolean;
  /** How many times an empty cluster was re-seeded from a far point. */
  readonly reseeded: number;
  readonly seed: number;
  private readonly mean: Float32Array;
  private readonly centred: Float32Array;

  constructor(s: ClusterState, private readonly backend: Backend) {
    super(s.rows, s.parts);
    ({ dims: this.dims, centroids: this.centroids, mean: this.mean } = s);
    ({ inertia: this.inertia, iterations: this.iterations, converged: this.converged, reseeded: this.reseeded, seed: this.seed } = s);
    this.centred = this.centroids.map((v, i) => v - this.mean[i % this.dims]);
  }

  /** The nearest centroid of each of `rows` new rows (x is rows × dims): the expert that owns it. */
  route(x: Float32Array, rows: number): Int32Array {
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * this.dims) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${this.dims} features`);
    return assignNearest(this.backend, centre(x, rows, this.dims, this.mean), rows, this.dims, this.centred, this.experts).assign;
  }

  toJSON(): PartitionJSON {
    const { rows, dims, inertia, iterations, converged, reseeded, seed } = this;
    return { kind: 'kmeans', rows, parts: toLists(this.parts), dims, centroids: Array.from(this.centroids), mean: Array.from(this.mean), inertia, iterations, converged, reseeded, seed };
  }

  static fromJSON(json: PartitionJSON, backend: Backend): ClusterPartition {
    if (json.kind !== 'kmeans') fail('ERR_BAD_FILE', `not a k-means partition: ${json.kind}`);
    const parts = fromLists(json.parts, json.rows, true);
    if (!Number.isInteger(json.dims) || json.centroids.length !== parts.length * json.dims || json.mean.length !== json.dims) {
      fail('ERR_BAD_FILE', `k-means partition: ${json.centroids.length} centroid values and ${json.mean.length} means do not fit ${parts.length} clusters × ${json.dims} features`);
    }
    return new ClusterPartition({ ...json, parts, centroids: Float32Array.from(json.centroids), mean: Float32Array.from(json.mean) }, backend);
  }
}

export function centre(x: Float32Array, rows: number, dims: number, mean: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows * dims);
  for (let i = 0; i < out.length; i++) out[i] = x[i] - mean[i % dims];
  return out;
}

/** One run of the assignment kernel over host arrays. */
export function assignNearest(b: Backend, x: Float32Array, rows: number, dims: number, centroids: Float32Array, k: number): { assign: Int32Array; dist: Float32Array } {
  const xb = b.upload(x), cb = b.upload(centroids), ab = b.alloc(rows, 'i32'), db = b.alloc(rows);
  try {
    b.kmeansAssign(xb, rows, dims, cb, k, ab, db);
    return { assign: b.read(ab), dist: b.read(db) };
  } finally {
    for (const buf of [xb, cb, ab, db]) b.free(buf);
  }
}

/** The iteration options with their defaults; ERR_BAD_ARGUMENT when out of range. */
export function kmeansSettings(options: KMeansOptions): { maxIter: number; tol: number; overlap: number } {
  const maxIter = options.maxIter ?? 100, tol = options.tol ?? 1e-4;
  if (!Number.isInteger(maxIter) || maxIter < 1) fail('ERR_BAD_ARGUMENT', `maxIter must be an integer ≥ 1, got ${maxIter}`);
  if (!(tol >= 0)) fail('ERR_BAD_ARGUMENT', `tol must be ≥ 0, got ${tol}`);
  const overlap = options.overlap ?? 0;
  if (!(overlap >= 0 && Number.isFinite(overlap))) fail('ERR_BAD_ARGUMENT', `overlap must be a finite number ≥ 0, got ${overlap}`);
  return { maxIter, tol, overlap };
}

/** Cluster the rows of a dense dataset into k parts. */
export async function kmeans(ds: AnyDataset, k: number, options: KMeansOptions): Promise<ClusterPartition> {
  if (isSparse(ds)) fail('ERR_BAD_ARGUMENT', 'k-means needs dense rows; densify them (csrToDense) or partition sparse data another way');
  const { rows, cols: dims } = ds;
  checkCount(rows, k, 'rows');
  const { maxIter, tol, overlap } = kmeansSettings(options);
  if (ds.x.length !== rows * dims) fail('ERR_BAD_SHAPE', `x has ${ds.x.length} values, expected ${rows} rows × ${dims} features`);
  const b = options.backend ?? (await getBackend());
  const rng = new Rng(options.seed);

  const mean = new Float64Array(dims), variance = new Float64Array(dims);
  const features = floatRows(ds);
  for (let i = 0; i < rows * dims; i++) {
    if (!Number.isFinite(features[i])) fail('ERR_NON_FINITE', `feature at row ${Math.floor(i / dims)}, column ${i % dims} is ${features[i]}`);
    mean[i % dims] += features[i] / rows;
  }
  const x = centre(features, rows, dims, mean);
  for (let i = 0; i < x.length; i++) variance[i % dims] += (x[i] * x[i]) / rows;
  const tolAbs = (tol * variance.reduce((a, v) => a + v, 0)) / Math.max(dims, 1);

  const xb = b.upload(x), ab = b.alloc(rows, 'i32'), db = b.alloc(rows);
  let cb: F32 | null = null;
  const assignAll = (centroids: Float32Array, kk: number): { assign: Int32Array; dist: Float32Array } => {
    if (cb) b.free(cb);
    cb = b.upload(centroids);
    b.kmeansAssign(xb, rows, dims, cb, kk, ab, db);
    return { assign: b.read(ab), dist: b.read(db) };
  };
  try {
    let C: Float32Array;
    if (options.init) {
      if (options.init.length !== k * dims) fail('ERR_BAD_SHAPE', `init has ${options.init.length} values, expected k × cols = ${k} × ${dims}`);
      C = centre(options.init, k, dims, mean);
    } else {
      C = plusPlusInit(x, rows, dims, k, rng, (c) => assignAll(c, 1).dist);
    }
    let iterations = 0, reseeded = 0, converged = false;
    let assign: Int32Array, dist: Float32Array;
    for (;;) {
      ({ assign, dist } = assignAll(C, k));
      const counts = new Int32Array(k);
      for (let r = 0; r < rows; r++) counts[assign[r]]++;
      const empty = [...counts.keys()].filter((j) => counts[j] === 0);
      if (empty.length > 0) {
        // Re-seeding always makes progress (it moves a centroid onto an unclaimed far point);
        // the bound only guards against cycling.
        if (reseeded >= k * (maxIter + 1)) break;
        reseedRows(empty, assign, dist, counts).forEach((r, i) => C.set(x.subarray(r * dims, (r + 1) * dims), empty[i] * dims));
        reseeded += empty.length;
        continue;
      }
      if (converged || iterations >= maxIter) break;
      converged = update(x, rows, dims, k, assign, counts, C) <= tolAbs;
      iterations++;
    }
    const parts = Array.from({ length: k }, () => [] as number[]);
    for (let r = 0; r < rows; r++) {
      if (overlap === 0) parts[assign[r]].push(r);
      else for (const j of withinMargin(x, r, dims, C, k, 1 + overlap)) parts[j].push(r);
    }
    const emptyAt = parts.findIndex((p) => p.length === 0);
    if (emptyAt >= 0) fail('ERR_EMPTY', `k-means: cluster ${emptyAt} stays empty after re-seeding; the data has fewer than k = ${k} distinct rows`);
    let inertia = 0;
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dims; d++) inertia += (x[r * dims + d] - C[assign[r] * dims + d]) ** 2;
    }
    const centroids = C.map((v, i) => v + mean[i % dims]);
    return new ClusterPartition(
      { rows, parts: parts.map((p) => Int32Array.from(p)), dims, centroids, mean: Float32Array.from(mean), inertia, iterations, converged, reseeded, seed: options.seed },
      b,
    );
  } finally {
    for (const buf of [xb, ab, db, cb]) if (buf) b.free(buf);
  }
}

/** The clusters whose centroid is within `factor`× the squared distance of row r's nearest (float64). */
export function withinMargin(x: Float32Array, r: number, dims: number, C: Float32Array, k: number, factor: number): number[] {
  const d = Array.from({ length: k }, (_, j) => {
    let s = 0;
    for (let i = 0; i < dims; i++) s += (x[r * dims + i] - C[j * dims + i]) ** 2;
    return s;
  });
  const nearest = Math.min(...d);
  return d.flatMap((v, j) => (v <= factor * nearest ? [j] : []));
}

/** k-means++: the first centroid uniform, each next one drawn with probability ∝ D² to the nearest chosen. */
export function plusPlusInit(x: Float32Array, rows: number, dims: number, k: number, rng: Rng, distTo: (c: Float32Array) => Float32Array): Float32Array {
  const C = new Float32Array(k * dims);
  const nearest = new Float64Array(rows).fill(Infinity);
  let pick = rng.int(rows);
  for (let j = 0; ; j++) {
    C.set(x.subarray(pick * dims, (pick + 1) * dims), j * dims);
    if (j === k - 1) return C;
    const d = distTo(C.subarray(j * dims, (j + 1) * dims));
    let total = 0;
    for (let r = 0; r < rows; r++) total += nearest[r] = Math.min(nearest[r], d[r]);
    if (total === 0) {
      pick = rng.int(rows); // every row sits on a centroid: duplicates; Lloyd's re-seeding decides
      continue;
    }
    let u = rng.next() * total;
    for (let r = 0; r < rows; r++) {
      if (nearest[r] === 0) continue;
      pick = r; // the last row with weight, should rounding leave u ≥ 0 at the end
      if ((u -= nearest[r]) < 0) break;
    }
  }
}

/**
 * The row each empty cluster's centroid moves onto: the farthest from its own centroid among
 * rows whose cluster keeps at least one other row (scikit-learn's rule), one per empty cluster.
 */
export function reseedRows(empty: number[], assign: Int32Array, dist: Float32Array, counts: Int32Array): number[] {
  const order = Int32Array.from(dist.keys()).sort((a, b) => dist[b] - dist[a] || a - b);
  let p = 0;
  return empty.map((j) => {
    while (p < order.length && (counts[assign[order[p]]] < 2 || dist[order[p]] <= 0)) p++;
    if (p === order.length) fail('ERR_EMPTY', `k-means: cluster ${j} is empty and no row is left to re-seed it from; the data has fewer than ${counts.length} distinct rows`);
    const r = order[p++];
    counts[assign[r]]--;
    counts[j]++;
    return r;
  });
}

/** Centroids ← member means (float64 sums); returns Σ‖shift‖². */
function update(x: Float32Array, rows: number, dims: number, k: number, assign: Int32Array, counts: Int32Array, C: Float32Array): number {
  const sums = new Float64Array(k * dims);
  addByCluster(x, rows, dims, assign, sums);
  return moveCentroids(sums, counts, dims, C);
}

/** sums[cluster] += each row, in row order (float64). */
export function addByCluster(x: Float32Array, rows: number, dims: number, assign: ArrayLike<number>, sums: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = assign[r] * dims;
    for (let d = 0; d < dims; d++) sums[o + d] += x[r * dims + d];
  }
}

/** C ← sums / counts (rounded to f32); returns Σ‖shift‖². */
export function moveCentroids(sums: Float64Array, counts: Int32Array, dims: number, C: Float32Array): number {
  let shift = 0;
  for (let i = 0; i < C.length; i++) {
    const next = Math.fround(sums[i] / counts[Math.floor(i / dims)]);
    shift += (next - C[i]) ** 2;
    C[i] = next;
  }
  return shift;
}
