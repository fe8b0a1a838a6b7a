// One measured run of bench/threads.ts's expert part: 5 experts of the seed's shape on 8,000
// MNIST digits (10 epochs, convex combiner) through a worker pool, in a fresh node process:
// WORKERS workers sharing CORES cores (threads per expert = floor(CORES / busy workers)).
// Prints one JSON line: the experts' training seconds and a hash of the model file.
//   node bench/threads/experts.mjs WORKERS CORES
import { createHash } from 'node:crypto';
import { SparseExpertModel, init, loadMnist, saveModel } from '../../dist/index.js';
import { createExecutor } from '../../dist/parallel.js';

const [workers, cores] = [Number(process.argv[2]), Number(process.argv[3])];
await init({ build: 'relaxed' });
const { train } = loadMnist({ train: 8000, test: 10, seed: 1 });
const executor = createExecutor(workers, { cores });
// Start the workers before timing (each loads its kernels once).
await Promise.all(Array.from({ length: workers }, () => executor.run('sleep', { spec: { ms: 300 }, blobs: {} })));
const model = new SparseExpertModel({ experts: 5, expert: { kind: 'mlp', hidden: [512], fit: { epochs: 10, batchSize: 128 } }, combine: 'convex', seed: 7 });
const report = await model.fit(train, { executor });
const file = saveModel(model);
await executor.close();
console.log(JSON.stringify({ workers, cores, seconds: report.expertSeconds, file: createHash('sha256').update(file).digest('hex') }));
