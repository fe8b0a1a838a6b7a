// A queue worker: takes jobs from the executor's queue and runs each in a sandboxed processor
// thread (src/queue/processor.ts), so this thread stays free to renew job locks. Stall
// detection is tuned for seconds: a worker killed mid-job loses its lock within lockDuration,
// and another worker's stalled check puts the job back in the queue for someone else.
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'bullmq';
import { fail } from '../errors.js';
import { nodeFs } from '../node-builtins.js';
import { type RedisConnection, connectionOptions } from './connection.js';
import { DEFAULT_QUEUE } from './job-data.js';
import { loadBullmq, loadIoredis } from './peers.js';
import { cancelChannel, dropQueueIfEmpty } from './queue-keys.js';

export interface QueueWorkerOptions {
  connection: RedisConnection;
  /** Jobs at once, each in its own thread (default 1; one per core is the most that helps). */
  concurrency?: number;
  /** Must match the executors' (defaults: this version's queue, prefix 'bull'). */
  queue?: string;
  prefix?: string;
  /**
   * How long a job's lock lasts without renewal (ms, default 6000; renewed every half of it).
   * A killed worker's job is re-run about lockDuration + stalledInterval after the kill.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (ms, default 2000). */
  stalledIntervalMs?: number;
  /** How often a job may stall (its worker died) before it fails instead of running again (default 2). */
  maxStalledCount?: number;
  /** Stored on each job this worker takes (BullMQ's `processedBy`; default host:pid). */
  name?: string;
}

export interface QueueWorker {
  readonly queue: string;
  readonly name: string;
  /** Stops taking jobs; waits for the running ones unless `force`. Closes every connection. */
  close(force?: boolean): Promise<void>;
}

/** The bundled processor next to this bundle (dist/), or in dist/ when running from source. */
function processorFile(): string {
  const places = [new URL('./queue-processor.mjs', import.meta.url), new URL('../../dist/queue-processor.mjs', import.meta.url)];
  const found = places.find((p) => nodeFs().existsSync(p));
  if (!found) fail('ERR_BAD_ARGUMENT', `queue-processor.mjs not found at ${places.map((p) => fileURLToPath(p)).join(' or ')}; run \`npm run build\``);
  return fileURLToPath(found);
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const connection = connectionOptions(o.connection);
  const queue = o.queue ?? DEFAULT_QUEUE;
  const prefix = o.prefix ?? 'bull';
  const concurrency = o.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) fail('ERR_BAD_ARGUMENT', `concurrency must be an integer ≥ 1, got ${o.concurrency}`);
  const lockDuration = o.lockDurationMs ?? 6000;
  const stalledInterval = o.stalledIntervalMs ?? 2000;
  const maxStalledCount = o.maxStalledCount ?? 2;
  if (!(lockDuration >= 1000 && stalledInterval >= 500)) fail('ERR_BAD_ARGUMENT', 'lockDurationMs must be ≥ 1000 and stalledIntervalMs ≥ 500');
  if (!(Number.isInteger(maxStalledCount) && maxStalledCount >= 1)) fail('ERR_BAD_ARGUMENT', `maxStalledCount must be an integer ≥ 1, got ${o.maxStalledCount}`);
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const file = processorFile();
  const [{ Worker: BullWorker }, { Redis }] = await Promise.all([loadBullmq(), loadIoredis()]);
  const worker: Worker = new BullWorker(queue, file, {
    connection, prefix, concurrency, lockDuration, stalledInterval, maxStalledCount, name,
    useWorkerThreads: true,
    // The processor threads open their own connection for blobs.
    workerThreadsOptions: { workerData: { connection } },
  });
  worker.on('error', (err) => console.error(`queue worker: ${err.message}`));
  // Callers stop a running job by publishing its id (an aborted fit).
  const cancels = new Redis(connection);
  const channel = cancelChannel(prefix, queue);
  cancels.on('message', (_channel: string, jobId: string) => worker.cancelJob(jobId, 'the caller aborted'));
  await Promise.all([worker.waitUntilReady(), cancels.subscribe(channel)]);
  return {
    queue,
    name,
    async close(force = false) {
      await worker.close(force);
      // Live workers keep the queue's meta and stall-check keys; the last one out removes them.
      await cancels.unsubscribe(channel);
      await dropQueueIfEmpty(cancels, prefix, queue).catch(() => false);
      await cancels.quit().catch(() => cancels.disconnect());
    },
  };
}
