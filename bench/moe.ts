// The jointly trained mixture of experts against dense models at equal compute, on
// Fashion-MNIST (all 60,000 / 10,000 images) and MNIST (8,000 / 2,000 digits), in one run:
//   MoE, MoEModel's defaults: E = 8 whole-classifier experts of 784-64-10, top-1 and top-2;
//   and top-1 with the shared-expert option (DeepSeekMoE): 8 routed 784-32-10 and one shared
//   784-32-10 that every row runs — a top-1 row runs 64 hidden units either way;
//   dense same-active: one expert's shape, 784-64-10, trained on all rows (for the shared option:
//   its expert weights but for one more output bias; the router's 784 × 8 weights are extra);
//   dense same-total: every hidden unit of the mixture as one layer, 784-512-10 (784-288-10 for
//   the shared option's 32 + 8 × 32);
//   the partition-initialised MoE (8 k-means experts of 784-512-10 trained in workers, a
//   centroid router, joint fine-tuning) against the single 784-512-10 trained as its experts are.
// Every model: Adam 1e-3, 10 epochs, seed 1. The MoE and its dense baselines: standardised
// pixels, batch 256; the partition row and its single model: raw pixels, the seed's batch 128. Training throughput
// is rows × epochs / seconds of the epochs; each mixture trains beside its own run of the
// same-active dense model, their epochs alternating (bench/util/alternate.ts), so that its ratio
// reads the same minutes of a shared machine. Inference is the median of 5 passes over the test
// rows (predictProba, on rows standardised beforehand). No TensorFlow.js side: it has no MoE layer.
//   npm run bench:moe [-- --json] [-- --data fashion-mnist|mnist] [-- --epochs N] [-- --no-partition]
//   npm run bench:moe -- --curves …: test accuracy after every epoch instead (bench/moe-curves.ts)
import { FASHION_DIR, loadData, missingFashion } from './train/data.mjs';
import { type Turn, alternateEpochs, rowsPerSecond } from './util/alternate.js';
import { argValue } from './util/interleave.js';
import { median } from './util/stats.js';
import { formatTable } from './util/table.js';
import '../src/entry/node.js';
import { init } from '../src/backend/init.js';
import type { Backend } from '../src/backend/backend.js';
import type { Dataset } from '../src/data/dataset.js';
import { createScaler } from '../src/data/scale.js';
import type { MoEModelOptions } from '../src/model/moe-model.js';
import { trainPartitionMoE } from '../src/model/partition-moe.js';
import { Optimizer } from '../src/nn/optimizer.js';
import { fitNetwork } from '../src/train/fit.js';
import { learningCurves } from './moe-curves.js';
import { ADAM, BATCH, E, HIDDEN, denseNetwork, moeModel } from './moe-models.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const EPOCHS = Number(argValue(args, '--epochs', '10'));
const datasets = argValue(args, '--data', 'fashion-mnist,mnist').split(',');
const SEED = 1;
/** The shared-expert option: a top-1 row runs SHARED_HIDDEN shared + SHARED_HIDDEN routed units, HIDDEN in all. */
const SHARED_HIDDEN = HIDDEN / 2, SHARED_TOTAL = (1 + E) * SHARED_HIDDEN;
const log = (line: string) => json || console.error(line);

if (datasets.includes('fashion-mnist') && missingFashion().length) {
  console.error(`Fashion-MNIST not found in ${FASHION_DIR} (missing ${missingFashion().join(', ')}); install it with\n  apt-get install -y dataset-fashion-mnist`);
  process.exit(1);
}

interface Scores {
  accuracy: number;
  trainRate: number;
  inferUs: number;
}

/** Median µs per row of `run` over the test rows. */
function inferUs(run: () => unknown, rows: number): number {
  run(); // warm-up: buffers sized, code compiled
  return median(Array.from({ length: 5 }, () => {
    const t = performance.now();
    run();
    return performance.now() - t;
  })) * 1000 / rows;
}

/** A dense 784-hidden-10 classifier on the rows as given, its epochs taking `turn`s. */
async function dense(b: Backend, train: Dataset, test: Dataset, hidden: number, batchSize: number, turn: Turn): Promise<Scores> {
  const net = denseNetwork(b, train.cols, test.classes!, hidden, SEED);
  const opt = new Optimizer(b, ADAM);
  try {
    await fitNetwork(net, opt, train, { epochs: EPOCHS, batchSize, seed: SEED, callbacks: turn.callbacks });
    return { accuracy: net.evaluate(test).acc!, trainRate: rowsPerSecond(train.rows, turn), inferUs: inferUs(() => net.predictProba(test.x, test.rows), test.rows) };
  } finally {
    opt.dispose();
    net.dispose();
  }
}

async function mixture(b: Backend, train: Dataset, test: Dataset, shape: MoEModelOptions, turn: Turn) {
  const m = moeModel(b, shape, EPOCHS, SEED);
  try {
    const r = await m.fit(train, { callbacks: turn.callbacks });
    const accuracy = (await m.evaluate(test)).acc!, last = r.router[r.router.length - 1];
    const us = inferUs(() => m.predictProba(test.x, test.rows), test.rows);
    return { accuracy, trainRate: rowsPerSecond(train.rows, turn), inferUs: us, routing: m.options.moe.balance, loadMin: last.loadMin, loadMax: last.loadMax };
  } finally {
    m.dispose();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
async function compare(name: string) {
  const { train: raw, test: rawTest } = loadData(name as 'mnist' | 'fashion-mnist') as { train: Dataset; test: Dataset };
  const scaler = createScaler('standard').fitDataset(raw), train = scaler.transformDataset(raw), test = scaler.transformDataset(rawTest);
  log(`${name}: ${train.rows} / ${test.rows} rows, ${EPOCHS} epochs`);
  const alone = (hidden: number) => alternateEpochs<[Scores]>([(t) => dense(b, train, test, hidden, BATCH, t)]).then(([s]) => s);
  const total = await alone(E * HIDDEN);
  log(`  dense 784-${E * HIDDEN}-10 ${pct(total.accuracy)}`);
  const sharedTotal = await alone(SHARED_TOTAL);
  log(`  dense 784-${SHARED_TOTAL}-10 ${pct(sharedTotal.accuracy)}`);
  const rows: string[][] = [], actives: Scores[] = [];
  const shapes = [
    { k: 1, label: `MoE 8 × 784-${HIDDEN}-10 (default), top-1`, shape: { experts: E, hidden: HIDDEN, sharedExperts: 0, k: 1 }, same: total },
    { k: 2, label: `MoE 8 × 784-${HIDDEN}-10 (default), top-2`, shape: { experts: E, hidden: HIDDEN, sharedExperts: 0, k: 2 }, same: total },
    { k: 1, label: `MoE 8 × 784-${SHARED_HIDDEN}-10 + shared 784-${SHARED_HIDDEN}-10, top-1`, shape: { experts: E, hidden: SHARED_HIDDEN, sharedExperts: 1, k: 1 }, same: sharedTotal },
  ];
  for (const { k, label, shape, same } of shapes) {
    // Each mixture beside its own run of the same-active dense model, epochs alternating: the
    // ratio of their rates is taken over the same minutes of the machine.
    const [active, r] = await alternateEpochs<[Scores, Awaited<ReturnType<typeof mixture>>]>([(t) => dense(b, train, test, HIDDEN, BATCH, t), (t) => mixture(b, train, test, shape, t)]);
    if (actives.length && active.accuracy !== actives[0].accuracy) throw new Error(`dense 784-${HIDDEN}-10 trained twice with seed ${SEED} gave ${pct(actives[0].accuracy)} and ${pct(active.accuracy)}`);
    actives.push(active);
    log(`  ${label} ${pct(r.accuracy)} (dense 784-${HIDDEN}-10 beside it ${pct(active.accuracy)})`);
    const line = {
      op: 'moe', dataset: name, experts: E, k, shared_experts: shape.sharedExperts, hidden: shape.hidden,
      routing: `token top-${k}, balance ${r.routing}`, accuracy: r.accuracy,
      train_samples_per_s: r.trainRate, infer_us_per_sample: r.inferUs, dense_active_accuracy: active.accuracy,
      dense_active_train_samples_per_s: active.trainRate, dense_total_accuracy: same.accuracy, dense_total_infer_us_per_sample: same.inferUs,
      load_min: r.loadMin, load_max: r.loadMax,
    };
    if (json) console.log(JSON.stringify(line));
    rows.push([label, pct(r.accuracy), `${(r.accuracy - active.accuracy) * 100 >= 0 ? '+' : ''}${((r.accuracy - active.accuracy) * 100).toFixed(2)}`,
      r.trainRate.toFixed(0), (r.trainRate / active.trainRate).toFixed(2), r.inferUs.toFixed(1), (r.inferUs / same.inferUs).toFixed(2), `${r.loadMin.toFixed(2)}–${r.loadMax.toFixed(2)}`]);
  }
  // The same-active model's row: the median of its runs beside the mixtures (same bits each time).
  const active = { ...actives[0], trainRate: median(actives.map((a) => a.trainRate)), inferUs: median(actives.map((a) => a.inferUs)) };
  rows.push([`dense 784-${HIDDEN}-10 (same active)`, pct(active.accuracy), '', active.trainRate.toFixed(0), '1.00', active.inferUs.toFixed(1), (active.inferUs / total.inferUs).toFixed(2), '']);
  rows.push([`dense 784-${E * HIDDEN}-10 (same total)`, pct(total.accuracy), '', total.trainRate.toFixed(0), (total.trainRate / active.trainRate).toFixed(2), total.inferUs.toFixed(1), '1.00', '']);
  rows.push([`dense 784-${SHARED_TOTAL}-10 (same total as the shared-expert option)`, pct(sharedTotal.accuracy), '', sharedTotal.trainRate.toFixed(0), (sharedTotal.trainRate / active.trainRate).toFixed(2), sharedTotal.inferUs.toFixed(1), '1.00', '']);
  if (!args.includes('--no-partition')) {
    const [single] = await alternateEpochs<[Scores]>([(t) => dense(b, raw, rawTest, 512, 128, t)]);
    const p = await trainPartitionMoE(raw, { experts: E, hidden: 512, epochs: EPOCHS, workers: 2, seed: SEED, backend: b });
    try {
      const net = p.network, accuracy = net.evaluate(rawTest).acc!, us = inferUs(() => net.predictProba(rawTest.x, rawTest.rows), rawTest.rows);
      const last = (key: string) => p.fineTune.history[`moe0/${key}`].at(-1)!;
      if (json) {
        console.log(JSON.stringify({
          op: 'moe', dataset: name, experts: E, k: 1, routing: 'token top-1, balance loss', init: 'partition', accuracy,
          train_samples_per_s: (train.rows * EPOCHS) / p.seconds, infer_us_per_sample: us, load_min: last('loadMin'), load_max: last('loadMax'), single_accuracy: single.accuracy,
        }));
      }
      rows.push(['partition-initialised MoE 8 × 784-512-10', pct(accuracy), `${((accuracy - single.accuracy) * 100).toFixed(2)} vs single`, ((train.rows * EPOCHS) / p.seconds).toFixed(0), '', us.toFixed(1), '', `${last('loadMin').toFixed(2)}–${last('loadMax').toFixed(2)}`]);
      rows.push(['single 784-512-10, batch 128, raw pixels', pct(single.accuracy), '', single.trainRate.toFixed(0), '', single.inferUs.toFixed(1), '', '']);
    } finally {
      p.network.dispose();
    }
  }
  // The table goes to stderr in every mode: --json keeps stdout to one object per line.
  console.error(`\n${name}\n${formatTable(['model', 'accuracy', 'Δ points', 'train rows/s', '× active', 'infer µs/row', '× total', 'load/ideal'], rows)}\n`);
}

const b = await init({ build: 'simd', threads: 1 });
if (args.includes('--curves')) await learningCurves(b, args, json);
else for (const name of datasets) await compare(name);
