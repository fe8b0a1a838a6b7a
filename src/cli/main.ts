// `sparse-experts` — the seed's MNIST expert model end to end, with a report, and the same
// models on the user's own data.
//   sparse-experts                 the full report (npm start): the seed's recipe, better variants,
//                                  a single dense model (and pruned), mixtures of experts, 1 vs N
//                                  workers, dense vs CSR inference
//   sparse-experts train [flags]   one MNIST configuration chosen by flags, against the single model
//   sparse-experts train --data …  train/predict/evaluate/inspect on a CSV or IDX files (user-commands.ts)
import { parseArgs } from 'node:util';
import type { CombineKind, CombineSpec, PartitionOptions } from '../model/options.js';
import type { SparsitySpec } from '../model/train-task.js';
import type { PartitionKind } from '../partition/partition.js';
import { SparseExpertsError } from '../errors.js';
import { init } from '../backend/init.js';
import { loadMnist } from '../data/mnist.js';
import { createExecutor } from '../parallel/create.js';
import { installNodeRuntime } from '../entry/node-runtime.js';
import { type EnsembleResult, type MoEResult, type PrunedSingleResult, type RecipeOptions, ensemble, moe, partitionMoE, prunedSingle, single, sparseSpeedup } from './recipe.js';
import { printReport } from './report.js';
import { type Flags, evaluate, inspect, predict, train as trainUserData } from './user-commands.js';

const HELP = `sparse-experts — sparse expert models on your data, and on the real MNIST digits

your data (a CSV with a header row, or IDX files, gzipped or not):
  sparse-experts train --data file.csv [--label col] [--task classification|regression] --out model.spxm
                 [--partition stratified|contiguous|shuffled|kmeans|features] [--experts 3]
                 [--expert mlp|softmax|logistic|linear] [--hidden 64] [--epochs 30]
                 [--combine convex|fixed|stacking|gate|hard|topk] [--sparsity S] [--seed 1] [--workers N]
  sparse-experts train --data images.idx --labels labels.idx --out model.spxm
  sparse-experts predict --model model.spxm --data x.csv [--out predictions.csv]
  sparse-experts evaluate --model model.spxm --data test.csv    (or --data images.idx --labels labels.idx)
  sparse-experts inspect model.spxm
  --label is a column name (default: the last column); every command takes --json.

MNIST (the optional \`mnist\` package):
usage: sparse-experts [report] [flags]     the full report (what npm start runs)
       sparse-experts train [flags]        one configuration

flags:
  --partition contiguous|shuffled|stratified|kmeans|features   (train; default contiguous)
  --experts N          experts (default 5)
  --overlap F          kmeans: also train experts on rows within (1+F)× their nearest distance (default 0)
  --expert mlp|softmax (default mlp)      --hidden 512   hidden widths, comma-separated
  --sparsity S         prune to S in [0,1) after training (default none; report uses 0.9)
  --schedule one-shot|gradual             --prune magnitude|nm
  --fine-tune E        fine-tune epochs after one-shot pruning (default 2 × epochs)
  --combine fixed,convex,stacking,gate,hard,topk   one or more (train; default convex)
  --k K                experts per input for topk (default 2)
  --workers N          worker threads (default: the machine's cores)
  --epochs E           (default 10)         --seed S (default 1)
  --train N --test N   MNIST rows (default 8000 / 2000, from all 10,000)
  --json               print the report as one JSON object
  -h, --help`;

async function main(): Promise<void> {
  if (process.argv[2] === 'worker') return (await import('./worker.js')).workerCommand(process.argv.slice(3));
  const { values: v, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      partition: { type: 'string' }, experts: { type: 'string' }, expert: { type: 'string' }, hidden: { type: 'string' },
      sparsity: { type: 'string' }, 'fine-tune': { type: 'string' }, schedule: { type: 'string' }, prune: { type: 'string' }, combine: { type: 'string' },
      k: { type: 'string' }, workers: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' },
      train: { type: 'string' }, test: { type: 'string' }, overlap: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      data: { type: 'string' }, labels: { type: 'string' }, label: { type: 'string' }, task: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' },
    },
  });
  if (v.help) return void console.log(HELP);
  const command = positionals[0] ?? 'report';
  const user = { predict, evaluate, inspect: (_: Flags, say: (l: string) => void) => inspect(positionals[1], say), train: trainUserData };
  if (command in user && (command !== 'train' || v.data !== undefined)) {
    await init();
    // Text goes to stdout for people; with --json only the JSON does (progress stays on stderr).
    const result = await user[command as keyof typeof user](v as Flags, (line) => (v.json ? undefined : console.log(line)));
    if (v.json) console.log(JSON.stringify(result));
    return;
  }
  if (command !== 'report' && command !== 'train') throw new SparseExpertsError('ERR_BAD_ARGUMENT', `unknown command '${command}' (see sparse-experts --help)`);
  const num = (s: string | undefined, d: number) => (s === undefined ? d : Number(s));
  const cores = (await import('node:os')).availableParallelism();
  const o: RecipeOptions = {
    epochs: num(v.epochs, 10), seed: num(v.seed, 1), workers: num(v.workers, cores), experts: num(v.experts, 5),
    hidden: (v.hidden ?? '512').split(',').map(Number), log: (l) => (v.json ? undefined : console.error(l)),
  };
  const backend = await init();
  const { train, test } = loadMnist({ train: num(v.train, 8000), test: num(v.test, 2000), seed: o.seed });
  o.log(`MNIST: ${train.rows} training / ${test.rows} held-out digits; kernels: ${backend.name}; ${o.workers} worker(s)`);
  const expert = v.expert === 'softmax' ? { kind: 'softmax' as const, fit: { epochs: o.epochs } } : undefined;
  const k = num(v.k, 2);
  const combines = (v.combine ?? 'convex').split(',').map((c) => ({ kind: c as CombineKind, k }) as CombineSpec);
  const sparsity: SparsitySpec | null = v.sparsity === undefined ? null : {
    method: (v.prune ?? 'magnitude') as 'magnitude' | 'nm', sparsity: Number(v.sparsity), scope: 'global',
    schedule: (v.schedule ?? 'one-shot') as 'one-shot' | 'gradual', fineTuneEpochs: num(v['fine-tune'], 2 * o.epochs),
  };

  o.log('training the single dense model on all the data…');
  const { result: baseline, model: singleModel } = await single(train, test, o);
  const ensembles: EnsembleResult[] = [], mixtures: MoEResult[] = [];
  let singlePruned: PrunedSingleResult | null = null;
  let workersSpeedup: { workers: number; one_s: number; n_s: number; speedup: number } | null = null;
  let sparse: { dense_ms: number; csr_ms: number; speedup: number } | null = null;

  if (command === 'train') {
    const partition: PartitionOptions = { kind: (v.partition ?? 'contiguous') as PartitionKind, overlap: v.overlap === undefined ? undefined : Number(v.overlap) };
    const run = await ensemble(train, test, { partition, expert, sparsity, combine: combines }, o);
    ensembles.push(...run.results);
    if (sparsity) sparse = sparseSpeedup(run.model, test);
    run.model.dispose();
    singleModel.dispose();
  } else {
    // 1. The seed's recipe: array_split into 5, Dense(512) experts; its own combine_models
    //    (α = 0.5 on the first two experts only), then every combiner over all five.
    o.log('the seed recipe: 5 contiguous experts…');
    const seedCombine: CombineSpec = { kind: 'fixed', weights: [0.5, 0.5, ...Array.from({ length: o.experts - 2 }, () => 0)] };
    const all: CombineSpec[] = [{ kind: 'convex' }, seedCombine, { kind: 'fixed' }, { kind: 'stacking' }, { kind: 'gate' }, { kind: 'topk', k }];
    const seedRun = await ensemble(train, test, { partition: { kind: 'contiguous' }, expert, combine: all }, o);
    ensembles.push(...seedRun.results);
    seedRun.model.dispose();
    // 2. k-means partition with a gate and with hard routing.
    o.log('k-means partition…');
    const km = await ensemble(train, test, { partition: { kind: 'kmeans' }, expert, combine: [{ kind: 'gate' }, { kind: 'hard' }, { kind: 'topk', k }] }, o);
    ensembles.push(...km.results);
    km.model.dispose();
    // 3. 90 % magnitude pruning (one-shot + fine-tune), run through CSR: the seed's partition,
    //    and k-means specialists (trained with soft borders) each input is routed to.
    o.log('90 % pruned experts…');
    // Fine-tuning twice the training epochs recovers the dense experts' accuracy (measured: ±0.1 points).
    const prune: SparsitySpec = sparsity ?? { method: 'magnitude', sparsity: 0.9, scope: 'global', fineTuneEpochs: 2 * o.epochs };
    const pruned = await ensemble(train, test, { partition: { kind: 'contiguous' }, expert, sparsity: prune, combine: [{ kind: 'convex' }, { kind: 'gate' }] }, o);
    ensembles.push(...pruned.results);
    sparse = sparseSpeedup(pruned.model, test);
    pruned.model.dispose();
    const prunedKm = await ensemble(train, test, { partition: { kind: 'kmeans', overlap: 0.5 }, expert, sparsity: prune, combine: [{ kind: 'hard' }, { kind: 'gate' }, { kind: 'topk', k }] }, o);
    ensembles.push(...prunedKm.results);
    prunedKm.model.dispose();
    // The fair baseline at equal FLOPs: the single model itself, pruned and fine-tuned as the experts were.
    o.log('the single model pruned to the same sparsity…');
    singlePruned = await prunedSingle(singleModel, baseline, train, test, prune, o);
    singleModel.dispose();
    // 4. Mixtures of experts, router and experts trained together: from a random start, and
    //    warm-started from the seed's pipeline (k-means experts, a centroid router).
    for (const E of [5, 8]) {
      for (const topK of [1, 2]) {
        o.log(`mixture of ${E} experts, top-${topK}…`);
        mixtures.push(await moe(backend, train, test, { experts: E, k: topK }, o));
      }
    }
    o.log('k-means experts → mixture of 8, fine-tuned jointly…');
    mixtures.push(await partitionMoE(backend, train, test, 8, o));
    // 5. Training time on one core (1 worker, one kernel thread) against all of them: the same 5 experts.
    if (o.workers > 1 || cores > 1) {
      o.log(`the seed recipe again on one core (vs ${o.workers} workers on ${cores} cores)…`);
      const oneCore = createExecutor(1, { cores: 1 });
      const one = await ensemble(train, test, { partition: { kind: 'contiguous' }, expert, combine: [{ kind: 'convex' }], executor: oneCore }, o);
      await oneCore.close();
      one.model.dispose();
      workersSpeedup = { workers: o.workers, one_s: one.experts_s, n_s: seedRun.experts_s, speedup: one.experts_s / seedRun.experts_s };
    }
  }
  printReport({ single: baseline, single_pruned: singlePruned, ensembles, moe: mixtures, workers_speedup: workersSpeedup, sparse_speedup: sparse }, Boolean(v.json));
}

// Where the kernels and the worker script are (dist/, next to this file).
installNodeRuntime();
main().then(
  () => process.exit(0),
  (err) => {
    // parseArgs' own errors (unknown flag, missing value) are the user's too: one line, no stack.
    const parse = typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS');
    console.error(err instanceof SparseExpertsError || parse ? `error ${err.code}: ${err.message}` : err);
    process.exit(1);
  },
);
