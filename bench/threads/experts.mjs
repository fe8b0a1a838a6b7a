// One measured run of bench/threads.ts's expert part: 5 experts of the seed's shape on 8,000
// MNIST digits (10 epochs, convex combiner) through a worker pool, in a fresh node process:
// WORKERS workers sharing CORES cores (threads per expert = floor(CORES / busy workers)), on
// the kernel BUILD. Prints one JSON line: the experts' training seconds and a hash of the model file.
//   node bench/threads/experts.mjs WORKERS CORES simd|relaxed
import { createHash } from 'node:crypto';
import { SparseExpertModel, init, loadMnist, saveModel } from '../../dist/index.js';
import { createExecutor } from '../../dist/parallel.js';

const [workers, cores, build] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
await init({ build });
const { train } = loadMnist({ train: 8000, test: 10, seed: 1 });
const executor = createExecutor(workers, { cores });
const expert = { kind: 'mlp', hidden: [512], fit: { epochs: 10, batchSize: 128 } };
// Warm-up: a small fit with one expert per worker, so every worker has started, loaded its
// kernels and started its kernel threads before the timed fit.
await new SparseExpertModel({ experts: workers, expert: { ...expert, fit: { epochs: 1, batchSize: 128 } }, combine: 'fixed', seed: 7 })
  .fit({ ...train, rows: 512, x: train.x.subarray(0, 512 * train.cols), y: train.y.subarray(0, 512) }, { executor });
const model = new SparseExpertModel({ experts: 5, expert, combine: 'convex', seed: 7 });
const report = await model.fit(train, { executor });
const file = saveModel(model);
await executor.close();
console.log(JSON.stringify({ workers, cores, build, seconds: report.expertSeconds, file: createHash('sha256').update(file).digest('hex') }));
