// The Optimizer over several steps equals a hand-written float64 reference: Adam with
// Keras' bias correction, SGD with momentum, L1 proximal shrink, masks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Optimizer, type OptimizerConfig } from '../src/nn/optimizer.js';
import { Param } from '../src/nn/param.js';
import { wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const N = 13, STEPS = 4;

function run(config: OptimizerConfig, l1: number, mask: Float32Array | null, seed: number) {
  const r = rng(seed);
  const w0 = r.floats(N, -0.5, 0.5);
  if (mask) for (let i = 0; i < N; i++) w0[i] *= mask[i];
  const grads = Array.from({ length: STEPS }, () => r.floats(N));
  const p = new Param(wasm, 'w', [N], true);
  wasm.write(p.value, w0);
  p.setMask(mask);
  const opt = new Optimizer(wasm, config, { l1 });
  for (const g of grads) {
    wasm.write(p.grad, g);
    opt.apply([p]);
  }
  const got = wasm.read(p.value);
  opt.dispose();
  p.dispose();
  return { got, w0, grads };
}

function shrink(w: number, by: number): number {
  return Math.sign(w) * Math.max(Math.abs(w) - by, 0);
}

test('Adam (Keras defaults) with L1 matches the hand reference over several steps', () => {
  const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, l1 = 0.05;
  const { got, w0, grads } = run({ kind: 'adam', lr }, l1, null, SEED);
  const w = Float64Array.from(w0), m = new Float64Array(N), v = new Float64Array(N);
  grads.forEach((g, s) => {
    const t = s + 1, lrt = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < N; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] = shrink(w[i] - (lrt * m[i]) / (Math.sqrt(v[i]) + eps), lr * l1);
    }
  });
  allClose(got, w, 1e-6, 1e-5, SEED, 'adam weights');
});

test('SGD with momentum matches the hand reference; masked weights stay exactly zero', () => {
  const lr = 0.1, mu = 0.9;
  const mask = Float32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const { got, w0, grads } = run({ kind: 'sgd', lr, momentum: mu }, 0, mask, SEED + 1);
  const w = Float64Array.from(w0), vel = new Float64Array(N);
  for (const g of grads) {
    for (let i = 0; i < N; i++) {
      vel[i] = mu * vel[i] + g[i];
      w[i] = mask[i] ? w[i] - lr * vel[i] : 0;
    }
  }
  allClose(got, w, 1e-6, 1e-5, SEED + 1, 'sgd weights');
  for (let i = 0; i < N; i += 3) assert.is(got[i], 0, `masked weight ${i}`);
});

test('bad optimiser settings are rejected with ERR_BAD_ARGUMENT', () => {
  for (const bad of [{ kind: 'adam' as const, lr: -1 }, { kind: 'sgd' as const, lr: Number.NaN }]) {
    assert.throws(() => new Optimizer(wasm, bad), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT');
  }
  assert.throws(() => new Optimizer(wasm, { kind: 'adam' }, { l1: -0.1 }), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT');
});

test.run();
