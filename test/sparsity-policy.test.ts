// The pruning policy (src/sparsity/prune.ts) on a small-image set where the old global
// ranking destroyed the seed's MLP: MNIST downsampled to 8×8, 64 → 512 → 10. The output
// layer stays dense by default, a ranking that would empty a layer is a typed error, and
// 90 % global pruning stays within 2 points of dense after fine-tuning — alone and in a model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MlpExpert } from '../src/experts/mlp.js';
import { SoftmaxRegression } from '../src/experts/softmax.js';
import { SparseExpertModel } from '../src/model/sparse-expert-model.js';
import type { SparsitySpec } from '../src/model/train-task.js';
import { pruneAndFineTune } from '../src/sparsity/fine-tune.js';
import { pruneNetwork } from '../src/sparsity/prune.js';
import { wasm } from './util/backends.js';
import { loadMnist8 } from './util/mnist8.js';
import { SEED } from './util/prng.js';

const { train, test: held } = loadMnist8(1500, 2000, 1);
const accuracy = (pred: ArrayLike<number>) => Array.from(pred).filter((c, i) => c === held.y[i]).length / held.rows;
const code = (c: string) => (e: { code?: string }) => e.code === c;

test('64→512→10 at 90 % global: an emptied output layer is a typed error; by default it stays dense and accuracy holds', async () => {
  const mlp = new MlpExpert({ backend: wasm, hidden: [512] });
  await mlp.fit(train, { epochs: 30, seed: SEED });
  const dense = accuracy(mlp.predict(held.x, held.rows));
  const net = mlp.network();
  // Ranked together, the 5,120 output weights are smaller than the first layer's survivors.
  assert.throws(() => pruneNetwork(net, { method: 'magnitude', sparsity: 0.9, scope: 'global', layers: 'all' }), code('ERR_BAD_ARGUMENT'));
  assert.ok(net.params().every((p) => p.mask === null), 'the refused pruning left no mask behind');
  const { pruned } = await pruneAndFineTune(mlp, train, { method: 'magnitude', sparsity: 0.9, scope: 'global' }, { epochs: 20, seed: SEED });
  assert.equal(pruned.map((l) => [l.name, l.total - l.nonZero]), [['dense0/W', Math.round(0.9 * 64 * 512)]], 'the hidden layer at exactly 90 %');
  assert.is(net.layers[1].W.mask, null, 'the output layer is dense');
  const after = accuracy(mlp.predict(held.x, held.rows));
  console.log(`  8×8 MNIST 64→512→10: dense ${dense.toFixed(3)}, 90 % global (output dense) + 20 epochs ${after.toFixed(3)}`);
  assert.ok(dense > 0.8, `dense accuracy ${dense} (seed ${SEED})`);
  assert.ok(after >= dense - 0.02, `pruned ${after} vs dense ${dense} (seed ${SEED})`);
  mlp.dispose();
});

test('a one-layer network prunes its only layer by default; per-layer scope never trips the guard', async () => {
  const lin = new SoftmaxRegression({ backend: wasm, fit: { epochs: 2 } });
  await lin.fit(train, { seed: SEED });
  const [r] = pruneNetwork(lin.network(), { method: 'magnitude', sparsity: 0.5, scope: 'global' });
  assert.equal([r.name, r.total - r.nonZero], ['dense0/W', 320]);
  const mlp = new MlpExpert({ backend: wasm, hidden: [512], fit: { epochs: 1 } });
  await mlp.fit(train, { seed: SEED });
  const report = pruneNetwork(mlp.network(), { method: 'magnitude', sparsity: 0.99, layers: 'all' });
  assert.equal(report.map((l) => l.nonZero), [Math.round(0.01 * 64 * 512), Math.round(0.01 * 5120)]);
  lin.dispose();
  mlp.dispose();
});

test('through the model: 90 % global pruning with fine-tuning stays near the dense model', async () => {
  const expert = { kind: 'mlp' as const, hidden: [512], fit: { epochs: 30 } };
  const fit = async (sparsity?: SparsitySpec) => {
    const m = new SparseExpertModel({ experts: 2, expert, combine: 'convex', workers: 0, seed: SEED, backend: wasm, ...(sparsity ? { sparsity } : {}) });
    await m.fit(train);
    const acc = accuracy(await m.predict(held.x, held.rows));
    m.dispose();
    return acc;
  };
  const dense = await fit(), pruned = await fit({ method: 'magnitude', sparsity: 0.9, scope: 'global', fineTuneEpochs: 30 });
  console.log(`  model, 2 MLP experts + convex: dense ${dense.toFixed(3)}, 90 % global + 30 epochs ${pruned.toFixed(3)}`);
  assert.ok(pruned >= dense - 0.02, `pruned model ${pruned} vs dense ${dense} (seed ${SEED})`);
});

test.run();
