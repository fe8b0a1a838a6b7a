// Finite-difference checks of the network's analytic gradients: every layer and every
// head (softmax CE, sigmoid BCE, MSE), on both backends.
import { test } from 'uvu';
import type { Backend } from '../src/index.js';
import type { F32, I32 } from '../src/backend/index.js';
import { Rng } from '../src/data/prng.js';
import { type Head, Network } from '../src/nn/network.js';
import { reference, wasm } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

const ROWS = 7, INPUTS = 5;

function check(b: Backend, head: Head, hidden: number[], seed: number): void {
  const r = rng(seed);
  const outputs = head === 'softmax' ? 3 : 1;
  const net = new Network(b, {
    inputs: INPUTS,
    layers: [...hidden.map((units) => ({ units, activation: 'relu' as const })), { units: outputs, activation: 'identity' as const }],
    head,
  });
  net.initialize(new Rng(seed));
  const x = b.upload(r.floats(ROWS * INPUTS));
  const y: I32 | F32 = head === 'mse' ? b.upload(r.floats(ROWS)) : b.upload(r.ints(ROWS, 0, head === 'softmax' ? 3 : 2));
  net.trainStep(x, y, ROWS);
  const analytic = net.params().map((p) => b.read(p.grad));
  const eps = 1e-2;
  net.params().forEach((p, pi) => {
    const w = b.read(p.value);
    for (let i = 0; i < w.length; i++) {
      const at = (v: number): number => {
        const moved = w.slice();
        moved[i] = v;
        b.write(p.value, moved);
        return net.trainStep(x, y, ROWS);
      };
      const numeric = (at(w[i] + eps) - at(w[i] - eps)) / (2 * eps);
      b.write(p.value, w);
      const a = analytic[pi][i];
      // Float32 losses and ReLU kinks: a loose but meaningful bound.
      if (Math.abs(a - numeric) > 2e-3 + 3e-2 * Math.abs(numeric)) {
        throw new Error(`${b.name} ${head} ${p.name}[${i}]: analytic ${a}, numeric ${numeric} (seed ${seed})`);
      }
    }
  });
  net.dispose();
  b.free(x);
  b.free(y);
}

for (const b of [reference, wasm]) {
  for (const head of ['softmax', 'sigmoid', 'mse'] as const) {
    test(`${b.name}: ${head} head, linear model, gradients match finite differences`, () => check(b, head, [], SEED));
    test(`${b.name}: ${head} head, two ReLU layers, gradients match finite differences`, () => check(b, head, [6, 4], SEED + 1));
  }
}

test.run();
