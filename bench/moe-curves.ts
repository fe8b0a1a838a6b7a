// bench:moe's learning curves: test accuracy after every epoch, mean over seeds, for the models
// the comparison trains (bench/moe-models.ts) — does the mixture, whose experts each see an E-th
// of the rows per epoch, overtake the dense model when both train long enough?
//   npm run bench:moe -- --curves [--epochs 40] [--seeds 1,2,3] [--models moe-top1,dense-64,moe-top2,dense-512] [--data fashion-mnist] [--json]
// The test set is evaluated in fit's onEpochEnd: inference only (no weights, optimiser state,
// shuffle or router bias change), so epoch N's accuracy is that of a fit of N epochs.
import { loadData } from './train/data.mjs';
import { argValue } from './util/interleave.js';
import { formatTable } from './util/table.js';
import type { Backend } from '../src/backend/backend.js';
import type { Dataset } from '../src/data/dataset.js';
import { createScaler } from '../src/data/scale.js';
import { Optimizer } from '../src/nn/optimizer.js';
import { fitNetwork } from '../src/train/fit.js';
import { ADAM, BATCH, E, HIDDEN, denseNetwork, moeModel } from './moe-models.js';

type Curve = (b: Backend, train: Dataset, test: Dataset, epochs: number, seed: number, onEpoch: (acc: number) => void) => Promise<void>;

const mixture = (k: number): Curve => async (b, train, test, epochs, seed, onEpoch) => {
  const m = moeModel(b, { experts: E, hidden: HIDDEN, sharedExperts: 0, k }, epochs, seed);
  try {
    await m.fit(train, { callbacks: { onEpochEnd: async () => onEpoch((await m.evaluate(test)).acc!) } });
  } finally {
    m.dispose();
  }
};

const dense = (hidden: number): Curve => async (b, train, test, epochs, seed, onEpoch) => {
  const net = denseNetwork(b, train.cols, test.classes!, hidden, seed), opt = new Optimizer(b, ADAM);
  try {
    await fitNetwork(net, opt, train, { epochs, batchSize: BATCH, seed, callbacks: { onEpochEnd: () => onEpoch(net.evaluate(test).acc!) } });
  } finally {
    opt.dispose();
    net.dispose();
  }
};

const MODELS: Record<string, { label: string; curve: Curve }> = {
  'moe-top1': { label: `MoE ${E} × 784-${HIDDEN}-10 top-1`, curve: mixture(1) },
  'moe-top2': { label: `MoE ${E} × 784-${HIDDEN}-10 top-2`, curve: mixture(2) },
  'dense-64': { label: `dense 784-${HIDDEN}-10`, curve: dense(HIDDEN) },
  'dense-512': { label: `dense 784-${E * HIDDEN}-10`, curve: dense(E * HIDDEN) },
};

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const bestEpoch = (c: readonly number[]) => c.reduce((best, x, i) => (x > c[best] ? i : best), 0);
const pct = (x: number) => (x * 100).toFixed(2);

export async function learningCurves(b: Backend, args: readonly string[], json: boolean): Promise<void> {
  const epochs = Number(argValue(args, '--epochs', '40')), name = argValue(args, '--data', 'fashion-mnist');
  const seeds = argValue(args, '--seeds', '1,2,3').split(',').map(Number);
  const keys = argValue(args, '--models', 'moe-top1,dense-64').split(',');
  for (const key of keys) if (!MODELS[key]) throw new Error(`unknown model '${key}': ${Object.keys(MODELS).join(', ')}`);
  const { train: raw, test: rawTest } = loadData(name as 'mnist' | 'fashion-mnist') as { train: Dataset; test: Dataset };
  const scaler = createScaler('standard').fitDataset(raw), train = scaler.transformDataset(raw), test = scaler.transformDataset(rawTest);
  const means: number[][] = [];
  for (const key of keys) {
    const perSeed: number[][] = [];
    for (const seed of seeds) {
      const accuracy: number[] = [];
      await MODELS[key].curve(b, train, test, epochs, seed, (acc) => accuracy.push(acc));
      perSeed.push(accuracy);
      const best = bestEpoch(accuracy);
      if (json) console.log(JSON.stringify({ op: 'moe-curve', dataset: name, model: key, seed, accuracy }));
      else console.error(`${MODELS[key].label}, seed ${seed}: ${pct(accuracy[epochs - 1])} % after ${epochs} epochs, best ${pct(accuracy[best])} % after ${best + 1}`);
    }
    means.push(Array.from({ length: epochs }, (_, e) => mean(perSeed.map((c) => c[e]))));
  }
  const rows = Array.from({ length: epochs }, (_, e) => [String(e + 1), ...means.map((c) => pct(c[e]))]);
  rows.push(['best epoch', ...means.map((c) => String(bestEpoch(c) + 1))], ['best', ...means.map((c) => pct(c[bestEpoch(c)]))]);
  console.error(`\n${name}, test accuracy (%) after each epoch, mean of seeds ${seeds.join(', ')}\n${formatTable(['epoch', ...keys.map((k) => MODELS[k].label)], rows)}\n`);
}
