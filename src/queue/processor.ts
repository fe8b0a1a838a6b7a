// The sandboxed processor (built to dist/queue-processor.mjs): BullMQ runs it in a worker
// thread of a queue worker (useWorkerThreads), so training never blocks the worker's main
// thread, which keeps renewing the job's lock. It reads the job's blobs from Redis, runs the
// task from the registry, writes the output blobs back and returns their references.
import { workerData } from 'node:worker_threads';
import { init, setKernelSource } from '../backend/init.js';
import { registerFileSources } from '../data/file-sources.js';
import { nodeKernelSource } from '../entry/node-runtime.js';
import { registerDiagnostics } from '../parallel/diagnostics.js';
import { registerTask, runTask } from '../parallel/registry.js';
import type { Json } from '../parallel/task.js';
import { trainExpert } from '../model/train-task.js';
import { type BlobClient, getBlobs, putBlobs } from './blob-store.js';
import type { RedisConnectionOptions } from './connection.js';
import { type JobData, type JobResult, failureForQueue } from './job-data.js';
import { loadIoredis } from './peers.js';

// Kernels from dist/, next to this file: the builds a job names by hash.
setKernelSource(nodeKernelSource);
// Experts trained from files (on a machine that sees the same paths) read their own rows.
registerFileSources();
registerDiagnostics();
registerTask(trainExpert);

/** What BullMQ hands a sandboxed processor: the job as data, with a few proxied methods. */
interface SandboxJob {
  id?: string;
  data: JobData;
  updateProgress(progress: object): Promise<void>;
}

/** Progress goes to Redis and the event stream: at most this often (the last report always goes). */
const PROGRESS_MS = 250;

let client: Promise<BlobClient> | undefined;

/** One connection per processor thread, reused by every job it runs. */
function blobClient(): Promise<BlobClient> {
  return (client ??= loadIoredis().then(({ Redis }) => new Redis(workerData.connection as RedisConnectionOptions) as unknown as BlobClient));
}

export default async function processor(job: SandboxJob, _token?: string, signal?: AbortSignal): Promise<JobResult> {
  const { task, spec, blobs: refs, outputs } = job.data;
  try {
    const [redis] = await Promise.all([blobClient(), init()]);
    const blobs = await getBlobs(redis, refs);
    let sent = 0;
    let last: Json | undefined;
    const report = () => job.updateProgress({ value: last ?? null }).catch(() => {});
    const onProgress = (p: Json) => {
      last = p;
      if (performance.now() - sent < PROGRESS_MS) return;
      sent = performance.now();
      void report();
    };
    const out = await runTask(task, { spec, blobs }, { onProgress, signal: signal ?? new AbortController().signal });
    if (last !== undefined) await report();
    return { result: out.result as Json, blobs: await putBlobs(redis, outputs.prefix, out.blobs, outputs.ttlMs) };
  } catch (err) {
    throw failureForQueue(err);
  }
}
