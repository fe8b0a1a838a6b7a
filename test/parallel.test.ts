// Worker pool and local executor: same results for 0, 1 and 2 workers, ordering, progress,
// failures, dead workers and aborts. Needs dist/worker.node.mjs (npm run build).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SparseExpertsError, type ErrorCode } from '../src/errors.js';
import { Rng } from '../src/data/prng.js';
import { createExecutor, runAll } from '../src/parallel/create.js';
import type { Executor } from '../src/parallel/executor.js';
import { nodeWorkers } from '../src/parallel/node.js';
import { shareArray } from '../src/parallel/transfer.js';

const SEED = 20240611;
const withWorkers = (n: number, abortGraceMs?: number) => createExecutor(n, { platform: nodeWorkers, abortGraceMs });

async function rejects(promise: Promise<unknown>, code: ErrorCode): Promise<SparseExpertsError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, SparseExpertsError);
    assert.is((err as SparseExpertsError).code, code, (err as Error).message);
    return err as SparseExpertsError;
  }
  throw new Error(`expected a rejection with ${code}`);
}

async function usingEach(sizes: number[], body: (ex: Executor, n: number) => Promise<void>): Promise<void> {
  for (const n of sizes) {
    const ex = withWorkers(n);
    try {
      await body(ex, n);
    } finally {
      await ex.close();
    }
  }
}

function payloads(seed: number): { seed: number; x: Float32Array; y: Int32Array }[] {
  const rng = new Rng(seed);
  return [0, 1, 3, 7, 8, 13, 33].map((n) => ({
    seed: n,
    x: Float32Array.from({ length: n }, () => rng.next() * 2 - 1),
    y: Int32Array.from({ length: n }, () => Math.floor(rng.next() * 1000) - 500),
  }));
}

test('ping gives identical results through 0, 1 and 2 workers, whatever the pool size', async () => {
  const results: unknown[][] = [];
  await usingEach([0, 1, 2, 3], async (ex, n) => {
    assert.is(ex.size, n);
    const tasks = payloads(SEED).map((payload) => ({ task: 'ping', payload }));
    results.push(await runAll(ex, tasks));
  });
  const expected = payloads(SEED);
  for (const [i, got] of results.entries()) assert.equal(got, expected, `executor #${i}, seed ${SEED}`);
});

test('typed arrays are transferred to the worker and back', async () => {
  await usingEach([1], async (ex) => {
    const x = Float32Array.from([1.5, -2, 3.25]);
    const back = await ex.run<Float32Array>('ping', x, { transfer: [x.buffer] });
    assert.is(x.byteLength, 0, 'the caller gave its buffer away');
    assert.instance(back, Float32Array);
    assert.equal(Array.from(back), [1.5, -2, 3.25]);
  });
});

test('shareArray: workers see the same memory, not a copy', async () => {
  await usingEach([0, 2], async (ex, n) => {
    for (const size of [0, 1, 7, 13]) {
      const source = Float32Array.from({ length: size }, (_, i) => i - 3.5);
      const shared = shareArray(source);
      assert.instance(shared.buffer, SharedArrayBuffer);
      assert.equal(Array.from(shared), Array.from(source), `size ${size}`);
      const echoed = await ex.run<Float32Array>('ping', shared);
      if (size > 0) shared[size - 1] = 42; // written after the round trip: visible only through shared memory
      assert.equal(Array.from(echoed), Array.from(shared), `size ${size}, workers ${n}`);
    }
  });
});

test('runAll returns results in task order, not completion order', async () => {
  await usingEach([0, 1, 2], async (ex, n) => {
    assert.equal(await runAll(ex, []), [], `empty, workers ${n}`);
    assert.equal(await runAll(ex, [{ task: 'sleep', payload: { ms: 5 } }]), [5], `one task, workers ${n}`);
    const ms = [60, 45, 30, 15, 1]; // the first finishes last
    const got = await runAll(ex, ms.map((m) => ({ task: 'sleep', payload: { ms: m } })));
    assert.equal(got, ms, `workers ${n}`);
  });
});

test('progress reaches the caller, in order, before the result', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const seen: unknown[] = [];
    const result = await ex.run('sleep', { ms: 20, steps: 5 }, { onProgress: (p) => seen.push(p) });
    assert.is(result, 20);
    assert.equal(seen, [1, 2, 3, 4, 5].map((step) => ({ step, steps: 5 })), `workers ${n}`);
  });
});

test("a task that throws rejects with ERR_WORKER_FAILED and its cause; the executor stays usable", async () => {
  await usingEach([0, 1, 2], async (ex, n) => {
    const err = await rejects(ex.run('fail', 'bad shard 3'), 'ERR_WORKER_FAILED');
    assert.match(err.message, 'bad shard 3');
    const cause = err.cause as Error;
    assert.is(cause.message, 'bad shard 3');
    assert.match(cause.stack ?? '', /^Error: bad shard 3\n\s+at /, 'the stack comes along');
    if (n > 0) assert.match(cause.stack ?? '', /worker(\.node)?\.(mjs|ts)/, 'the stack is the worker side');
    assert.is(await ex.run('ping', n), n, `workers ${n}`);
  });
});

test('errors keep their code across the worker boundary', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const err = await rejects(ex.run('no-such-task', null), 'ERR_WORKER_FAILED');
    assert.is((err.cause as { code?: string }).code, 'ERR_BAD_ARGUMENT', `workers ${n}`);
    assert.match(err.message, 'unknown task');
  });
});

test('a worker that exits fails only its task; it is replaced and the pool stays usable', async () => {
  await usingEach([1, 2], async (ex, n) => {
    const other = ex.run('sleep', { ms: 80 }); // another caller's task, on the second worker when n = 2
    const err = await rejects(ex.run('exit', 7, { onProgress: () => {} }), 'ERR_WORKER_FAILED');
    assert.match(err.message, 'code 7');
    assert.is(await other, 80, `workers ${n}`);
    assert.equal(await runAll(ex, [1, 2, 3].map((payload) => ({ task: 'ping', payload }))), [1, 2, 3]);
  });
  // On the calling thread there is no worker to end.
  const local = withWorkers(0);
  const err = await rejects(local.run('exit', 1), 'ERR_WORKER_FAILED');
  assert.is((err.cause as { code?: string }).code, 'ERR_BAD_ARGUMENT');
  assert.is(await local.run('ping', 'alive'), 'alive');
});

test('abort during sleep rejects with ERR_ABORTED promptly; other tasks go on', async () => {
  await usingEach([0, 1, 2], async (ex, n) => {
    const controller = new AbortController();
    const other = ex.run('sleep', { ms: 50 }, { signal: new AbortController().signal });
    const sleeping = ex.run('sleep', { ms: 10_000, steps: 100 }, { signal: controller.signal, onProgress: () => {} });
    setTimeout(() => controller.abort(), 20);
    const t0 = Date.now();
    await rejects(sleeping, 'ERR_ABORTED');
    assert.ok(Date.now() - t0 < 1000, `aborted after ${Date.now() - t0} ms, workers ${n}`);
    assert.is(await other, 50);
    assert.is(await ex.run('ping', 'after'), 'after');
  });
});

test('a task that ignores its abort loses its worker after the grace period', async () => {
  const ex = withWorkers(1, 50);
  try {
    const controller = new AbortController();
    const spinning = ex.run('spin', { ms: 20_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejects(spinning, 'ERR_ABORTED');
    // The only worker spins for 20 s unless it was terminated and replaced.
    const t0 = Date.now();
    assert.is(await ex.run('ping', 1), 1);
    assert.ok(Date.now() - t0 < 5000, `next task waited ${Date.now() - t0} ms`);
  } finally {
    await ex.close();
  }
});

test('an already aborted signal, or an abort while queued, never runs the task', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const before = new AbortController();
    before.abort();
    await rejects(ex.run('exit', 1, { signal: before.signal }), 'ERR_ABORTED');
    const busy = ex.run('sleep', { ms: 40 });
    const queued = new AbortController();
    const waiting = ex.run('exit', 1, { signal: queued.signal }); // would fail the pool if it ran
    queued.abort();
    await rejects(waiting, 'ERR_ABORTED');
    assert.is(await busy, 40, `workers ${n}`);
    assert.is(await ex.run('ping', 2), 2);
  });
});

test('runAll: the first failure rejects and aborts the rest', async () => {
  await usingEach([0, 2], async (ex, n) => {
    const t0 = Date.now();
    const tasks = [
      { task: 'fail', payload: 'shard 0 is empty' },
      { task: 'sleep', payload: { ms: 10_000, steps: 100 } },
      { task: 'sleep', payload: { ms: 10_000, steps: 100 } },
    ];
    const err = await rejects(runAll(ex, tasks), 'ERR_WORKER_FAILED');
    assert.match(err.message, 'shard 0 is empty');
    assert.ok(Date.now() - t0 < 2000, `workers ${n}`);
    assert.is(await ex.run('ping', 3), 3);
  });
});

test('close() rejects queued and running tasks with ERR_ABORTED, and later runs', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const running = rejects(ex.run('sleep', { ms: 10_000, steps: 100 }), 'ERR_ABORTED');
    const queued = rejects(ex.run('sleep', { ms: 10 }), 'ERR_ABORTED');
    await ex.close();
    await Promise.all([running, queued]);
    await rejects(ex.run('ping', n), 'ERR_ABORTED');
  });
});

test('createExecutor: sizes and bad arguments', async () => {
  const fake = (cores: number) => ({ cores: () => cores, spawn: nodeWorkers.spawn });
  assert.is(createExecutor('auto', { platform: fake(8) }).size, 7);
  assert.is(createExecutor('auto', { platform: fake(1) }).size, 1);
  assert.is(createExecutor('auto', { platform: nodeWorkers }).size, Math.max(1, nodeWorkers.cores() - 1));
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => createExecutor(bad, { platform: nodeWorkers }), (e: SparseExpertsError) => e.code === 'ERR_BAD_ARGUMENT', `workers ${bad}`);
  }
  assert.throws(() => createExecutor(1, { platform: nodeWorkers, abortGraceMs: -1 }), (e: SparseExpertsError) => e.code === 'ERR_BAD_ARGUMENT');
  // A missing worker file is reported to the caller, not thrown at construction.
  const lost = createExecutor(1, { platform: nodeWorkers, workerUrl: new URL('./missing-worker.mjs', import.meta.url) });
  await rejects(lost.run('ping', 1), 'ERR_WORKER_FAILED');
  await lost.close();
});

test.run();
