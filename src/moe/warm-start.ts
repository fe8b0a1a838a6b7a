// A MoE layer warm-started from the seed's pipeline: each expert block takes the weights of
// a trained Dense(hidden, relu) → Dense(units) expert, and the router is a nearest-centroid
// classifier over the k-means centroids the experts were trained on. ‖x − c‖² = ‖x‖² − 2c·x
// + ‖c‖², and ‖x‖² is the same for every expert, so logits s·(2c·x − ‖c‖²) rank the experts
// as k-means does: top-1 routes every row to the expert trained on its cluster.
import { fail } from '../errors.js';
import type { Param } from '../nn/param.js';
import type { MoE } from './moe-layer.js';

/** One trained Dense → ReLU → Dense expert: W1 inputs × hidden, W2 hidden × units, row-major (as Dense). */
export interface ExpertWeights {
  W1: Float32Array;
  b1: Float32Array;
  W2: Float32Array;
  b2: Float32Array;
}

/** k-means centroids (E × dims, the data's coordinates) and the feature mean k-means centred by. */
export interface Centroids {
  centroids: Float32Array;
  mean: Float32Array;
}

/** The logit gap, nearest centroid over the second nearest, that the median row gets: p ≈ 0.9 for it against 7 others. */
const MEDIAN_GAP = 4;

/**
 * Router weights (dims × E) and bias (E) for logits s·(2c'·(x − m) − ‖c'‖²), c' = c − m:
 * centred, so the products stay small next to the differences that decide (as k-means' kernel).
 */
export function centroidRouter({ centroids, mean }: Centroids, scale: number): { W: Float32Array; b: Float32Array } {
  const dims = mean.length, E = centroids.length / dims;
  if (dims === 0 || !Number.isInteger(E) || E < 1) fail('ERR_BAD_SHAPE', `${centroids.length} centroid values do not fit ${dims} features`);
  if (!(scale > 0 && Number.isFinite(scale))) fail('ERR_BAD_ARGUMENT', `the router scale must be a finite number > 0, got ${scale}`);
  const W = new Float32Array(dims * E), b = new Float32Array(E);
  for (let e = 0; e < E; e++) {
    let cm = 0, cc = 0;
    for (let i = 0; i < dims; i++) {
      const c = centroids[e * dims + i] - mean[i];
      W[i * E + e] = 2 * scale * c;
      cm += c * mean[i];
      cc += c * c;
    }
    // 2c'·(x − m) = 2c'·x − 2c'·m: the constant joins −‖c'‖² in the bias.
    b[e] = -scale * (2 * cm + cc);
  }
  return { W, b };
}

/**
 * The scale s that gives the median of up to 1,000 rows (evenly spaced) a logit gap of
 * MEDIAN_GAP between its nearest and second-nearest centroid: a router confident on most
 * rows (the warm experts' outputs arrive nearly whole) that still learns at the borders.
 */
export function routerScale({ centroids, mean }: Centroids, x: Float32Array, rows: number): number {
  const dims = mean.length, E = centroids.length / dims;
  if (x.length !== rows * dims) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${dims} features`);
  if (E < 2 || rows === 0) return 1; // one expert, or nothing to measure: every scale routes the same
  const sample = Math.min(rows, 1000), gaps: number[] = [];
  for (let j = 0; j < sample; j++) {
    const r = Math.floor((j * rows) / sample), d = new Float64Array(E);
    for (let e = 0; e < E; e++) for (let i = 0; i < dims; i++) d[e] += (x[r * dims + i] - centroids[e * dims + i]) ** 2;
    d.sort();
    gaps.push(d[1] - d[0]);
  }
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)];
  return median > 0 ? MEDIAN_GAP / median : 1;
}

/** Set `moe`'s experts to `experts` (in order) and its router to `router` (its spec needs routerBias). */
export function warmStart(moe: MoE, experts: readonly ExpertWeights[], router: { W: Float32Array; b: Float32Array }): void {
  const s = moe.spec(), b = moe.backend;
  if (!moe.routerBias) fail('ERR_BAD_ARGUMENT', 'a centroid router needs a bias (−‖c‖²): build the moe layer with routerBias: true');
  if (experts.length !== s.experts) fail('ERR_BAD_SHAPE', `${experts.length} experts for a moe layer of ${s.experts}`);
  const put = (what: string, p: Param, v: Float32Array): void => {
    if (v.length !== p.length) fail('ERR_BAD_SHAPE', `${what} has ${v.length} values, the moe layer's ${p.length} (inputs ${moe.inputs}, hidden ${s.hidden}, units ${s.units}, experts ${s.experts})`);
    b.write(p.value, v);
  };
  experts.forEach((w, e) => {
    const block = moe.experts[e];
    put(`expert ${e}'s W1`, block.W1, w.W1);
    put(`expert ${e}'s b1`, block.b1, w.b1);
    put(`expert ${e}'s W2`, block.W2, w.W2);
    put(`expert ${e}'s b2`, block.b2, w.b2);
  });
  put('the router W', moe.router, router.W);
  put('the router bias', moe.routerBias, router.b);
}
