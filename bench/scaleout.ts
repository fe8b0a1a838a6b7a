// Scale-out over a job queue: the same fit through bullmqExecutor with 1 and then 2
// `sparse-experts worker` processes on this machine (a private redis-server), then once more
// with one worker SIGKILLed mid-job — how long until its job runs again elsewhere, whether
// every model file is identical to the local pool's, and how many Redis keys are left.
// Real MNIST digits (8,000, 10 % held out for the convex combiner), 6 experts of the seed's
// shape: 784 → Dense(512) → 10, 10 epochs, batch 128.
//   npm run bench:scaleout [-- --json]
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { SparseExpertModel, init, loadMnist, saveModel } from '../src/entry/node.js';
import { createExecutor } from '../src/parallel/create.js';
import type { Executor } from '../src/parallel/executor.js';
import { bullmqExecutor } from '../src/queue/bullmq-executor.js';
import { connectionOptions } from '../src/queue/connection.js';
import { DEFAULT_QUEUE } from '../src/queue/job-data.js';
import { type WorkerProcess, killMidJob, startRedis, startWorker } from '../test/util/redis.js';

const json = process.argv.includes('--json');
// The SIMD build, which every worker has (npm run bench enables relaxed SIMD here, not in the workers).
await init({ build: 'simd' });
const log = (s: string) => json || console.log(s);
const JOBS = 6;
const { train } = loadMnist({ train: 8000, test: 10, seed: 1 });
const options = { experts: JOBS, expert: { kind: 'mlp' as const, hidden: [512], fit: { epochs: 10, batchSize: 128 } }, combine: 'convex' as const, seed: 7 };

async function fit(executor: Executor, onProgress?: (p: { expert: number; fraction: number }) => void): Promise<{ seconds: number; file: Uint8Array }> {
  const m = new SparseExpertModel(options);
  const report = await m.fit(train, { executor, onProgress });
  const file = saveModel(m);
  m.dispose();
  return { seconds: report.expertSeconds, file };
}

/** A ping per worker: each processor thread is started and has loaded its kernels before timing. */
async function warm(executor: Executor, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => executor.run('sleep', { spec: { ms: 300 }, blobs: {} })));
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

const redis = await startRedis();
const client = new Redis(redis.url);
const workers: WorkerProcess[] = [];
try {
  log(`MNIST ${train.rows} digits, ${JOBS} expert jobs (784-512-10, 10 epochs); the machine is shared and loaded: timings are noisy`);
  const pool = createExecutor(2);
  const local = await fit(pool);
  await pool.close();
  log(`local pool, 2 worker threads: ${local.seconds.toFixed(1)} s`);

  const executor = bullmqExecutor({ connection: redis.url });
  workers.push(await startWorker(redis.url));
  await warm(executor, 1);
  const one = await fit(executor);
  log(`queue, 1 worker process:  ${one.seconds.toFixed(1)} s`);
  workers.push(await startWorker(redis.url));
  await warm(executor, 2);
  const two = await fit(executor);
  log(`queue, 2 worker processes: ${two.seconds.toFixed(1)} s (${(one.seconds / two.seconds).toFixed(2)}×)`);

  // The kill: once worker 0 is mid-job, SIGKILL it; time until its job is active on the other.
  const events = new QueueEvents(DEFAULT_QUEUE, { connection: connectionOptions(redis.url) });
  const stalled = new Set<string>();
  let killedAt = 0;
  let recoveredAt = 0;
  events.on('stalled', ({ jobId }) => stalled.add(jobId));
  events.on('active', ({ jobId }) => {
    if (killedAt && !recoveredAt && stalled.has(jobId)) recoveredAt = performance.now();
  });
  await events.waitUntilReady();
  const last = new Map<number, number>();
  let killing: Promise<boolean> | undefined;
  let over = false;
  const crashed = await fit(executor, ({ expert, fraction }) => {
    last.set(expert, fraction);
    killing ??= killMidJob(client, `bull:${DEFAULT_QUEUE}`, workers[0], () => over).then((k) => ((killedAt = performance.now()), k));
  });
  over = true;
  const killed = await killing;
  await events.close();
  await executor.close();
  await Promise.all(workers.map((w) => w.stop()));
  const leftover = (await client.keys('*')).length;
  const recovered = Boolean(killed) && recoveredAt > 0 && last.size === JOBS && [...last.values()].every((f) => f === 1);
  const result = {
    op: 'scaleout', workers: 2, jobs: JOBS, one_s: +one.seconds.toFixed(2), two_s: +two.seconds.toFixed(2),
    speedup: +(one.seconds / two.seconds).toFixed(2), recovered, recovery_s: recovered ? +((recoveredAt - killedAt) / 1000).toFixed(2) : null,
    identical: [one, two, crashed].every((r) => same(r.file, local.file)), leftover_keys: leftover,
    local_pool_s: +local.seconds.toFixed(2), crashed_s: +crashed.seconds.toFixed(2),
  };
  if (json) console.log(JSON.stringify(result));
  else {
    log(`queue, 2 workers, one killed mid-job: ${crashed.seconds.toFixed(1)} s; the killed job ran again ${result.recovery_s ?? '—'} s after the kill`);
    log(`identical model files (local pool, 1 worker, 2 workers, killed): ${result.identical}; Redis keys left: ${leftover}`);
  }
} finally {
  await Promise.all(workers.map((w) => w.kill()));
  await client.quit();
  await redis.stop();
}
