// From router probabilities to a dispatch plan: which rows each expert takes and with
// what gate weight. Host-side integer work over a rows × E matrix (E is small); the
// plan's slots are contiguous per expert so each expert runs one GEMM over its rows.
import { fail } from '../errors.js';

export interface TokenChoice {
  mode: 'token';
  /** Experts per row: 1 = Switch, 2 = GShard. */
  k: number;
  /** Capacity factor C: each expert takes at most ⌈C·rows·k/E⌉ assignments; null = dropless. */
  capacityFactor: number | null;
  /** Gate weights renormalised over the row's k chosen experts (GShard, DeepSeek-V3) or the raw probability (Switch). */
  normalize: boolean;
  /** Added to the probabilities for the choice only, never to the weights (DeepSeek-V3 balancing); null = none. */
  bias: Float32Array | null;
}

export interface ExpertChoice {
  mode: 'expert';
  /** Capacity factor C: each expert takes its top c = min(rows, ⌈rows·C/E⌉) rows. */
  capacityFactor: number;
}

export type Routing = TokenChoice | ExpertChoice;

export interface DispatchPlan {
  readonly rows: number;
  readonly experts: number;
  /** Token choice: experts per row; expert choice: 0 (a row may go to 0 … E experts). */
  readonly k: number;
  /** Rows that take part (not masked out). */
  readonly routed: number;
  /** Expert e owns slots offsets[e] .. offsets[e + 1]; its load is the difference. */
  readonly offsets: Int32Array;
  /** Slot → row index, ascending within each expert. */
  readonly row: Int32Array;
  /** Slot → gate weight. */
  readonly weight: Float32Array;
  /** Token choice: rows × k chosen experts before the capacity cut (rank order); masked rows hold −1. Null for expert choice. */
  readonly choice: Int32Array | null;
  /** Token choice with normalize: per row, the sum of its chosen probabilities. */
  readonly denom: Float32Array | null;
  /** Per-expert capacity (token choice: Infinity when dropless; expert choice: c). */
  readonly capacity: number;
  /** Assignments cut by the capacity (token choice). */
  readonly dropped: number;
  /** Routed rows no expert took (expert choice; token choice: rows whose every choice was dropped). */
  readonly unrouted: number;
}

export function checkRouting(r: Routing, experts: number): void {
  if (!Number.isInteger(experts) || experts < 1) fail('ERR_BAD_ARGUMENT', `experts must be an integer ≥ 1, got ${experts}`);
  const c = r.capacityFactor;
  if (c !== null && !(c > 0 && Number.isFinite(c))) fail('ERR_BAD_ARGUMENT', `capacityFactor must be a finite number > 0 (or null for dropless), got ${c}`);
  if (r.mode === 'expert') {
    if (c === null) fail('ERR_BAD_ARGUMENT', 'expert choice needs a capacityFactor (e.g. 2)');
    return;
  }
  if (!Number.isInteger(r.k) || r.k < 1 || r.k > experts) fail('ERR_BAD_ARGUMENT', `k must be an integer in [1, experts = ${experts}], got ${r.k}`);
  if (r.bias && r.bias.length !== experts) fail('ERR_BAD_SHAPE', `bias holds ${r.bias.length} values, expected one per expert (${experts})`);
}

/**
 * The plan for `rows` rows of probabilities (rows × experts). `valid` (1 = counts) leaves
 * padding rows out of routing entirely; null = every row.
 */
export function route(probs: Float32Array, rows: number, experts: number, r: Routing, valid: Uint8Array | null = null): DispatchPlan {
  checkRouting(r, experts);
  if (probs.length < rows * experts) fail('ERR_BAD_SHAPE', `probs holds ${probs.length} values, expected rows × experts = ${rows * experts}`);
  if (valid && valid.length < rows) fail('ERR_BAD_SHAPE', `valid holds ${valid.length} flags, expected ${rows}`);
  return r.mode === 'token' ? tokenChoice(probs, rows, experts, r, valid) : expertChoice(probs, rows, experts, r, valid);
}

function countValid(rows: number, valid: Uint8Array | null): number {
  if (!valid) return rows;
  let n = 0;
  for (let i = 0; i < rows; i++) n += valid[i] ? 1 : 0;
  return n;
}

/**
 * Indices of the k largest of score j = v[o + j] (+ bias[j], summed in f64 where compared),
 * j < n, descending; ties → lower index. Read from the array, not through a callback per
 * comparison: routing is host work on every step.
 */
function topIndices(v: Float32Array, o: number, bias: Float32Array | null, n: number, k: number, out: Int32Array, at: number): void {
  let filled = 0;
  for (let j = 0; j < n; j++) {
    const s = bias ? v[o + j] + bias[j] : v[o + j];
    if (filled === k) {
      const last = out[at + k - 1];
      if (!(s > (bias ? v[o + last] + bias[last] : v[o + last]))) continue;
    }
    let p = filled < k ? filled++ : k - 1;
    for (; p > 0; p--) {
      const prev = out[at + p - 1];
      if (!((bias ? v[o + prev] + bias[prev] : v[o + prev]) < s)) break;
      out[at + p] = prev;
    }
    out[at + p] = j;
  }
}

function tokenChoice(probs: Float32Array, rows: number, E: number, r: TokenChoice, valid: Uint8Array | null): DispatchPlan {
  const k = r.k, bias = r.bias, routed = countValid(rows, valid);
  if (k === 1 && r.capacityFactor === null && !r.normalize) return switchChoice(probs, rows, E, bias, valid, routed);
  const choice = new Int32Array(rows * k).fill(-1);
  for (let i = 0; i < rows; i++) {
    if (valid && !valid[i]) continue;
    const o = i * E;
    topIndices(probs, o, bias, E, k, choice, i * k);
  }
  const capacity = r.capacityFactor === null ? Infinity : Math.ceil((r.capacityFactor * routed * k) / E);
  // GShard's priority: every row's first choice before any second choice, rows in order.
  const keep = new Uint8Array(rows * k), load = new Int32Array(E + 1);
  let dropped = 0;
  for (let t = 0; t < k; t++) {
    for (let i = 0; i < rows; i++) {
      const e = choice[i * k + t];
      if (e < 0) continue;
      if (load[e] < capacity) {
        load[e]++;
        keep[i * k + t] = 1;
      } else dropped++;
    }
  }
  const denom = r.normalize ? new Float32Array(rows) : null;
  if (denom) {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let t = 0; t < k; t++) if (choice[i * k + t] >= 0) s += probs[i * E + choice[i * k + t]];
      denom[i] = s;
    }
  }
  const offsets = prefix(load, E);
  const fillAt = offsets.slice(0, E), total = offsets[E];
  const row = new Int32Array(total), weight = new Float32Array(total);
  let unrouted = 0;
  for (let i = 0; i < rows; i++) {
    if (choice[i * k] < 0) continue;
    let any = false;
    for (let t = 0; t < k; t++) {
      if (!keep[i * k + t]) continue;
      const e = choice[i * k + t], s = fillAt[e]++;
      const p = probs[i * E + e];
      row[s] = i;
      // A zero sum only when every chosen probability underflowed: weight 0, not NaN.
      weight[s] = denom ? (denom[i] > 0 ? p / denom[i] : 0) : p;
      any = true;
    }
    if (!any) unrouted++;
  }
  return { rows, experts: E, k, routed, offsets, row, weight, choice, denom, capacity, dropped, unrouted };
}

/**
 * Top-1, dropless, raw weights (Switch; MoEModel's default): tokenChoice's plan in two passes
 * (pick and count, then place) — the same choice, first strict maximum of p + b, ties → lower index.
 */
function switchChoice(probs: Float32Array, rows: number, E: number, bias: Float32Array | null, valid: Uint8Array | null, routed: number): DispatchPlan {
  const choice = new Int32Array(rows).fill(-1), load = new Int32Array(E);
  for (let i = 0, o = 0; i < rows; i++, o += E) {
    if (valid && !valid[i]) continue;
    let best = 0, top = bias ? probs[o] + bias[0] : probs[o];
    for (let j = 1; j < E; j++) {
      const s = bias ? probs[o + j] + bias[j] : probs[o + j];
      if (s > top) {
        top = s;
        best = j;
      }
    }
    choice[i] = best;
    load[best]++;
  }
  const offsets = prefix(load, E), fillAt = offsets.slice(0, E), row = new Int32Array(routed), weight = new Float32Array(routed);
  for (let i = 0; i < rows; i++) {
    const e = choice[i];
    if (e < 0) continue;
    const at = fillAt[e]++;
    row[at] = i;
    weight[at] = probs[i * E + e];
  }
  return { rows, experts: E, k: 1, routed, offsets, row, weight, choice, denom: null, capacity: Infinity, dropped: 0, unrouted: 0 };
}

function expertChoice(probs: Float32Array, rows: number, E: number, r: ExpertChoice, valid: Uint8Array | null): DispatchPlan {
  const routed = countValid(rows, valid);
  const c = Math.min(routed, Math.ceil((rows > 0 ? routed * r.capacityFactor : 0) / E));
  const members = new Int32Array(rows);
  let n = 0;
  for (let i = 0; i < rows; i++) if (!valid || valid[i]) members[n++] = i;
  const offsets = new Int32Array(E + 1);
  for (let e = 0; e <= E; e++) offsets[e] = e * c;
  const row = new Int32Array(E * c), weight = new Float32Array(E * c);
  const taken = new Uint8Array(rows), column = new Float32Array(n);
  for (let e = 0; e < E; e++) {
    const at = e * c;
    for (let j = 0; j < n; j++) column[j] = probs[members[j] * E + e];
    topIndices(column, 0, null, n, c, row, at);
    const mine = row.subarray(at, at + c);
    for (let s = 0; s < c; s++) mine[s] = members[mine[s]];
    mine.sort();
    for (let s = 0; s < c; s++) {
      weight[at + s] = probs[mine[s] * E + e];
      taken[mine[s]] = 1;
    }
  }
  let unrouted = 0;
  for (let j = 0; j < n; j++) unrouted += taken[members[j]] ? 0 : 1;
  return { rows, experts: E, k: 0, routed, offsets, row, weight, choice: null, denom: null, capacity: c, dropped: 0, unrouted };
}

/** Exclusive prefix sums of counts[0..n) into n + 1 offsets. */
function prefix(counts: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n + 1);
  for (let e = 0; e < n; e++) out[e + 1] = out[e] + counts[e];
  return out;
}

/**
 * dL/dp (rows × experts, overwritten) from dL/dweight per slot: the weights' dependence
 * on the probabilities. Raw weights: ∂w/∂p_e = 1. Renormalised w_e = p_e / D with
 * D = Σ_{j chosen} p_j (dropped choices included, as GShard normalises before the cut):
 * ∂L/∂p_j = g_j / D − Σ_e g_e·w_e / D for every chosen j (g_j = 0 when dropped).
 */
export function weightGradToProbs(plan: DispatchPlan, dWeight: Float32Array, dProbs: Float32Array): void {
  const E = plan.experts;
  dProbs.fill(0, 0, plan.rows * E);
  const denom = plan.denom;
  const acc = denom ? new Float64Array(plan.rows) : null;
  for (let e = 0; e < E; e++) {
    for (let s = plan.offsets[e]; s < plan.offsets[e + 1]; s++) {
      const i = plan.row[s];
      if (!denom) {
        dProbs[i * E + e] += dWeight[s];
        continue;
      }
      if (!(denom[i] > 0)) continue;
      dProbs[i * E + e] += dWeight[s] / denom[i];
      acc![i] += dWeight[s] * plan.weight[s];
    }
  }
  if (!denom) return;
  const k = plan.k;
  for (let i = 0; i < plan.rows; i++) {
    if (!(denom[i] > 0)) continue;
    const shift = acc![i] / denom[i];
    for (let t = 0; t < k; t++) {
      const e = plan.choice![i * k + t];
      if (e >= 0) dProbs[i * E + e] -= shift;
    }
  }
}
