// The package root in Node: the portable root plus the MNIST loader (it reads the optional
// `mnist` package's files). Re-exports only.
export * from './index.js';
export { loadMnist, mnistAll } from './data/mnist.js';
export type { MnistOptions } from './data/mnist.js';
// Files as sources read in chunks (data larger than memory); workers reopen them by path.
export { fileBytes } from './data/file-bytes.js';
export { idxFiles, csvFile } from './data/file-sources.js';
// Expert jobs on a BullMQ queue, and the queue workers (bullmq and ioredis are optional peer dependencies).
export { bullmqExecutor } from './queue/bullmq-executor.js';
export type { BullmqExecutorOptions } from './queue/bullmq-executor.js';
export { startQueueWorker } from './queue/queue-worker.js';
export type { QueueWorker, QueueWorkerOptions } from './queue/queue-worker.js';
export type { RedisConnection, RedisConnectionOptions } from './queue/connection.js';
