// Dispatch plans: top-k token choice, capacity, expert choice, masks, bias balancing,
// and the gate-weight gradient.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SparseExpertsError } from '../src/errors.js';
import { updateBias } from '../src/moe/bias-balance.js';
import { type DispatchPlan, type Routing, route, weightGradToProbs } from '../src/moe/routing.js';
import { SEED, rng } from './util/prng.js';

/** Random rows of probabilities (rows × E), each row a softmax of uniform logits. */
function probsOf(rows: number, E: number, seed: number, skew: number[] = []): Float32Array {
  const r = rng(seed), p = new Float32Array(rows * E);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += p[i * E + e] = Math.exp(r.uniform(-2, 2) + (skew[e] ?? 0));
    for (let e = 0; e < E; e++) p[i * E + e] /= s;
  }
  return p;
}

const token = (k: number, capacityFactor: number | null = null, normalize = k > 1): Routing => ({ mode: 'token', k, capacityFactor, normalize, bias: null });

/** Per expert, the slots' rows (ascending) — checks the plan is well formed on the way. */
function slotsOf(plan: DispatchPlan): number[][] {
  const out: number[][] = [];
  for (let e = 0; e < plan.experts; e++) {
    const rows = Array.from(plan.row.subarray(plan.offsets[e], plan.offsets[e + 1]));
    for (let s = 1; s < rows.length; s++) assert.ok(rows[s] > rows[s - 1], `expert ${e}: rows not strictly ascending`);
    out.push(rows);
  }
  return out;
}

test('top-1 (Switch): every row goes to its most probable expert with weight p', () => {
  const rows = 37, E = 5, p = probsOf(rows, E, SEED);
  const plan = route(p, rows, E, token(1));
  const slots = slotsOf(plan);
  assert.is(plan.offsets[E], rows);
  for (let e = 0; e < E; e++) {
    for (const [s, i] of slots[e].entries()) {
      const rowP = Array.from(p.subarray(i * E, (i + 1) * E));
      assert.is(rowP.indexOf(Math.max(...rowP)), e, `row ${i}`);
      assert.is(plan.weight[plan.offsets[e] + s], p[i * E + e]);
    }
  }
  assert.is(plan.dropped, 0);
  assert.is(plan.unrouted, 0);
});

test('top-2 (GShard): two distinct experts per row, renormalised weights sum to 1; raw weights without normalize', () => {
  const rows = 29, E = 6, p = probsOf(rows, E, SEED + 1);
  for (const normalize of [true, false]) {
    const plan = route(p, rows, E, token(2, null, normalize));
    const sum = new Float64Array(rows), seen = new Map<number, number[]>();
    slotsOf(plan).forEach((rs, e) => rs.forEach((i, s) => {
      sum[i] += plan.weight[plan.offsets[e] + s];
      seen.set(i, [...(seen.get(i) ?? []), e]);
    }));
    for (let i = 0; i < rows; i++) {
      const es = seen.get(i)!;
      assert.is(es.length, 2);
      const rowP = Array.from(p.subarray(i * E, (i + 1) * E)).sort((a, b) => b - a);
      const want = normalize ? 1 : rowP[0] + rowP[1];
      assert.ok(Math.abs(sum[i] - want) < 1e-6, `row ${i}: weights sum to ${sum[i]}, expected ${want}`);
    }
  }
});

test('capacity: each expert keeps at most ⌈C·n·k/E⌉, drops exactly the overflow, first choices first', () => {
  const r = rng(SEED + 2);
  for (let t = 0; t < 60; t++) {
    const rows = r.pick([0, 1, 3, 8, 17, 40]), E = r.int(1, 7), k = r.int(1, E + 1), C = r.pick([0.5, 1, 1.25, 2]);
    // A skew towards expert 0 forces overflow.
    const p = probsOf(rows, E, SEED + 100 + t, [2]);
    const plan = route(p, rows, E, token(k, C));
    const cap = Math.ceil((C * rows * k) / E);
    const demand = new Array<number>(E).fill(0);
    for (const e of plan.choice!) demand[e]++;
    let overflow = 0;
    for (let e = 0; e < E; e++) {
      const load = plan.offsets[e + 1] - plan.offsets[e];
      assert.is(load, Math.min(cap, demand[e]), `expert ${e} load (rows ${rows}, E ${E}, k ${k}, C ${C})`);
      overflow += Math.max(0, demand[e] - cap);
    }
    assert.is(plan.dropped, overflow);
    assert.is(plan.capacity, cap);
    // Priority: a kept second choice of e means no first choice of e was dropped.
    const kept = slotsOf(plan);
    for (let e = 0; e < E; e++) {
      const firsts = [...Array(rows).keys()].filter((i) => plan.choice![i * k] === e);
      const later = kept[e].filter((i) => plan.choice![i * k] !== e);
      if (later.length > 0) assert.ok(firsts.every((i) => kept[e].includes(i)), `expert ${e}: a second choice beat a first`);
    }
  }
  const collapsed = route(probsOf(8, 4, SEED, [20]), 8, 4, token(1, 1));
  assert.equal(slotsOf(collapsed)[0], [0, 1]);
  assert.is(collapsed.dropped, 6);
  assert.is(collapsed.unrouted, 6);
});

test('expert choice: each expert takes exactly c = ⌈n·C/E⌉ rows, its most probable ones', () => {
  const r = rng(SEED + 3);
  for (let t = 0; t < 40; t++) {
    const rows = r.pick([0, 1, 2, 9, 31]), E = r.int(1, 6), C = r.pick([0.5, 1, 2, 8]);
    const p = probsOf(rows, E, SEED + 200 + t);
    const plan = route(p, rows, E, { mode: 'expert', capacityFactor: C });
    const c = Math.min(rows, Math.ceil((rows * C) / E));
    slotsOf(plan).forEach((rs, e) => {
      assert.is(rs.length, c, `expert ${e}`);
      const mine = new Set(rs);
      const worstIn = Math.min(...rs.map((i) => p[i * E + e]));
      for (let i = 0; i < rows; i++) if (!mine.has(i)) assert.ok(p[i * E + e] <= worstIn, `expert ${e} skipped a more probable row ${i}`);
      rs.forEach((i, s) => assert.is(plan.weight[plan.offsets[e] + s], p[i * E + e]));
    });
  }
});

test('masked rows take no part in routing', () => {
  const rows = 20, E = 4, p = probsOf(rows, E, SEED + 4);
  const valid = Uint8Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 0 : 1));
  for (const r of [token(1, 1), token(2), { mode: 'expert', capacityFactor: 2 } as Routing]) {
    const plan = route(p, rows, E, r, valid);
    assert.is(plan.routed, rows - 7);
    for (const i of plan.row) assert.ok(valid[i], `${r.mode}: masked row ${i} dispatched`);
  }
  assert.is(route(p, rows, E, token(1, 1), valid).capacity, Math.ceil((rows - 7) / E));
});

test('bad routing configs fail with a typed error', () => {
  const p = probsOf(4, 3, SEED);
  for (const [E, r] of [[3, token(4)], [3, token(0)], [0, token(1)], [3, token(1, 0)], [3, token(1, -1)], [3, token(1.5)],
    [3, { mode: 'expert', capacityFactor: 0 }], [3, { mode: 'expert', capacityFactor: null }]] as Array<[number, Routing]>) {
    try {
      route(p, E === 0 ? 0 : 4, E, r);
      assert.unreachable(`E ${E} ${JSON.stringify(r)} accepted`);
    } catch (err) {
      assert.instance(err, SparseExpertsError);
      assert.is((err as SparseExpertsError).code, 'ERR_BAD_ARGUMENT');
    }
  }
});

test('bias balancing (DeepSeek-V3) evens a skewed router without touching the weights', () => {
  const rows = 256, E = 8, p = probsOf(rows, E, SEED + 5, [0.8, 0.4]);
  const bias = new Float32Array(E);
  const spread = (plan: DispatchPlan): number => {
    const ideal = rows / E;
    let max = 0;
    for (let e = 0; e < E; e++) max = Math.max(max, (plan.offsets[e + 1] - plan.offsets[e]) / ideal);
    return max;
  };
  const before = spread(route(p, rows, E, token(1)));
  let plan = route(p, rows, E, { ...token(1), bias } as Routing);
  for (let step = 0; step < 400; step++) {
    updateBias(bias, plan, 1e-3); // DeepSeek-V3's γ
    plan = route(p, rows, E, { ...token(1), bias } as Routing);
  }
  assert.ok(before > 2, `the skew should overload an expert, max load/ideal ${before}`);
  assert.ok(spread(plan) < 1.25, `after 400 steps max load/ideal is ${spread(plan)}`);
  slotsOf(plan).forEach((rs, e) => rs.forEach((i, s) => assert.is(plan.weight[plan.offsets[e] + s], p[i * E + e])));
});

test('weightGradToProbs matches finite differences of Σ c·w(p), raw and renormalised', () => {
  const rows = 9, E = 5, p = probsOf(rows, E, SEED + 6);
  for (const r of [token(1), token(2, null, true), token(3, 1, true), token(2, null, false)]) {
    const plan = route(p, rows, E, r);
    const c = rng(SEED + 7).floats(plan.row.length);
    const L = (q: Float32Array): number => {
      const pl = route(q, rows, E, r);
      return pl.weight.reduce((s, w, i) => s + c[i] * w, 0);
    };
    const dP = new Float32Array(rows * E);
    weightGradToProbs(plan, c, dP);
    const eps = 1e-3;
    for (let i = 0; i < rows * E; i++) {
      const up = p.slice(), down = p.slice();
      up[i] += eps; down[i] -= eps;
      const num = (L(up) - L(down)) / (2 * eps);
      assert.ok(Math.abs(num - dP[i]) < 1e-3 + 1e-2 * Math.abs(num), `${JSON.stringify(r)} dP[${i}] = ${dP[i]}, numeric ${num}`);
    }
  }
});

test('top-1 dropless (the two-pass Switch path) gives the general path\'s plan: bias, ties, masks, NaN', () => {
  const r = rng(SEED + 9);
  for (let t = 0; t < 40; t++) {
    const rows = r.pick([0, 1, 2, 7, 64, 257]), E = r.pick([1, 2, 3, 8, 13]), p = probsOf(rows, E, SEED + 100 + t);
    // Ties and NaN: the first strict maximum wins in both.
    if (t % 4 === 1 && rows > 0) p.fill(p[0], 0, Math.min(rows * E, 3 * E));
    if (t % 4 === 2 && rows > 0) p[r.int(0, rows * E)] = NaN;
    const bias = t % 2 ? Float32Array.from({ length: E }, () => r.uniform(-0.1, 0.1)) : null;
    const valid = t % 3 === 0 ? Uint8Array.from({ length: rows }, () => r.int(0, 4) > 0 ? 1 : 0) : null;
    const fast = route(p, rows, E, { mode: 'token', k: 1, capacityFactor: null, normalize: false, bias }, valid);
    // A capacity no expert can reach takes the general path and drops nothing.
    const general = route(p, rows, E, { mode: 'token', k: 1, capacityFactor: 1e9, normalize: false, bias }, valid);
    // As text, so that a NaN weight equals itself.
    const text = (plan: DispatchPlan) => JSON.stringify({ ...plan, capacity: 0 }, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array, String) : v));
    assert.is(text(fast), text(general), `plans differ: ${rows} rows, E = ${E}, case ${t} (seed ${SEED + 9})`);
    assert.is(fast.capacity, Infinity);
  }
});

test.run();
