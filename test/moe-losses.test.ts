// The router's auxiliary losses: published values at known points, masks, and their
// gradients by finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { balanceLoss, logSumExps, routerEntropy, softmaxBackward, zLoss } from '../src/moe/losses.js';
import { sigmoid, softplus } from '../src/moe/portable-exp.js';
import { type Routing, route } from '../src/moe/routing.js';
import { SEED, rng } from './util/prng.js';

const token = (k: number): Routing => ({ mode: 'token', k, capacityFactor: null, normalize: k > 1, bias: null });

function softmaxRows(z: Float32Array | Float64Array, rows: number, E: number): Float32Array {
  const p = new Float32Array(rows * E);
  for (let i = 0; i < rows; i++) {
    let m = -Infinity, s = 0;
    for (let j = 0; j < E; j++) m = Math.max(m, z[i * E + j]);
    for (let j = 0; j < E; j++) s += Math.exp(z[i * E + j] - m);
    for (let j = 0; j < E; j++) p[i * E + j] = Math.exp(z[i * E + j] - m) / s;
  }
  return p;
}

const lseOf = (z: Float32Array, p: Float32Array, rows: number, E: number): Float64Array => logSumExps(z, p, rows, E, new Float64Array(rows));

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a}, expected ${b}`);

test('balance loss is α at uniform routing, for top-1 and top-2 alike, and α·E under collapse', () => {
  const alpha = 1e-2;
  for (const E of [1, 2, 5, 8]) {
    // Uniform P: every probability 1/E (f then collapses onto expert 0 by the tie rule — L is still α).
    const rows = 4 * E, uniform = new Float32Array(rows * E).fill(1 / E);
    for (const k of [1, 2].filter((k) => k <= E)) {
      close(balanceLoss(route(uniform, rows, E, token(k)), uniform, alpha, null, null), alpha, 1e-8, `E ${E} k ${k} uniform P`);
      // Uniform f with peaked P: row i prefers expert i mod E.
      const z = Float32Array.from({ length: rows * E }, (_, j) => (j % E === Math.floor(j / E) % E ? 3 : 0));
      const p = softmaxRows(z, rows, E);
      if (k === 1) close(balanceLoss(route(p, rows, E, token(k)), p, alpha, null, null), alpha, 1e-7, `E ${E} uniform f`);
    }
    const z = Float32Array.from({ length: rows * E }, (_, j) => (j % E === 0 ? 30 : 0));
    const collapsed = softmaxRows(z, rows, E);
    close(balanceLoss(route(collapsed, rows, E, token(1)), collapsed, alpha, null, null), alpha * E, 1e-6, `E ${E} collapse`);
    if (E > 1) assert.ok(balanceLoss(route(collapsed, rows, E, token(1)), collapsed, alpha, null, null) > alpha * 1.5);
  }
});

test('expert choice has no balance loss (balanced by construction)', () => {
  const p = new Float32Array(12).fill(0.25);
  assert.is(balanceLoss(route(p, 3, 4, { mode: 'expert', capacityFactor: 1 }), p, 1e-2, null, null), 0);
});

test('z-loss is (1/n)·Σ lse², entropy is log E at uniform; masked rows change neither', () => {
  const rows = 6, E = 4, r = rng(SEED + 30);
  const z = r.floats(rows * E, -3, 3), p = softmaxRows(z, rows, E);
  let want = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < E; j++) s += Math.exp(z[i * E + j]);
    want += Math.log(s) ** 2;
  }
  close(zLoss(lseOf(z, p, rows, E), p, rows, E, 1e-3, null, null), (1e-3 * want) / rows, 1e-9, 'z-loss');
  const zeros = new Float32Array(rows * E), uniform = new Float32Array(rows * E).fill(1 / E);
  close(routerEntropy(lseOf(zeros, uniform, rows, E), zeros, uniform, rows, E, null), Math.log(E), 1e-6, 'entropy');
  let h = 0;
  for (let j = 0; j < rows * E; j++) h -= p[j] * Math.log(p[j]);
  close(routerEntropy(lseOf(z, p, rows, E), z, p, rows, E, null), h / rows, 1e-6, 'entropy as −Σ p·log p');
  // Append padding rows with wild logits: masked, every loss stays.
  const pad = 5, zz = new Float32Array((rows + pad) * E), valid = new Uint8Array(rows + pad);
  zz.set(z);
  for (let j = rows * E; j < zz.length; j++) zz[j] = j % E === 0 ? 40 : -40;
  valid.fill(1, 0, rows);
  const pp = softmaxRows(zz, rows + pad, E);
  const lse = lseOf(z, p, rows, E), lsePadded = lseOf(zz, pp, rows + pad, E);
  close(zLoss(lsePadded, pp, rows + pad, E, 1e-3, valid, null), zLoss(lse, p, rows, E, 1e-3, null, null), 1e-9, 'masked z-loss');
  close(routerEntropy(lsePadded, zz, pp, rows + pad, E, valid), routerEntropy(lse, z, p, rows, E, null), 1e-7, 'masked entropy');
  for (const k of [1, 2]) {
    const full = balanceLoss(route(pp, rows + pad, E, token(k), valid), pp, 1e-2, valid, null);
    close(full, balanceLoss(route(p, rows, E, token(k)), p, 1e-2, null, null), 1e-9, `masked balance k ${k}`);
  }
});

test('balance + z-loss gradients w.r.t. the logits match finite differences; masked rows get none', () => {
  const rows = 7, E = 5, alpha = 0.3, beta = 0.1, r = rng(SEED + 31);
  const z = Float64Array.from(r.floats(rows * E, -2, 2));
  const valid = Uint8Array.from({ length: rows }, (_, i) => (i === 3 ? 0 : 1));
  for (const k of [1, 2]) {
    const total = (zz: Float64Array, grad: Float32Array | null): number => {
      const z32 = Float32Array.from(zz), p = softmaxRows(zz, rows, E);
      const plan = route(p, rows, E, token(k), valid);
      const dP = grad ? new Float32Array(rows * E) : null;
      const b = balanceLoss(plan, p, alpha, valid, dP);
      if (grad) softmaxBackward(p, dP!, rows, E, grad);
      return b + zLoss(lseOf(z32, p, rows, E), p, rows, E, beta, valid, grad);
    };
    const g = new Float32Array(rows * E);
    total(z, g);
    const eps = 1e-3;
    for (let i = 0; i < rows * E; i++) {
      const up = z.slice(), down = z.slice();
      up[i] += eps; down[i] -= eps;
      const num = (total(up, null) - total(down, null)) / (2 * eps);
      assert.ok(Math.abs(num - g[i]) < 2e-4 + 1e-2 * Math.abs(num), `k ${k} dz[${i}] = ${g[i]}, numeric ${num}`);
      if (!valid[Math.floor(i / E)]) assert.is(g[i], 0);
    }
  }
});

test('portable softplus and sigmoid (the noisy router) agree with Math to 1e-10 relative', () => {
  for (let z = -80; z <= 80; z += 0.0137) {
    const sp = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))), sg = 1 / (1 + Math.exp(-z));
    assert.ok(Math.abs(softplus(z) - sp) <= 1e-10 * sp, `softplus(${z}) = ${softplus(z)}, Math ${sp}`);
    assert.ok(Math.abs(sigmoid(z) - sg) <= 1e-10 * sg, `sigmoid(${z}) = ${sigmoid(z)}, Math ${sg}`);
  }
  assert.is(softplus(-1000), 0);
  assert.is(softplus(1000), 1000);
});

test.run();
