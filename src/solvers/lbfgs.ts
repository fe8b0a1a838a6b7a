// L-BFGS, and OWL-QN when some coordinates carry an L1 term (Andrew & Gao 2007): the
// quasi-Newton step is taken on the pseudo-gradient, kept in the orthant it points into,
// and each trial point is projected onto that orthant — so weights land on exact zeros.
// With no L1 term it is plain L-BFGS with a backtracking (Armijo) line search.
import { fail } from '../errors.js';
import type { Objective, SolveOptions, SolveResult } from './objective.js';

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 60;
/**
 * Near the minimum, float32 products make f too noisy for Armijo. Then a step is also taken
 * when f rose by at most this share and the slope along the step satisfies Hager & Zhang's
 * approximate Wolfe conditions (slopes come from the gradient, which stays accurate).
 */
const NOISE = 1e-6;
const WOLFE_SIGMA = 0.9;
const WOLFE_DELTA = 0.1;
/**
 * Stalled: the objective fell by less than this share over the last STALL_WINDOW
 * iterations — float32 products leave a rounding floor below which a tol cannot be met.
 */
const STALL_SHARE = 1e-9;
const STALL_WINDOW = 10;

export function minimize(obj: Objective, w0: Float64Array, o: SolveOptions = {}): SolveResult {
  const n = obj.size, tol = o.tol ?? 1e-5, maxIter = o.maxIter ?? 1000, memory = o.memory ?? 10;
  if (w0.length !== n) fail('ERR_BAD_SHAPE', `start point has ${w0.length} values, the objective ${n}`);
  if (!(tol > 0)) fail('ERR_BAD_ARGUMENT', `tol must be > 0, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) fail('ERR_BAD_ARGUMENT', `maxIter must be an integer ≥ 0, got ${maxIter}`);
  const l1 = o.l1 ?? null, precondition = o.precondition ?? null;
  if (precondition && (precondition.length !== n || precondition.some((v) => !(v > 0)))) fail('ERR_BAD_ARGUMENT', `precondition needs ${n} values > 0`);
  if (l1 && (l1.length !== n || l1.some((v) => !(v >= 0)))) fail('ERR_BAD_ARGUMENT', `l1 needs ${n} strengths ≥ 0`);
  const penalty = (w: Float64Array) => {
    let s = 0;
    if (l1) for (let i = 0; i < n; i++) s += l1[i] * Math.abs(w[i]);
    return s;
  };
  let w = Float64Array.from(w0), g = new Float64Array(n);
  let wNew = new Float64Array(n), gNew = new Float64Array(n);
  const pg = new Float64Array(n), pgNew = new Float64Array(n), d = new Float64Array(n);
  let f = obj.evaluate(w, g) + penalty(w), evaluations = 1;
  if (!Number.isFinite(f)) fail('ERR_DIVERGED', `the objective is ${f} at the start point: scale the inputs`);
  pseudoGradient(w, g, l1, pg);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  let iterations = 0, gradNorm = normInf(pg), stop: SolveResult['stop'] = 'maxIter';
  const values = [f];
  while (iterations < maxIter) {
    if (gradNorm <= tol) {
      stop = 'tol';
      break;
    }
    if (o.signal?.aborted) fail('ERR_ABORTED', `solver aborted at iteration ${iterations}`, o.signal.reason);
    direction(pg, S, Y, rho, precondition, d);
    // OWL-QN: drop components that leave the orthant the pseudo-gradient points into.
    if (l1) for (let i = 0; i < n; i++) if (l1[i] > 0 && d[i] * pg[i] >= 0) d[i] = 0;
    if (!(dot(d, pg) < 0)) {
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -pg[i];
    }
    // Without curvature pairs the direction is unscaled: start with a unit-length step.
    let t = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    let fNew = Number.NaN, accepted = false;
    for (let k = 0; k < MAX_BACKTRACKS && !accepted; k++, t /= 2) {
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        let v = w[i] + t * d[i];
        if (l1 && l1[i] > 0) {
          const orthant = w[i] !== 0 ? Math.sign(w[i]) : -Math.sign(pg[i]);
          if (v * orthant <= 0) v = 0;
        }
        wNew[i] = v;
        decrease += pg[i] * (v - w[i]);
      }
      fNew = obj.evaluate(wNew, gNew) + penalty(wNew);
      evaluations++;
      accepted = Number.isFinite(fNew) && fNew <= f + ARMIJO * decrease;
      if (!accepted && fNew <= f + NOISE * Math.abs(f)) {
        pseudoGradient(wNew, gNew, l1, pgNew);
        let slope = 0;
        for (let i = 0; i < n; i++) slope += pgNew[i] * (wNew[i] - w[i]);
        accepted = slope >= WOLFE_SIGMA * decrease && slope <= (2 * WOLFE_DELTA - 1) * decrease;
      }
    }
    if (!accepted) {
      stop = 'stalled'; // no decrease left above the rounding floor
      break;
    }
    const s = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = wNew[i] - w[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === memory) (S.shift(), Y.shift(), rho.shift());
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    f = fNew;
    pseudoGradient(w, g, l1, pg);
    gradNorm = normInf(pg);
    iterations++;
    values.push(f);
    o.onIteration?.(iterations, f);
    if (gradNorm > tol && iterations >= STALL_WINDOW && values[iterations - STALL_WINDOW] - f <= STALL_SHARE * Math.max(1, Math.abs(f))) {
      stop = 'stalled';
      break;
    }
  }
  if (gradNorm <= tol) stop = 'tol';
  return { w, value: f, iterations, evaluations, gradNorm, converged: stop === 'tol', stop };
}

/** The gradient of f + Σ l1ᵢ|wᵢ| where it exists; at wᵢ = 0 the one-sided slope that descends, else 0. */
function pseudoGradient(w: Float64Array, g: Float64Array, l1: Float64Array | null, pg: Float64Array): void {
  for (let i = 0; i < w.length; i++) {
    const l = l1 ? l1[i] : 0;
    if (l === 0 || w[i] > 0) pg[i] = g[i] + l;
    else if (w[i] < 0) pg[i] = g[i] - l;
    else pg[i] = g[i] + l < 0 ? g[i] + l : g[i] - l > 0 ? g[i] - l : 0;
  }
}

/**
 * d = −H·v by the two-loop recursion, H₀ = γ·P with P the diagonal preconditioner (or I)
 * and γ = sᵀy / yᵀPy from the newest pair.
 */
function direction(v: Float64Array, S: Float64Array[], Y: Float64Array[], rho: number[], P: Float64Array | null, d: Float64Array): void {
  const m = S.length, alpha = new Float64Array(m);
  d.set(v);
  for (let j = m - 1; j >= 0; j--) {
    alpha[j] = rho[j] * dot(S[j], d);
    axpy(-alpha[j], Y[j], d);
  }
  if (P) for (let i = 0; i < d.length; i++) d[i] *= P[i];
  if (m > 0) {
    const y = Y[m - 1];
    let yPy = 0;
    for (let i = 0; i < y.length; i++) yPy += y[i] * y[i] * (P ? P[i] : 1);
    const gamma = 1 / (rho[m - 1] * yPy);
    for (let i = 0; i < d.length; i++) d[i] *= gamma;
  }
  for (let j = 0; j < m; j++) axpy(alpha[j] - rho[j] * dot(Y[j], d), S[j], d);
  for (let i = 0; i < d.length; i++) d[i] = -d[i];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function normInf(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}
