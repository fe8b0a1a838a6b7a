// CSR inference: a network compiled to CSR weights equals the dense forward pass of the same masked weights on
// both backends (every head, mixed CSR/dense layers, 0/1/odd rows), its byte and non-zero
// accounting, and a pruned MNIST MLP that keeps its accuracy after a short fine-tune.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadMnist } from '../src/data/mnist.js';
import { Rng } from '../src/data/prng.js';
import { MlpExpert } from '../src/experts/mlp.js';
import type { DenseSpec } from '../src/nn/dense.js';
import { type Head, Network } from '../src/nn/network.js';
import { pruneAndFineTune } from '../src/sparsity/fine-tune.js';
import { measureSparseSpeed } from '../src/sparsity/measure.js';
import { pruneNetwork } from '../src/sparsity/prune.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

function net(backend: typeof wasm, inputs: number, widths: number[], head: Head, seed: number): Network<DenseSpec> {
  const layers = widths.map((units, i) => ({ units, activation: i < widths.length - 1 ? ('relu' as const) : ('identity' as const) }));
  const n = new Network(backend, { inputs, layers, head });
  n.initialize(new Rng(seed));
  return n;
}

for (const backend of [wasm, reference]) {
  test(`compileSparse (${backend.name}) == dense inference of the masked weights: heads, shapes, rows 0/1/odd`, () => {
    const r = rng(SEED + 20);
    const shapes: [number, number[], Head][] = [
      [1, [1], 'softmax'], [7, [5, 3], 'softmax'], [33, [17, 9, 10], 'softmax'], [13, [8, 1], 'sigmoid'], [9, [31, 2], 'mse'], [64, [16, 4], 'softmax'],
    ];
    for (const [inputs, widths, head] of shapes) {
      for (const sparsity of [0, 0.5, 0.9, 1]) {
        const n = net(backend, inputs, widths, head, SEED);
        pruneNetwork(n, { method: 'magnitude', sparsity, layers: r.pick(['all', 'hidden'] as const) });
        for (const minSparsity of [0, 0.6, 2]) {
          const sp = n.compileSparse({ minSparsity, batchSize: 8 });
          for (const rows of [0, 1, 5, 17, 33]) {
            const x = r.floats(rows * inputs, -1, 1);
            const what = `${inputs}→${widths.join('→')} ${head} s=${sparsity} min=${minSparsity} rows=${rows}`;
            const want = n.headOutputs(x, rows);
            const got = head === 'mse' ? sp.predict(x, rows) : sp.predictProba(x, rows);
            const dense = head === 'sigmoid' ? Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 ? want[i >> 1] : 1 - want[i >> 1])) : want;
            allClose(got, dense, 1e-6, 1e-5, SEED + 20, what);
          }
          assert.ok(sp.layerInfo().every((l) => (l.format === 'csr') === (l.sparsity >= minSparsity)), 'format follows minSparsity');
          sp.dispose();
        }
        n.dispose();
      }
    }
  });
}

test('compileSparse: bytes, nonZero, predict, snapshot semantics, dispose frees everything', () => {
  const n = net(wasm, 784, [100, 10], 'softmax', SEED);
  pruneNetwork(n, { method: 'magnitude', sparsity: 0.9, layers: 'all' });
  const live = wasm.stats().buffers;
  const sp = n.compileSparse();
  const nnz = [Math.round(0.1 * 78400), Math.round(0.1 * 1000)];
  assert.equal(sp.layerInfo().map((l) => [l.format, l.nonZero]), [['csr', nnz[0]], ['csr', nnz[1]]]);
  assert.is(sp.nonZero, nnz[0] + nnz[1]);
  assert.is(sp.denseBytes, 4 * (785 * 100 + 101 * 10));
  assert.is(sp.bytes, 4 * (101 + 11) + 8 * (nnz[0] + nnz[1]) + 4 * (100 + 10));
  const x = rng(SEED).floats(3 * 784, 0, 1);
  const p = sp.predictProba(x, 3), ids = sp.predict(x, 3);
  for (let row = 0; row < 3; row++) {
    const pr = Array.from(p.subarray(row * 10, row * 10 + 10));
    assert.is(ids[row], pr.indexOf(Math.max(...pr)));
  }
  // Training the source network later does not reach the compiled copy.
  wasm.fill(n.layers[1].b.value, 5);
  allClose(sp.predictProba(x, 3), p, 0, 0, SEED, 'snapshot');
  assert.throws(() => sp.predictProba(x, 2), code('ERR_BAD_SHAPE'));
  sp.dispose();
  assert.is(wasm.stats().buffers, live, 'no buffer left behind');
  assert.throws(() => sp.predict(x, 3), code('ERR_BUFFER_FREED'));
  assert.throws(() => n.compileSparse({ minSparsity: -1 }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => n.compileSparse({ batchSize: 0 }), code('ERR_BAD_ARGUMENT'));
  n.dispose();
});

test('measureSparseSpeed: consistent fields, exact CSR sizes, no buffer left behind', () => {
  const live = wasm.stats().buffers;
  const r = measureSparseSpeed(wasm, { inputs: 37, hidden: [19], outputs: 3, rows: 41, repeats: 3, warmup: 1, sparsity: 0.75 });
  assert.is(wasm.stats().buffers, live);
  assert.equal(r.layers.map((l) => [l.inputs, l.units, l.nonZero]), [[37, 19, 37 * 19 - Math.round(0.75 * 37 * 19)], [19, 3, 57 - Math.round(0.75 * 57)]]);
  // The speed itself is bench/'s business; here only the fields' consistency.
  assert.ok(r.denseMs >= 0 && r.sparseMs >= 0 && Object.is(r.speedup, r.denseMs / r.sparseMs));
  assert.is(r.denseBytes, 4 * (38 * 19 + 20 * 3));
  assert.is(r.bytes, 4 * (20 + 4) + 8 * (r.layers[0].nonZero + r.layers[1].nonZero) + 4 * (19 + 3));
});

// 90 % of every layer alone starves the 64×10 output layer (≈ 0.73 here); the usual recipes
// prune the hidden layers, or rank globally so the small output layer keeps more.
for (const [layers, scope] of [['hidden', 'layer'], ['all', 'global']] as const) {
  test(`MNIST 784→64→10 pruned to 90 % (${layers}, ${scope}) and fine-tuned loses little accuracy; CSR agrees`, async () => {
    const { train, test: held } = loadMnist({ train: 3000, test: 1000, seed: 1 });
    const acc = (pred: ArrayLike<number>) => Array.from(pred).filter((c, i) => c === held.y[i]).length / held.rows;
    const mlp = new MlpExpert({ backend: wasm, hidden: [64] });
    await mlp.fit(train, { epochs: 5, batchSize: 64, seed: SEED });
    const dense = acc(mlp.predict(held.x, held.rows));
    const spec = { method: 'magnitude', sparsity: 0.9, layers, scope } as const;
    const { pruned } = await pruneAndFineTune(mlp, train, spec, { epochs: 2, batchSize: 64, seed: SEED });
    const total = pruned.reduce((s, l) => s + l.total, 0), kept = pruned.reduce((s, l) => s + l.nonZero, 0);
    assert.is(total - kept, Math.round(0.9 * total), 'exactly 90 % of the pruned layers');
    const after = acc(mlp.predict(held.x, held.rows));
    const sp = mlp.network().compileSparse();
    const sparseAcc = acc(sp.predict(held.x, held.rows));
    console.log(`  ${layers}/${scope}: dense ${dense.toFixed(3)}, 90 % pruned + 2 epochs ${after.toFixed(3)}, CSR ${sparseAcc.toFixed(3)} (${sp.bytes} of ${sp.denseBytes} bytes)`);
    assert.ok(dense >= 0.85, `dense accuracy ${dense} (seed ${SEED})`);
    assert.ok(after >= dense - 0.03, `pruned accuracy ${after} vs dense ${dense} (seed ${SEED})`);
    assert.ok(Math.abs(sparseAcc - after) <= 0.002, `CSR accuracy ${sparseAcc} vs masked dense ${after}`);
    sp.dispose();
    mlp.dispose();
  });
}

test.run();
