// End to end on real digits: a Network of one MoE layer (4 experts, 784 → 32 → 10 each)
// under a softmax head, trained by fitNetwork with Adam on 1,000 MNIST digits. The Switch
// settings (top-1, dropless, α = 1e-2) train but collapse onto one expert on raw pixels
// (logged, not asserted; why: moe-spec.ts); top-2 with α = 0.1 keeps
// every load within 0.5×–2× of ideal. The router's stats reach fit's epoch logs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../src/data/prng.js';
import { loadMnist } from '../src/data/mnist.js';
import { MoE, type MoESpec } from '../src/moe/moe-layer.js';
import { Network } from '../src/nn/network.js';
import { Optimizer } from '../src/nn/optimizer.js';
import { fitNetwork } from '../src/train/fit.js';
import { wasm as b } from './util/backends.js';
import { SEED } from './util/prng.js';

const { train, test: held } = loadMnist({ train: 1000, test: 500, seed: 1 });

/** Held-out accuracy after 8 epochs, and the last epoch's logs. */
async function fit(spec: Partial<MoESpec>): Promise<{ acc: number; logs: Record<string, number> }> {
  const before = b.stats();
  const net = new Network(b, { inputs: 784, layers: [new MoE(b, 784, { experts: 4, hidden: 32, units: 10, ...spec }, 'moe0')], head: 'softmax' });
  net.initialize(new Rng(SEED));
  const opt = new Optimizer(b, { kind: 'adam', lr: 2e-3 });
  const history = await fitNetwork(net, opt, train, { epochs: 8, batchSize: 50, seed: SEED });
  const logs = Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[v.length - 1]]));
  const acc = net.evaluate(held).acc!;
  opt.dispose();
  net.dispose();
  assert.is(b.stats().buffers, before.buffers, 'buffers freed');
  console.log(`  MoE E=4 ${JSON.stringify(spec)}: held-out accuracy ${(acc * 100).toFixed(1)} %, last-epoch load/ideal ` +
    `${logs['moe0/loadMin'].toFixed(2)}–${logs['moe0/loadMax'].toFixed(2)}, router entropy ${logs['moe0/routerEntropy'].toFixed(2)} nats`);
  return { acc, logs };
}

test('Switch settings (top-1, dropless, α = 1e-2) train to a useful accuracy; router stats in the logs', async () => {
  const { acc, logs } = await fit({ balance: 'loss' });
  assert.ok(acc >= 0.8, `accuracy ${acc}`);
  assert.is(logs['moe0/droppedShare'], 0);
  const rows = [0, 1, 2, 3].reduce((s, e) => s + logs[`moe0/expert${e}Rows`], 0);
  assert.is(rows, train.rows, 'every row routed once per epoch');
});

test('top-2 with α = 0.1 trains with every load within 0.5×–2× of ideal', async () => {
  const { acc, logs } = await fit({ k: 2, balance: 'loss', balanceCoef: 0.1 });
  assert.ok(acc >= 0.8, `accuracy ${acc}`);
  assert.ok(logs['moe0/loadMin'] >= 0.5 && logs['moe0/loadMax'] <= 2, `loads ${logs['moe0/loadMin']}–${logs['moe0/loadMax']} of ideal`);
});

test.run();
