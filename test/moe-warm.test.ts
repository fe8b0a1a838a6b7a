// The partition-initialised MoE on real digits (small): before fine-tuning the router picks
// each row's nearest centroid (the k-means assignment) and the mixture predicts what that
// row's expert predicts; fine-tuning lowers the loss; the result is byte-identical by seed
// whatever the worker count; the router bias it needs passes the gradient check and
// rebuilds exactly; bad input is a typed error that leaves no buffers behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import { Rng } from '../src/data/prng.js';
import { loadMnist } from '../src/data/mnist.js';
import { SparseExpertsError } from '../src/errors.js';
import { MoE, type MoESpec } from '../src/moe/moe-layer.js';
import { centroidRouter, routerScale, warmStart } from '../src/moe/warm-start.js';
import { trainPartitionMoE, warmStartNetwork } from '../src/model/partition-moe.js';
import { SparseExpertModel } from '../src/model/sparse-expert-model.js';
import { Network, predictedClass } from '../src/nn/network.js';
import { reference, wasm } from './util/backends.js';
import { elements, finiteDiff, planKey } from './util/moe-grad.js';
import { SEED, rng } from './util/prng.js';

const { train } = loadMnist({ train: 600, test: 0, seed: 2 });
const E = 3, HIDDEN = 16;

async function expertModel(b: Backend, partition: 'kmeans' | 'contiguous' = 'kmeans'): Promise<SparseExpertModel> {
  const m = new SparseExpertModel({ partition, experts: E, expert: { kind: 'mlp', hidden: [HIDDEN], fit: { epochs: 2, batchSize: 64 } }, combine: 'fixed', workers: 0, seed: SEED, backend: b });
  await m.fit(train);
  return m;
}

test('before fine-tuning: the router picks the k-means cluster and the mixture predicts what that cluster\'s expert does', async () => {
  const b = wasm, before = b.stats().buffers, model = await expertModel(b), state = model.toState();
  const { network, routerScale: s } = warmStartNetwork(b, state, train);
  assert.ok(s > 0 && Number.isFinite(s), `scale ${s}`);
  const p = state.partition as { parts: number[][] };
  const cluster = new Int32Array(train.rows);
  p.parts.forEach((rows, e) => rows.forEach((r) => (cluster[r] = e)));
  const xb = b.upload(train.x);
  const out = b.read(network.forward(xb, train.rows));
  b.free(xb);
  const choice = (network.layers[0] as MoE).plan!.choice!;
  assert.equal(Array.from(choice), Array.from(cluster), 'top-1 choice = k-means assignment');
  const experts = model.expertOutputs(train.x, train.rows);
  let same = 0;
  for (let r = 0; r < train.rows; r++) same += predictedClass(out, r, 10, 'softmax') === predictedClass(experts[cluster[r]], r, 10, 'softmax') ? 1 : 0;
  // The gate weight p scales the expert's logits, which keeps their argmax: every prediction matches.
  assert.is(same, train.rows);
  network.dispose();
  model.dispose();
  assert.is(b.stats().buffers, before, 'buffers freed');
});

const small = { experts: E, hidden: HIDDEN, epochs: 2, batchSize: 64, seed: SEED, backend: wasm } as const;

test('fine-tuning lowers the training loss; byte-identical by seed on 0 and 2 workers, different for another seed', async () => {
  const b = wasm, before = b.stats().buffers;
  const warm = await trainPartitionMoE(train, { ...small, fineTuneEpochs: 0, workers: 0 });
  const tuned = await trainPartitionMoE(train, { ...small, fineTuneEpochs: 3, workers: 0 });
  const again = await trainPartitionMoE(train, { ...small, fineTuneEpochs: 3, workers: 2 });
  const other = await trainPartitionMoE(train, { ...small, fineTuneEpochs: 3, workers: 0, seed: SEED + 1 });
  const l0 = warm.network.evaluate(train).loss, l3 = tuned.network.evaluate(train).loss;
  assert.ok(l3 < l0, `loss ${l0} before fine-tuning, ${l3} after`);
  assert.is(tuned.fineTune.epochs.length, 3);
  assert.ok(tuned.fineTune.history['moe0/loadMax'].length === 3, 'router statistics in the fine-tune logs');
  const bytes = (n: Network) => n.tensors().map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')).join();
  assert.ok(bytes(tuned.network) === bytes(again.network), '0 and 2 workers train the same bits');
  assert.ok(bytes(tuned.network) !== bytes(other.network), 'another seed trains other weights');
  assert.ok(tuned.network.tensors().some((t) => t.name === 'moe0/router/b'));
  for (const r of [warm, tuned, again, other]) r.network.dispose();
  assert.is(b.stats().buffers, before, 'buffers freed');
});

function gradCheck(b: Backend, seed: number): void {
  const before = b.stats().buffers, r = rng(seed), ROWS = 8, INPUTS = 5;
  const moe = new MoE(b, INPUTS, { experts: 3, hidden: 4, units: 3, k: 2, balance: 'loss', balanceCoef: 0.5, zLossCoef: 0.1, routerBias: true }, 'moe0');
  const net = new Network(b, { inputs: INPUTS, layers: [moe], head: 'softmax' });
  net.initialize(new Rng(seed));
  b.write(moe.router.value, b.read(moe.router.value).map((v) => v * 8));
  b.write(moe.routerBias!.value, r.floats(3, -1, 1));
  const x = b.upload(r.floats(ROWS * INPUTS)), y = b.upload(r.ints(ROWS, 0, 3));
  const loss = (): number => net.trainStep(x, y, ROWS);
  loss();
  const coords = net.params().flatMap((p) => [...elements(p.name, () => b.read(p.value), (v) => b.write(p.value, v), b.read(p.grad))]);
  const { checked, skipped } = finiteDiff(coords, loss, () => planKey(moe.plan!));
  assert.ok(skipped <= 0.1 * (checked + skipped), `${skipped} of ${checked + skipped} skipped (seed ${seed})`);
  assert.ok(b.read(moe.routerBias!.grad).some((g) => g !== 0), 'the router bias has a gradient');
  // Rebuilt from its JSON spec and tensors: the same outputs, bit for bit.
  const spec = JSON.parse(JSON.stringify(moe.spec())) as MoESpec;
  const copy = new Network(b, { inputs: INPUTS, layers: [new MoE(b, INPUTS, spec, 'moe0')], head: 'softmax' });
  copy.loadTensors(net.tensors());
  assert.equal(Array.from(b.read(copy.predictInto(x, ROWS))), Array.from(b.read(net.predictInto(x, ROWS))));
  for (const n of [net, copy]) n.dispose();
  b.free(x);
  b.free(y);
  assert.is(b.stats().buffers, before, `${b.name}: buffers freed`);
}

for (const b of [reference, wasm]) test(`${b.name}: router bias — gradients match finite differences; save/load is exact`, () => gradCheck(b, SEED + 90));

function throwsCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (err) {
    assert.instance(err, SparseExpertsError);
    assert.is((err as SparseExpertsError).code, code, (err as Error).message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

async function rejectsCode(f: () => Promise<unknown>, code: string): Promise<void> {
  try {
    await f();
  } catch (err) {
    assert.instance(err, SparseExpertsError);
    assert.is((err as SparseExpertsError).code, code, (err as Error).message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('bad input: typed errors, no buffers left behind', async () => {
  const b = wasm, before = b.stats().buffers;
  const c = { centroids: new Float32Array(6), mean: new Float32Array(3) };
  throwsCode(() => centroidRouter(c, 0), 'ERR_BAD_ARGUMENT');
  throwsCode(() => centroidRouter({ centroids: new Float32Array(5), mean: new Float32Array(3) }, 1), 'ERR_BAD_SHAPE');
  throwsCode(() => routerScale(c, new Float32Array(7), 2), 'ERR_BAD_SHAPE');
  const plain = new MoE(b, 3, { experts: 2, hidden: 2, units: 2 }), biased = new MoE(b, 3, { experts: 2, hidden: 2, units: 2, routerBias: true });
  const w = { W1: new Float32Array(6), b1: new Float32Array(2), W2: new Float32Array(4), b2: new Float32Array(2) };
  throwsCode(() => warmStart(plain, [w, w], centroidRouter(c, 1)), 'ERR_BAD_ARGUMENT');
  throwsCode(() => warmStart(biased, [w], centroidRouter(c, 1)), 'ERR_BAD_SHAPE');
  throwsCode(() => warmStart(biased, [w, { ...w, W1: new Float32Array(5) }], centroidRouter(c, 1)), 'ERR_BAD_SHAPE');
  for (const m of [plain, biased]) m.dispose();
  const contiguous = await expertModel(b, 'contiguous');
  throwsCode(() => warmStartNetwork(b, contiguous.toState(), train), 'ERR_BAD_ARGUMENT');
  contiguous.dispose();
  await rejectsCode(() => trainPartitionMoE({ ...train, classes: undefined }, small), 'ERR_BAD_ARGUMENT');
  await rejectsCode(() => trainPartitionMoE(train, { ...small, experts: 0 }), 'ERR_BAD_ARGUMENT');
  await rejectsCode(() => trainPartitionMoE(train, { ...small, workers: 0, moe: { k: 4 } }), 'ERR_BAD_ARGUMENT');
  assert.is(b.stats().buffers, before, 'buffers freed');
});

test.run();
