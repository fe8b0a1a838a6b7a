// Tasks as BullMQ jobs on Redis: the executor for fits that outgrow one machine. Each run puts
// its blobs as binary keys, adds one job that names them, and waits for the job's events; the
// queue workers (`sparse-experts worker`, src/queue/queue-worker.ts) may run anywhere.
// Everything a run writes is removed when it settles, and the executor's whole namespace
// again whenever no run is left (the end of a fit) and on close().
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { fail } from '../errors.js';
import { nodeCrypto } from '../node-builtins.js';
import type { Executor, RunOptions } from '../parallel/executor.js';
import { abortedError, closedError } from '../parallel/protocol.js';
import type { Json, TaskInput, TaskOutput } from '../parallel/task.js';
import { type BlobClient, type BlobRef, deleteBlobs, getBlobs, putBlobs } from './blob-store.js';
import { type RedisConnection, connectionOptions } from './connection.js';
import { DEFAULT_QUEUE, type JobData, type JobResult, failureFromQueue } from './job-data.js';
import { loadBullmq, loadIoredis } from './peers.js';
import { cancelChannel, dropQueueIfEmpty } from './queue-keys.js';

export interface BullmqExecutorOptions {
  /** Where Redis is: `redis://host:port[/db]` or plain ioredis options (never a client). */
  connection: RedisConnection;
  /** Queue name (default: one per sparse-experts version and job format); workers must use the same. */
  queue?: string;
  /** BullMQ key prefix (default 'bull'); workers must use the same. */
  prefix?: string;
  /** How long blobs (shards in, weights out) may stay in Redis if nobody cleans up (default 1 day). */
  blobTtlSeconds?: number;
  /** How long an aborted job that is already running gets to stop before it is left to its TTL (ms, default 10 000). */
  stopTimeoutMs?: number;
  /** Reported as `size` (the queue does not know how many workers listen; default 1). */
  workers?: number;
}

/** Runs tasks as jobs on a BullMQ queue; `bullmq` and `ioredis` are loaded on the first run. */
export function bullmqExecutor(options: BullmqExecutorOptions): Executor {
  return new BullmqExecutor(options);
}

interface Parts {
  queue: Queue;
  events: QueueEvents;
  /** Our own connection: blobs, the cancel channel, the clean-up script. */
  redis: Redis;
  blobs: BlobClient;
}

/** How a waiting run hears about its job. */
interface Waiter {
  settle(outcome: { ok: true; value: JobResult } | { ok: false; reason: string }): void;
  progress(p: Json): void;
}

class BullmqExecutor implements Executor {
  readonly size: number;
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly stopTimeoutMs: number;
  private readonly connection: ReturnType<typeof connectionOptions>;
  /** This executor's namespace: its blobs and job ids never meet another caller's. */
  private readonly owner = nodeCrypto().randomUUID();
  private parts: Promise<Parts> | undefined;
  private readonly waiters = new Map<string, Waiter>();
  /** Input blob keys in use by runs still going (the same content may serve several). */
  private readonly inUse = new Map<string, number>();
  private readonly running = new Set<{ controller: AbortController; done: Promise<unknown> }>();
  /** The sweep at the end of the last fit; a new run waits for it (it deletes the whole namespace). */
  private sweeping: Promise<void> = Promise.resolve();
  private jobs = 0;
  private closed = false;

  constructor(o: BullmqExecutorOptions) {
    if (!o || o.connection === undefined) fail('ERR_BAD_ARGUMENT', "bullmqExecutor needs { connection: 'redis://host:port' } or ioredis options");
    this.connection = connectionOptions(o.connection);
    this.queueName = o.queue ?? DEFAULT_QUEUE;
    this.prefix = o.prefix ?? 'bull';
    if (typeof this.queueName !== 'string' || !/^[\w.-]+$/.test(this.queueName)) fail('ERR_BAD_ARGUMENT', `queue must be letters, digits, '.', '_' or '-', got ${JSON.stringify(o.queue)}`);
    if (typeof this.prefix !== 'string' || !/^[\w.-]+$/.test(this.prefix)) fail('ERR_BAD_ARGUMENT', `prefix must be letters, digits, '.', '_' or '-', got ${JSON.stringify(o.prefix)}`);
    this.ttlMs = positive(o.blobTtlSeconds ?? 86_400, 'blobTtlSeconds') * 1000;
    this.stopTimeoutMs = positive(o.stopTimeoutMs ?? 10_000, 'stopTimeoutMs');
    this.size = o.workers ?? 1;
    if (!(Number.isInteger(this.size) && this.size >= 1)) fail('ERR_BAD_ARGUMENT', `workers must be an integer ≥ 1, got ${o.workers}`);
  }

  /** Blob keys of this executor: `<prefix>:<queue>:blob:<owner>:<sha256>`. */
  private get blobPrefix(): string {
    return `${this.prefix}:${this.queueName}:blob:${this.owner}:`;
  }

  run<R>(task: string, input: TaskInput<unknown>, opts: RunOptions = {}): Promise<TaskOutput<R>> {
    if (this.closed) return Promise.reject(closedError());
    if (opts.signal?.aborted) return Promise.reject(abortedError(task));
    const controller = new AbortController();
    const onAbort = () => controller.abort(abortedError(task));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const entry = { controller, done: Promise.resolve() as Promise<unknown> };
    const done = (async () => {
      try {
        return (await this.runJob(task, input, opts.onProgress, controller.signal)) as TaskOutput<R>;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        this.running.delete(entry);
        // The end of a fit: nothing of ours stays behind (the queue's own keys too, if no one else uses it).
        if (this.running.size === 0) await (this.sweeping = this.sweep());
      }
    })();
    entry.done = done.catch(() => {});
    this.running.add(entry);
    return done;
  }

  private async runJob(task: string, input: TaskInput<unknown>, onProgress: RunOptions['onProgress'], signal: AbortSignal): Promise<TaskOutput<unknown>> {
    const { queue, redis, blobs } = await this.connect();
    const jobId = `${this.owner}-${++this.jobs}`;
    let refs: Record<string, BlobRef> = {};
    let outputs: Record<string, BlobRef> = {};
    try {
      await this.sweeping;
      refs = await putBlobs(blobs, this.blobPrefix, input.blobs, this.ttlMs);
      for (const { key } of Object.values(refs)) this.inUse.set(key, (this.inUse.get(key) ?? 0) + 1);
      let settled = false;
      const finished = new Promise<JobResult>((resolve, reject) => {
        this.waiters.set(jobId, {
          settle: (o) => {
            settled = true;
            this.waiters.delete(jobId);
            if (o.ok) resolve(o.value);
            else reject(failureFromQueue(task, o.reason));
          },
          progress: (p) => settled || signal.aborted || onProgress?.(p),
        });
      });
      finished.catch(() => {}); // read below, or dropped when aborted
      const data: JobData = { task, spec: input.spec as Json, blobs: refs, outputs: { prefix: this.blobPrefix, ttlMs: this.ttlMs } };
      // One attempt: a failure of the task's own is final; a killed worker's job comes back through stall detection.
      const age = Math.ceil(this.ttlMs / 1000);
      if (signal.aborted) throw signal.reason; // while the blobs went up: nothing queued
      await queue.add(task, data, { jobId, attempts: 1, removeOnComplete: { age }, removeOnFail: { age } });
      // Aborted from here on: the race rejects at once and stop() removes or cancels the job.
      const result = await Promise.race([finished, aborted(signal)]).catch(async (err) => {
        if (signal.aborted) await this.stop(queue, redis, jobId, finished);
        throw err;
      });
      outputs = result.blobs;
      return { result: result.result, blobs: await getBlobs(blobs, outputs) };
    } finally {
      this.waiters.delete(jobId);
      const drop = Object.values(outputs).map((r) => r.key);
      for (const { key } of Object.values(refs)) {
        const n = (this.inUse.get(key) ?? 1) - 1;
        if (n > 0) this.inUse.set(key, n);
        else (this.inUse.delete(key), drop.push(key));
      }
      await Promise.all([queue.remove(jobId).catch(() => 0), drop.length ? redis.del(...drop) : 0]);
    }
  }

  /** An aborted run: a queued job is removed; a running one is told to stop and given time to. */
  private async stop(queue: Queue, redis: Redis, jobId: string, finished: Promise<unknown>): Promise<void> {
    if ((await queue.remove(jobId).catch(() => 0)) === 1) return;
    await redis.publish(cancelChannel(this.prefix, this.queueName), jobId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([finished.catch(() => {}), new Promise((r) => (timer = setTimeout(r, this.stopTimeoutMs)))]);
    clearTimeout(timer);
  }

  private connect(): Promise<Parts> {
    return (this.parts ??= (async () => {
      const [{ Queue, QueueEvents }, { Redis }] = await Promise.all([loadBullmq(), loadIoredis()]);
      const redis = new Redis(this.connection);
      const common = { connection: this.connection, prefix: this.prefix };
      // Events from the stream's current end on: none of our jobs' events can come before it.
      const last = (await redis.xrevrange(`${this.prefix}:${this.queueName}:events`, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
      const queue = new Queue(this.queueName, common);
      const events = new QueueEvents(this.queueName, { ...common, lastEventId: last });
      events.on('completed', ({ jobId, returnvalue }) => this.waiters.get(jobId)?.settle({ ok: true, value: returnvalue as unknown as JobResult }));
      events.on('failed', ({ jobId, failedReason }) => this.waiters.get(jobId)?.settle({ ok: false, reason: failedReason }));
      events.on('progress', ({ jobId, data }) => this.waiters.get(jobId)?.progress((data as { value?: Json }).value ?? null));
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      return { queue, events, redis, blobs: redis as unknown as BlobClient };
    })());
  }

  /** Deletes every blob of this executor and, when the queue holds no job of anyone, the queue's own keys. */
  private async sweep(): Promise<void> {
    if (!this.parts) return;
    try {
      const { redis, blobs } = await this.parts;
      await deleteBlobs(blobs, this.blobPrefix);
      await dropQueueIfEmpty(redis, this.prefix, this.queueName);
    } catch {
      // Redis unreachable: the blobs expire with their TTL, the jobs with removeOn* age.
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { controller } of this.running) controller.abort(closedError());
    await Promise.all([...this.running].map((r) => r.done));
    const parts = await this.parts?.catch(() => undefined);
    if (!parts) return;
    await (this.sweeping = this.sweep());
    await Promise.all([parts.events.close(), parts.queue.close()]);
    await parts.redis.quit().catch(() => parts.redis.disconnect());
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function positive(v: number, name: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) fail('ERR_BAD_ARGUMENT', `${name} must be a finite number > 0, got ${v}`);
  return v;
}
