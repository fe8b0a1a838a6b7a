// The MoE layer: finite-difference gradients through experts, gate weights, router and
// the auxiliary losses (noise on with a fixed ε, and off) and shared experts, on both backends;
// determinism by seed; bad configs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import { Rng } from '../src/data/prng.js';
import { SparseExpertsError } from '../src/errors.js';
import { MoE, type MoESpec } from '../src/moe/moe-layer.js';
import { reference, wasm } from './util/backends.js';
import { elements, finiteDiff, planKey } from './util/moe-grad.js';
import { SEED, rng } from './util/prng.js';

const ROWS = 9, INPUTS = 6;

function gradCheck(b: Backend, spec: MoESpec, seed: number): void {
  const r = rng(seed);
  const m = new MoE(b, INPUTS, spec);
  m.initialize(new Rng(seed));
  // A router scaled up so probabilities are far from uniform and the aux losses matter.
  b.write(m.router.value, b.read(m.router.value).map((v) => v * 8));
  const xs = r.floats(ROWS * INPUTS), c = r.floats(ROWS * spec.units);
  const x = b.upload(xs), dy = b.alloc(ROWS * spec.units);
  const loss = (): number => {
    // A fresh stream per forward: the same noise ε every time, so noisy top-k is a smooth function too.
    const out = b.view(m.forward(x, ROWS, { training: true, rng: new Rng(seed + 1) }));
    let l = m.auxLoss();
    for (let i = 0; i < ROWS * spec.units; i++) l += c[i] * out[i];
    return l;
  };
  loss();
  assert.ok(m.auxLoss() > 0, 'aux loss present');
  b.write(dy, c);
  const dx = b.read(m.backward(dy, ROWS, true)!);
  const coords = [
    ...m.params().flatMap((p) => [...elements(p.name, () => b.read(p.value), (v) => b.write(p.value, v), b.read(p.grad))]),
    ...elements('x', () => b.read(x), (v) => b.write(x, v), dx),
  ];
  try {
    const { checked, skipped } = finiteDiff(coords, loss, () => planKey(m.plan!));
    assert.ok(skipped <= 0.1 * (checked + skipped), `${skipped} of ${checked + skipped} coordinates changed the routing or crossed a kink`);
  } catch (err) {
    throw new Error(`${b.name} ${JSON.stringify(spec)} ${(err as Error).message} (seed ${seed})`);
  }
  m.dispose();
  b.free(x);
  b.free(dy);
}

const SPECS: MoESpec[] = [
  { experts: 4, hidden: 5, units: 3, k: 1, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 },
  { experts: 4, hidden: 5, units: 3, k: 2, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 },
  { experts: 5, hidden: 3, units: 2, k: 2, capacityFactor: 1, normalize: false, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 },
  { experts: 3, hidden: 4, units: 3, routing: 'expert', capacityFactor: 1.5, zLossCoef: 0.1 },
  { experts: 4, hidden: 3, units: 2, k: 2, noise: true, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 },
  { experts: 4, hidden: 5, units: 3, k: 1, sharedExperts: 1, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 },
  // Two shared experts (one block of 2·hidden) and a capacity that cuts rows: those keep the shared output.
  { experts: 3, hidden: 3, units: 2, k: 1, sharedExperts: 2, capacityFactor: 0.7, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 },
];

for (const b of [reference, wasm]) {
  SPECS.forEach((spec, i) => {
    test(`${b.name}: gradients match finite differences (${spec.routing ?? 'token'} k=${spec.k ?? '-'} C=${spec.capacityFactor ?? 'dropless'}${spec.noise ? ' noisy' : ''}${spec.sharedExperts ? ` shared ${spec.sharedExperts}` : ''})`, () => gradCheck(b, spec, SEED + 50 + i));
  });
}

function trainTwice(b: Backend, spec: MoESpec, seed: number): Float32Array[] {
  const r = rng(seed), xs = r.floats(ROWS * INPUTS), dys = r.floats(ROWS * spec.units);
  const m = new MoE(b, INPUTS, spec);
  m.initialize(new Rng(seed));
  const x = b.upload(xs), dy = b.upload(dys), fit = new Rng(seed + 1);
  for (let t = 0; t < 3; t++) {
    m.forward(x, ROWS, { training: true, rng: fit });
    b.write(dy, dys);
    m.backward(dy, ROWS, true);
  }
  const out = [...m.params().map((p) => b.read(p.grad)), b.read(m.forward(x, ROWS, { training: false }))];
  m.dispose();
  b.free(x);
  b.free(dy);
  return out;
}

test('same seed → identical gradients and outputs, with noise and bias balancing; nothing leaks', () => {
  for (const b of [reference, wasm]) {
    const before = b.stats();
    for (const spec of [{ experts: 4, hidden: 5, units: 3, k: 2, noise: true }, { experts: 4, hidden: 5, units: 3, balance: 'bias' as const, sharedExperts: 1 }]) {
      const a = trainTwice(b, spec, SEED + 60), c = trainTwice(b, spec, SEED + 60);
      a.forEach((v, i) => assert.equal(Array.from(v), Array.from(c[i]), `${b.name} ${JSON.stringify(spec)} tensor ${i}`));
      const d = trainTwice(b, spec, SEED + 61);
      assert.not.equal(Array.from(a[0]), Array.from(d[0]), 'another seed differs');
    }
    assert.equal(b.stats().buffers, before.buffers, `${b.name} buffers`);
    assert.equal(b.stats().bytesInUse, before.bytesInUse, `${b.name} bytes`);
  }
});

test('rows cut by the capacity get a zero output; stats count them', () => {
  const b = wasm, m = new MoE(b, INPUTS, { experts: 2, hidden: 3, units: 2, capacityFactor: 0.5 });
  m.initialize(new Rng(SEED));
  // Every row prefers expert 0: capacity ⌈0.5·8·1/2⌉ = 2 of its 8 rows.
  const w = new Float32Array(INPUTS * 2);
  for (let i = 0; i < INPUTS; i++) w[i * 2] = 1;
  b.write(m.router.value, w);
  const x = b.upload(new Float32Array(8 * INPUTS).fill(1));
  const out = b.read(m.forward(x, 8, { training: true }));
  for (let r = 2; r < 8; r++) assert.equal(Array.from(out.subarray(r * 2, r * 2 + 2)), [0, 0], `row ${r}`);
  const st = m.stats();
  assert.is(st.droppedShare, 6 / 8);
  assert.is(st.expert0Rows, 2);
  assert.is(st.expert1Rows, 0);
  assert.is(st.loadMax, 0.5);
  m.dispose();
  b.free(x);
});

test('a shared expert runs on every row, rows the capacity cut too: its output plus the routed ones', () => {
  for (const b of [reference, wasm]) {
    const m = new MoE(b, INPUTS, { experts: 2, hidden: 3, units: 2, capacityFactor: 0.5, sharedExperts: 1 }), r = rng(SEED + 65);
    m.initialize(new Rng(SEED));
    const w = new Float32Array(INPUTS * 2);
    for (let i = 0; i < INPUTS; i++) w[i * 2] = 1;
    b.write(m.router.value, w);
    const xs = r.floats(8 * INPUTS).map((v) => v + 2), x = b.upload(xs); // positive: every row prefers expert 0
    const out = b.read(m.forward(x, 8, { training: false }));
    const sh = m.shared!, [W1, b1, W2, b2] = sh.params().map((p) => b.read(p.value));
    const routed = new MoE(b, INPUTS, { experts: 2, hidden: 3, units: 2, capacityFactor: 0.5 });
    routed.params().forEach((p, i) => b.write(p.value, b.read(m.params()[i].value)));
    const want = b.read(routed.forward(x, 8, { training: false }));
    assert.is(m.plan!.row.length, 2, 'the capacity keeps 2 of 8 rows');
    for (let row = 0; row < 8; row++) {
      const h = Array.from({ length: 3 }, (_, j) => Math.max(0, b1[j] + xs.slice(row * INPUTS, (row + 1) * INPUTS).reduce((a, v, i) => a + v * W1[i * 3 + j], 0)));
      for (let c = 0; c < 2; c++) {
        const y = b2[c] + h.reduce((a, v, j) => a + v * W2[j * 2 + c], 0) + want[row * 2 + c];
        assert.ok(Math.abs(out[row * 2 + c] - y) <= 1e-5 + 1e-5 * Math.abs(y), `${b.name} row ${row} unit ${c}: ${out[row * 2 + c]} vs ${y}`);
      }
    }
    assert.is(m.flopsPerSample() - routed.flopsPerSample(), sh.flopsPerRow());
    routed.dispose();
    m.dispose();
    b.free(x);
  }
});

test('0 and 1 rows, growing and shrinking batches: outputs match a fresh layer row for row', () => {
  for (const b of [reference, wasm]) {
    // The balance loss, not the bias: backward must not move the routing away from the fresh layer's.
    const spec = { experts: 3, hidden: 4, units: 2, k: 2, balance: 'loss' as const, sharedExperts: 1 }, r = rng(SEED + 70);
    const m = new MoE(b, INPUTS, spec), fresh = new MoE(b, INPUTS, spec);
    m.initialize(new Rng(SEED));
    fresh.initialize(new Rng(SEED));
    for (const rows of [0, 1, 17, 3, 0, 40, 1]) {
      const xs = r.floats(rows * INPUTS), x = b.upload(xs), dy = b.upload(r.floats(rows * 2));
      const out = b.read(m.forward(x, rows, { training: true })).subarray(0, rows * 2);
      const dx = b.read(m.backward(dy, rows, true)!).subarray(0, rows * INPUTS);
      assert.ok(dx.every(Number.isFinite), `${b.name} ${rows} rows: dx finite`);
      // Each row alone through a fresh layer: routing is per row, so the outputs agree.
      for (let i = 0; i < rows; i++) {
        const one = b.upload(xs.subarray(i * INPUTS, (i + 1) * INPUTS));
        const want = b.read(fresh.forward(one, 1, { training: false })).subarray(0, 2);
        for (let c = 0; c < 2; c++) assert.ok(Math.abs(out[i * 2 + c] - want[c]) < 1e-5, `${b.name} ${rows} rows: row ${i}`);
        b.free(one);
      }
      b.free(x);
      b.free(dy);
    }
    // Backward after an inference forward: nothing kept to differentiate.
    const x = b.alloc(INPUTS), dy = b.alloc(2);
    m.forward(x, 1, { training: false });
    assert.throws(() => m.backward(dy, 1, false), (err: SparseExpertsError) => err.code === 'ERR_BAD_ARGUMENT');
    b.free(x);
    b.free(dy);
    m.dispose();
    fresh.dispose();
  }
});

test('bad configs fail with a typed error', () => {
  for (const spec of [
    { experts: 2, hidden: 3, units: 2, k: 3 }, { experts: 2, hidden: 3, units: 2, k: 0 }, { experts: 0, hidden: 3, units: 2 },
    { experts: 2, hidden: 3, units: 2, capacityFactor: 0 }, { experts: 2, hidden: 3, units: 2, capacityFactor: -1 },
    { experts: 2, hidden: 0, units: 2 }, { experts: 2, hidden: 3, units: 2, routing: 'expert' as const, balance: 'loss' as const },
    { experts: 2, hidden: 3, units: 2, balanceCoef: -1 }, { experts: 2, hidden: 3, units: 2, sharedExperts: -1 }, { experts: 2, hidden: 3, units: 2, sharedExperts: 1.5 },
  ] as MoESpec[]) {
    const before = wasm.stats();
    try {
      new MoE(wasm, INPUTS, spec);
      assert.unreachable(`${JSON.stringify(spec)} accepted`);
    } catch (err) {
      assert.instance(err, SparseExpertsError);
      assert.is((err as SparseExpertsError).code, 'ERR_BAD_ARGUMENT', JSON.stringify(spec));
    }
    assert.is(wasm.stats().buffers, before.buffers);
  }
});

test.run();
