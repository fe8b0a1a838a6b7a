// Optimisers, wasm against the reference over several steps: Adam (Keras bias correction,
// AdamW decay, L1 shrink, mask) and SGD (momentum, L2, L1 shrink, mask).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import type { AdamOptions, F32, SgdOptions } from '../src/backend/index.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';

const STEPS = 5;

/** Run `steps` updates with fresh gradients on a backend; returns [param, state...] contents. */
function train(b: Backend, w0: Float32Array, grads: Float32Array[], mask: Float32Array | null, step: (p: F32, g: F32, s1: F32, s2: F32, mask: F32 | null, t: number) => void): Float32Array[] {
  const n = w0.length;
  const p = b.upload(w0), g = b.alloc(n), s1 = b.alloc(n), s2 = b.alloc(n), mk = mask ? b.upload(mask) : null;
  grads.forEach((gr, t) => {
    b.write(g, gr);
    step(p, g, s1, s2, mk, t + 1);
  });
  const out = [b.read(p), b.read(s1), b.read(s2)];
  for (const buf of [p, g, s1, s2, mk]) if (buf) b.free(buf);
  return out;
}

/** A random problem; `size` pins n (the first cases take n = 1 with every option). */
function problem(seed: number, size?: number): { n: number; w0: Float32Array; grads: Float32Array[]; mask: Float32Array | null } {
  const r = rng(seed);
  const n = size ?? r.pick(SIZES) * r.int(1, 5);
  const w0 = r.floats(n, -0.5, 0.5);
  const grads = Array.from({ length: STEPS }, () => r.floats(n));
  const mask = r.int(0, 2) === 1 ? Float32Array.from({ length: n }, () => +(r.uniform(0, 1) > 0.3)) : null;
  if (mask) for (let i = 0; i < n; i++) w0[i] *= mask[i];
  return { n, w0, grads, mask };
}

test('adam matches the reference over several steps with every option', () => {
  for (let t = 0; t < 40; t++) {
    const seed = SEED + 100 + t, r = rng(seed * 7);
    const { n, w0, grads, mask } = problem(seed, t < 6 ? 1 : undefined);
    const base = { lr: r.uniform(1e-4, 0.05), beta1: 0.9, beta2: 0.999, eps: 1e-7 };
    const extra: Partial<AdamOptions> = [{}, { l1: r.uniform(0, 0.5) }, { weightDecay: r.uniform(0, 0.1) }][t % 3];
    const run = (b: Backend): Float32Array[] => train(b, w0, grads, mask, (p, g, m, v, mk, step) => b.adam(p, g, m, v, n, { ...base, ...extra, step }, mk));
    const [got, want] = [run(wasm), run(reference)];
    const what = `adam n=${n} ${JSON.stringify(extra)} mask=${!!mask}`;
    ['param', 'm', 'v'].forEach((name, i) => allClose(got[i], want[i], 1e-6, 1e-5, seed, `${what} ${name}`));
    if (mask) for (let i = 0; i < n; i++) if (mask[i] === 0) assert.is(got[0][i], 0, `${what}: masked weight ${i} moved (seed ${seed})`);
  }
});

test('adam without mask, decay or L1 (its own loop) gives the bits of the general loop', () => {
  // A mask of ones takes the general loop with nothing pruned: the same update, every bit alike,
  // −0 included (both loops end it at +0); zero gradients exercise the moments' flush.
  for (let t = 0; t < 12; t++) {
    const seed = SEED + 150 + t, { n, w0, grads } = problem(seed, t < 3 ? 1 : undefined);
    w0[0] = -0;
    grads.forEach((g, s) => {
      g[0] = 0; // w stays −0 − 0 = −0 before the last operation
      if (s % 2) g.fill(0, 0, n >> 1);
    });
    const run = (mask: Float32Array | null) => train(wasm, w0, grads, mask, (p, g, m, v, mk, step) => wasm.adam(p, g, m, v, n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, step }, mk));
    const [plain, general] = [run(null), run(new Float32Array(n).fill(1))];
    ['param', 'm', 'v'].forEach((name, i) => assert.equal(new Uint32Array(plain[i].buffer), new Uint32Array(general[i].buffer), `adam n=${n} ${name} (seed ${seed})`));
  }
});

test('adam first step equals the hand-computed Keras update', () => {
  // m = 0.1·g, v = 0.001·g², lr_t = lr·√0.001/0.1 → w − lr·g/|g| (ε tiny).
  const b = wasm, p = b.upload(new Float32Array([1, -1])), g = b.upload(new Float32Array([0.5, -2])), m = b.alloc(2), v = b.alloc(2);
  b.adam(p, g, m, v, 2, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-12, step: 1 });
  allClose(b.read(p), [0.99, -0.99], 1e-6, 0, 0, 'adam step 1');
  for (const buf of [p, g, m, v]) b.free(buf);
});

test('adam flushes a moment that decays below 1e-30 to exactly 0, on both backends', () => {
  // m = 1e-4 after one step with g = 1e-3, then ×0.9 per zero-gradient step: 1e-4·0.9^550 ≈ 7e-30
  // stays, 1e-4·0.9^600 ≈ 2e-32 (a normal float) flushes; v ≈ 5e-10 stays.
  const n = 5, grads = [new Float32Array(n).fill(1e-3), ...Array.from({ length: 599 }, () => new Float32Array(n))];
  for (const b of [wasm, reference]) {
    const at = (steps: number) => train(b, new Float32Array(n).fill(0.25), grads.slice(0, steps), null, (p, g, m, v, mk, step) => b.adam(p, g, m, v, n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, step }, mk));
    const [, m550] = at(550), [w600, m600, v600] = at(600);
    assert.ok(m550.every((x) => x > 1e-30), `${b.name}: m before the threshold ${m550[0]}`);
    assert.equal([...m600], new Array(n).fill(0), `${b.name}: m past the threshold`);
    assert.ok(v600.every((x) => x > 1e-10), `${b.name}: v ${v600[0]}`);
    assert.ok(w600.every((x) => x < 0.25 && x > 0.2), `${b.name}: w ${w600[0]}`);
  }
});

test('sgd matches the reference with and without momentum, L2, L1 and mask', () => {
  for (let t = 0; t < 40; t++) {
    const seed = SEED + 200 + t, r = rng(seed * 7);
    const { n, w0, grads, mask } = problem(seed, t < 6 ? 1 : undefined);
    const momentum = t % 2 === 0 ? r.uniform(0.5, 0.95) : 0;
    const opts: SgdOptions = { lr: r.uniform(1e-3, 0.1), momentum, ...[{}, { l1: r.uniform(0, 0.5) }, { l2: r.uniform(0, 0.1) }][t % 3] };
    const useVelocity = momentum > 0 || t % 4 === 1;
    const run = (b: Backend): Float32Array[] => train(b, w0, grads, mask, (p, g, vel, _s2, mk) => b.sgd(p, g, useVelocity ? vel : null, n, opts, mk));
    const [got, want] = [run(wasm), run(reference)];
    const what = `sgd n=${n} ${JSON.stringify(opts)} mask=${!!mask}`;
    allClose(got[0], want[0], 1e-6, 1e-5, seed, `${what} param`);
    allClose(got[1], want[1], 1e-6, 1e-5, seed, `${what} velocity`);
    if (mask) for (let i = 0; i < n; i++) if (mask[i] === 0) assert.is(got[0][i], 0, `${what}: masked weight ${i} moved (seed ${seed})`);
  }
});

test('L1 shrink sets small weights to exactly zero', () => {
  for (const b of [wasm, reference]) {
    const p = b.upload(new Float32Array([0.05, -0.05, 1, -1, 0.3])), g = b.alloc(5);
    b.sgd(p, g, null, 5, { lr: 0.1, l1: 1 }); // shrink by 0.1
    allClose(b.read(p), [0, 0, 0.9, -0.9, 0.2], 1e-7, 1e-6, 0, `${b.name} l1`);
    for (const buf of [p, g]) b.free(buf);
  }
});

test.run();
