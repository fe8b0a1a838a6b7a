// The scikit-learn fixtures of test/fixtures/linear (made by scripts/sklearn-fixtures.py):
// the data sets, their splits, and the per-row objective evaluated in float64.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/data/dataset.js';

const dir = fileURLToPath(new URL('../fixtures/linear/', import.meta.url));

export interface ReferenceCase {
  set: string;
  penalty: 'l2' | 'l1' | 'elasticnet';
  C: number;
  l1Ratio: number | null;
  objective: number;
  nonZero: number;
  weights: number;
  zeros: number[];
  accuracy: number;
  iterations: number;
}

export const reference: {
  sklearn: string;
  splits: Record<string, { train: number[]; test: number[]; default: { accuracy: number; iterations: number } }>;
  cases: ReferenceCase[];
} = JSON.parse(readFileSync(dir + 'reference.json', 'utf8'));

/** A fixture CSV (features…, integer label; no header) as a dataset. */
export function loadSet(name: string): Dataset {
  const lines = readFileSync(`${dir}${name}.csv`, 'utf8').trim().split('\n');
  const cols = lines[0].split(',').length - 1, rows = lines.length;
  const x = new Float32Array(rows * cols), y = new Int32Array(rows);
  lines.forEach((line, r) => {
    const v = line.split(',').map(Number);
    x.set(v.slice(0, cols), r * cols);
    y[r] = v[cols];
  });
  return { x, rows, cols, y, classes: Math.max(...y) + 1 };
}

/**
 * Mean loss + l1·‖W‖₁ + (l2/2)·‖W‖² in float64 for W (inputs × outputs) and b; one output
 * is the binary logistic loss, more the softmax cross-entropy.
 */
export function objective(ds: Dataset, W: ArrayLike<number>, b: ArrayLike<number>, l1: number, l2: number): number {
  const k = b.length, { rows, cols } = ds;
  let loss = 0;
  const z = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      let s = b[c];
      for (let j = 0; j < cols; j++) s += ds.x[r * cols + j] * W[j * k + c];
      z[c] = s;
    }
    const y = ds.y[r];
    if (k === 1) loss += Math.max(z[0], 0) - z[0] * y + Math.log1p(Math.exp(-Math.abs(z[0])));
    else {
      const m = Math.max(...z);
      loss += m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y];
    }
  }
  let a = 0, q = 0;
  for (let i = 0; i < W.length; i++) {
    a += Math.abs(W[i]);
    q += W[i] * W[i];
  }
  return loss / rows + l1 * a + 0.5 * l2 * q;
}

/** MNIST digits downsampled to 8×8: the 24×24 centre, averaged over 3×3 blocks. */
export function mnist8x8(ds: Dataset): Dataset {
  const x = new Float32Array(ds.rows * 64);
  for (let r = 0; r < ds.rows; r++) {
    for (let i = 0; i < 24; i++) {
      for (let j = 0; j < 24; j++) x[r * 64 + Math.floor(i / 3) * 8 + Math.floor(j / 3)] += ds.x[r * 784 + (i + 2) * 28 + j + 2] / 9;
    }
  }
  return { ...ds, x, cols: 64 };
}

/**
 * An independent float64 reference: FISTA with backtracking on the softmax objective
 * (mean cross-entropy + l1·‖W‖₁ + (l2/2)·‖W‖², intercept unpenalised), run for `iterations`.
 * Returns W (inputs × classes) and b.
 */
export function fistaSoftmax(ds: Dataset, l1: number, l2: number, iterations: number): { W: Float64Array; b: Float64Array } {
  const k = ds.classes!, { rows, cols } = ds, n = cols * k + k;
  const smooth = (t: Float64Array, g: Float64Array | null): number => {
    let loss = 0;
    g?.fill(0);
    const z = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        let s = t[cols * k + c];
        for (let j = 0; j < cols; j++) s += ds.x[r * cols + j] * t[j * k + c];
        z[c] = s;
      }
      const m = Math.max(...z);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[c] - m);
      loss += m + Math.log(sum) - z[ds.y[r]];
      if (!g) continue;
      for (let c = 0; c < k; c++) {
        const d = (Math.exp(z[c] - m) / sum - (c === ds.y[r] ? 1 : 0)) / rows;
        for (let j = 0; j < cols; j++) g[j * k + c] += d * ds.x[r * cols + j];
        g[cols * k + c] += d;
      }
    }
    let q = 0;
    for (let i = 0; i < cols * k; i++) {
      q += t[i] * t[i];
      if (g) g[i] += l2 * t[i];
    }
    return loss / rows + 0.5 * l2 * q;
  };
  const prox = (v: number, i: number, step: number) => (i < cols * k ? Math.sign(v) * Math.max(Math.abs(v) - step * l1, 0) : v);
  let x = new Float64Array(n), y = new Float64Array(n), tk = 1, L = 1;
  const g = new Float64Array(n), next = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    const fy = smooth(y, g);
    for (;;) {
      let lin = 0, quad = 0;
      for (let i = 0; i < n; i++) {
        next[i] = prox(y[i] - g[i] / L, i, 1 / L);
        const d = next[i] - y[i];
        lin += g[i] * d;
        quad += d * d;
      }
      if (smooth(next, null) <= fy + lin + (L / 2) * quad + 1e-15) break;
      L *= 2;
    }
    const t1 = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const prev = x;
    x = Float64Array.from(next);
    y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = x[i] + ((tk - 1) / t1) * (x[i] - prev[i]);
    tk = t1;
  }
  return { W: x.subarray(0, cols * k), b: x.subarray(cols * k) };
}
