// Expert jobs on BullMQ: a private redis-server and two `sparse-experts worker` processes (the
// built CLI). One worker is SIGKILLed mid-job: its job is re-run by the other, the weights equal
// the local executor's bit for bit, and Redis holds no key afterwards. Typed job failures reach
// the caller with their code, and an abort stops running and queued jobs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { SparseExpertModel, loadMnist, saveModel } from '../src/entry/node.js';
import { kernelRef } from '../src/backend/identity.js';
import { init } from '../src/backend/init.js';
import { createExecutor } from '../src/parallel/create.js';
import { trainExpertInput } from '../src/model/train-task.js';
import { bullmqExecutor } from '../src/queue/bullmq-executor.js';
import { connectionOptions } from '../src/queue/connection.js';
import { DEFAULT_QUEUE, failureForQueue, failureFromQueue } from '../src/queue/job-data.js';
import { SparseExpertsError } from '../src/errors.js';
import { type RedisServer, type WorkerProcess, killMidJob, redisMissing, startRedis, startWorker } from './util/redis.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;
const bits = (a: Uint8Array) => Array.from(a);
async function rejectsWith(p: Promise<unknown>, c: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  assert.ok(err && code(c)(err), `expected ${c}, got ${err ? String(err) : 'no error'}`);
}

test('options and connections are checked; typed errors survive the trip through a failed job', () => {
  assert.throws(() => bullmqExecutor(undefined as never), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => bullmqExecutor({ connection: 'http://localhost:6379' }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => bullmqExecutor({ connection: { duplicate() {} } }), code('ERR_BAD_ARGUMENT'), 'a client, not options');
  assert.throws(() => bullmqExecutor({ connection: 'redis://h:1', queue: 'a:b' }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => bullmqExecutor({ connection: 'redis://h:1', blobTtlSeconds: 0 }), code('ERR_BAD_ARGUMENT'));
  assert.equal(connectionOptions('rediss://u:p%40ss@example.org:7000/3'), { host: 'example.org', port: 7000, username: 'u', password: 'p@ss', db: 3, tls: {} });
  assert.match(DEFAULT_QUEUE, /^sparse-experts-\d+\.\d+\.\d+.*-jobs\d+$/);
  const back = failureFromQueue('t', failureForQueue(new SparseExpertsError('ERR_BAD_ARGUMENT', 'hidden must be > 0')).message);
  assert.is(back.code, 'ERR_BAD_ARGUMENT');
  assert.match(back.message, /hidden must be > 0/);
  assert.is(failureFromQueue('t', failureForQueue(new Error('ENOSPC: disk full')).message).code, 'ERR_WORKER_FAILED');
  assert.is(failureForQueue(new Error('x')).name, 'UnrecoverableError', 'BullMQ does not retry a task\'s own failure');
});

const missing = redisMissing();
if (missing) {
  console.log(`queue tests on Redis not run: ${missing}`);
} else {
  let redis: RedisServer;
  let client: Redis;
  let workers: WorkerProcess[] = [];
  const { train } = loadMnist({ train: 4000, test: 10, seed: 5 });
  // Long enough per job (seconds here) that the kill lands mid-job.
  const expert = { kind: 'mlp' as const, hidden: [128], fit: { epochs: 8, batchSize: 32 } };
  const options = { experts: 6, expert, combine: 'convex' as const, seed: 21 };

  /**
   * Nothing of ours in Redis once the executor is closed, but what live workers keep: the
   * queue's meta (one setting) and the stall-check marker, which expires after stalledInterval.
   */
  async function ourKeysGone(): Promise<void> {
    const keys = await client.keys('*');
    const live = [`bull:${DEFAULT_QUEUE}:meta`, `bull:${DEFAULT_QUEUE}:stalled-check`];
    assert.equal(keys.filter((k) => !live.includes(k)), [], 'Redis holds no key of ours');
    if (keys.includes(live[1])) assert.ok((await client.pttl(live[1])) > 0, 'the stall-check marker expires');
  }

  test.before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    workers = await Promise.all([startWorker(redis.url), startWorker(redis.url)]);
  });

  test.after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await client?.quit();
    await redis?.stop();
  });

  test('two worker processes, one SIGKILLed mid-job: every expert finishes, bit-identical to the local executor, no key left', async () => {
    const pool = createExecutor(2);
    const local = new SparseExpertModel(options);
    await local.fit(train, { executor: pool });
    await pool.close();
    const want = saveModel(local);
    local.dispose();

    // The test's own view of the queue: who stalled.
    const events = new QueueEvents(DEFAULT_QUEUE, { connection: connectionOptions(redis.url) });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();

    const executor = bullmqExecutor({ connection: redis.url, workers: 2 });
    const fractions = new Map<number, number[]>();
    let killing: Promise<boolean> | undefined;
    let over = false;
    const m = new SparseExpertModel(options);
    let got: Uint8Array;
    try {
      const started = performance.now();
      await m.fit(train, {
        executor,
        onProgress: ({ expert, fraction }) => {
          fractions.set(expert, [...(fractions.get(expert) ?? []), fraction]);
          killing ??= killMidJob(client, `bull:${DEFAULT_QUEUE}`, workers[0], () => over);
        },
      });
      console.log(`  queue fit: ${((performance.now() - started) / 1000).toFixed(1)} s, stalled jobs re-run: ${stalled.length}`);
      got = saveModel(m);
    } finally {
      over = true;
      m.dispose();
      await executor.close();
      await events.close();
    }
    assert.ok(await killing, 'a worker was killed mid-job');
    assert.equal([...fractions.keys()].sort(), [0, 1, 2, 3, 4, 5], 'every expert reported progress');
    for (const f of fractions.values()) assert.is(f[f.length - 1], 1, 'each expert\'s progress reached 1');
    const restarted = [...fractions.values()].some((f) => f.some((x, i) => i > 0 && x <= f[i - 1]));
    assert.ok(restarted, 'the re-run job\'s progress started over and reached the caller');
    assert.ok(stalled.length >= 1, `the killed worker's job stalled and was re-run (stalled: ${stalled.join(', ')})`);
    assert.equal(bits(got), bits(want), 'weights through the queue equal the local executor\'s');
    await ourKeysGone();
    workers[0] = await startWorker(redis.url); // two again for the tests below
  });

  test('a job that fails for a reason of its own rejects with its typed error, without retries', async () => {
    const events = new QueueEvents(DEFAULT_QUEUE, { connection: connectionOptions(redis.url) });
    let started = 0;
    events.on('active', () => started++);
    await events.waitUntilReady();
    const executor = bullmqExecutor({ connection: redis.url });
    try {
      await rejectsWith(executor.run('noSuchTask', { spec: null, blobs: {} }), 'ERR_BAD_ARGUMENT');
      // Kernels the workers do not have (another build or version): what backendFor refuses.
      const kernels = { ...kernelRef(await init()), hash: '0'.repeat(64) };
      const { train: few } = loadMnist({ train: 40, test: 10, seed: 1 });
      await rejectsWith(executor.run('trainExpert', trainExpertInput({ index: 0, expert, sparsity: null, seed: 1, kernels }, few)), 'ERR_WASM_LOAD');
    } finally {
      await executor.close();
      await events.close();
    }
    assert.is(started, 2, 'each failed job ran once');
    await ourKeysGone();
  });

  test('an AbortSignal stops running jobs on their workers and removes queued ones', async () => {
    const events = new QueueEvents(DEFAULT_QUEUE, { connection: connectionOptions(redis.url) });
    const reasons: string[] = [];
    events.on('failed', ({ failedReason }) => reasons.push(failedReason));
    await events.waitUntilReady();
    const executor = bullmqExecutor({ connection: redis.url });
    const controller = new AbortController();
    const progressed = new Set<number>();
    // Two run (one per worker), the third waits in the queue; each would sleep a minute.
    const runs = [0, 1, 2].map((i) => executor.run('sleep', { spec: { ms: 60_000, steps: 600 }, blobs: {} }, {
      signal: controller.signal,
      onProgress: () => {
        progressed.add(i);
        if (progressed.size === 2) controller.abort();
      },
    }));
    const outcomes = await Promise.allSettled(runs);
    await executor.close();
    await events.close();
    for (const o of outcomes) assert.ok(o.status === 'rejected' && code('ERR_ABORTED')(o.reason), String(o.status === 'rejected' ? o.reason : 'resolved'));
    assert.is(reasons.filter((r) => r.startsWith('ERR_ABORTED')).length, 2, `the running jobs were stopped where they ran (${reasons.join('; ')})`);
    await ourKeysGone();
  });

  test('once the workers have stopped, Redis is empty', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    assert.equal(workers.map((w) => w.child.exitCode), [0, 0], 'SIGTERM ends a worker cleanly');
    assert.equal(await client.keys('*'), []);
  });
}
test.run();
