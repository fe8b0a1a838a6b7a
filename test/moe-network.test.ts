// The MoE layer inside a Network (built, then passed in: the registry has no 'moe' kind
// yet, see the report): a hidden dense layer, then the mixture, then the softmax head. Gradients of trainStep's loss (head +
// the mixture's aux losses) match finite differences on both backends; stats surface
// under the layer's name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import { Rng } from '../src/data/prng.js';
import { MoE, type MoESpec } from '../src/moe/moe-layer.js';
import { Network } from '../src/nn/network.js';
import { reference, wasm } from './util/backends.js';
import { elements, finiteDiff, planKey } from './util/moe-grad.js';
import { SEED, rng } from './util/prng.js';

const ROWS = 8, INPUTS = 5;

function check(b: Backend, seed: number): void {
  const before = b.stats(), r = rng(seed);
  const net = new Network(b, {
    inputs: INPUTS,
    layers: [{ units: 6, activation: 'relu' }, new MoE(b, 6, { experts: 3, hidden: 4, units: 3, k: 2, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1 }, 'moe1')],
    head: 'softmax',
  });
  net.initialize(new Rng(seed));
  const moe = net.layers[1] as MoE;
  assert.instance(moe, MoE);
  assert.is(moe.name, 'moe1');
  const x = b.upload(r.floats(ROWS * INPUTS)), y = b.upload(r.ints(ROWS, 0, 3));
  const loss = (): number => net.trainStep(x, y, ROWS);
  loss();
  assert.ok(moe.auxLoss() > 0, 'the aux loss is part of the step');
  const coords = net.params().flatMap((p) => [...elements(p.name, () => b.read(p.value), (v) => b.write(p.value, v), b.read(p.grad))]);
  assert.ok(coords.some((c) => c.what.startsWith('moe1/router/W')) && coords.some((c) => c.what.startsWith('dense0/W')));
  const { checked, skipped } = finiteDiff(coords, loss, () => planKey(moe.plan!));
  assert.ok(skipped <= 0.1 * (checked + skipped), `${skipped} of ${checked + skipped} coordinates skipped (seed ${seed})`);
  const stats = net.stats();
  assert.ok(stats['moe1/loadMax'] >= 1 && stats['moe1/expert0Rows'] >= 0, JSON.stringify(stats));
  net.dispose();
  b.free(x);
  b.free(y);
  assert.is(b.stats().buffers, before.buffers, `${b.name}: buffers freed`);
}

for (const b of [reference, wasm]) test(`${b.name}: dense → moe → softmax, gradients through the network match finite differences`, () => check(b, SEED + 80));

/** A network's JSON spec rebuilt, its moe layers built from their specs. */
function rebuild(b: Backend, net: Network): Network {
  const spec = JSON.parse(JSON.stringify(net.toSpec())) as ReturnType<Network['toSpec']>;
  return new Network(b, { ...spec, layers: spec.layers.map((l, i) => (l.kind === 'moe' ? new MoE(b, 6, l as unknown as MoESpec, `moe${i}`) : l)) });
}

test('a network with a moe layer rebuilds from its JSON spec and tensors: identical predictions', () => {
  for (const b of [reference, wasm]) {
    const r = rng(SEED + 81), xs = r.floats(30 * INPUTS);
    for (const moe of [{ experts: 4, hidden: 3, units: 3, k: 2, noise: true }, { experts: 3, hidden: 5, units: 3, balance: 'bias' },
      { experts: 3, hidden: 2, units: 3, routing: 'expert', capacityFactor: 1.5 }] as MoESpec[]) {
      const net = new Network(b, { inputs: INPUTS, layers: [{ units: 6, activation: 'relu' }, new MoE(b, 6, moe, 'moe1')], head: 'softmax' });
      net.initialize(new Rng(SEED));
      const x = b.upload(xs), y = b.upload(r.ints(30, 0, 3));
      for (let t = 0; t < 3; t++) net.trainStep(x, y, 30, new Rng(t)); // moves the balancing bias too
      const copy = rebuild(b, net);
      copy.loadTensors(net.tensors());
      assert.equal(Array.from(b.read(copy.predictInto(x, 30))), Array.from(b.read(net.predictInto(x, 30))), `${b.name} ${JSON.stringify(moe)}`);
      assert.equal(copy.toSpec(), net.toSpec());
      for (const n of [net, copy]) n.dispose();
      b.free(x);
      b.free(y);
    }
  }
});

test.run();
