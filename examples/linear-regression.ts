// The seed's §4 example: a linear model y = Σ wᵢxᵢ + b whose features are split in two
// groups (x₁..x_{n/2} and x_{n/2+1}..x_n), one linear expert per group, combined as
// y = α·y₁ + (1 − α)·y₂ with α learned on held-out rows.
//   node --import tsx examples/linear-regression.ts
import { Rng, SparseExpertModel, fromArrays, init, mse, trainTestSplit } from '../src/entry/node.js';

export async function run(seed = 1): Promise<{ ensemble: number; experts: number[]; alpha: number[] }> {
  await init();
  const rng = new Rng(seed);
  const n = 8, rows = 2000;
  const w = Array.from({ length: n }, () => rng.normal());
  const x: number[][] = [], y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: n }, () => rng.next() * 2 - 1);
    x.push(row);
    y.push(row.reduce((s, v, i) => s + w[i] * v, 0.5) + 0.1 * rng.normal());
  }
  const { train, test } = trainTestSplit(fromArrays(x, y, { task: 'regression' }), { testFraction: 0.25, seed });
  const model = new SparseExpertModel({
    partition: 'features', // two contiguous column groups: the seed's x₁..x_{n/2} | x_{n/2+1}..x_n
    experts: 2,
    expert: { kind: 'linear' }, // closed-form least squares
    combine: 'convex', // α learned on held-out rows
    workers: 0,
    seed,
  });
  const report = await model.fit(train);
  const ensemble = mse(test.y, await model.predict(test.x, test.rows));
  const experts = model.expertOutputs(test.x, test.rows).map((p) => mse(test.y, p));
  model.dispose();
  return { ensemble, experts, alpha: report.combiner.weights ?? [] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  console.log(`α = [${r.alpha.map((a) => a.toFixed(3)).join(', ')}]`);
  console.log(`test MSE: expert 1 ${r.experts[0].toFixed(4)}, expert 2 ${r.experts[1].toFixed(4)}, α-combined ${r.ensemble.toFixed(4)}`);
}
