// The seed's §5 recipe through the library: MNIST split into 5 parts, one
// Dense(512, relu) → Dense(10, softmax) expert per part (Adam, batch 128, 10 epochs),
// trained in worker threads, then all five combined (the seed's code only used two).
//   node --import tsx examples/mnist.ts [epochs]
import { SparseExpertModel, accuracy, f1Score, init, loadMnist } from '../src/entry/node.js';

export async function run(epochs = 10, workers: number | 'auto' = 'auto'): Promise<{ accuracy: number; macroF1: number; experts: number[] }> {
  await init();
  const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
  const model = new SparseExpertModel({
    partition: 'contiguous', // np.array_split, as the seed
    experts: 5,
    expert: { kind: 'mlp', hidden: [512], fit: { epochs, batchSize: 128 } },
    sparsity: { method: 'magnitude', sparsity: 0.9, scope: 'global' }, // pruned to 90 %, then fine-tuned
    combine: 'gate', // input-dependent weights over all five experts
    workers,
    seed: 1,
  });
  const report = await model.fit(train, { onProgress: ({ expert, fraction }) => process.env.VERBOSE && console.log(expert, fraction.toFixed(2)) });
  const pred = await model.predict(test.x, test.rows);
  model.dispose();
  return { accuracy: accuracy(test.y, pred), macroF1: f1Score(test.y, pred, 10), experts: report.experts.map((e) => e.holdoutAccuracy ?? 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run(Number(process.argv[2] ?? 10));
  console.log(`experts (held-out rows): ${r.experts.map((a) => a.toFixed(3)).join(' ')}`);
  console.log(`gated ensemble of 5 pruned experts: accuracy ${r.accuracy.toFixed(4)}, macro-F1 ${r.macroF1.toFixed(4)}`);
}
