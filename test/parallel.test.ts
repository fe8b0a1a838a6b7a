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
import type { Json, TaskInput } from '../src/parallel/task.js';

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

/** A task input with a spec and no blobs. */
const spec = (s: unknown): TaskInput<unknown> => ({ spec: s, blobs: {} });
const result = async <R = Json>(p: Promise<{ result: R }>): Promise<R> => (await p).result;

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

function inputs(seed: number): TaskInput<{ n: number }>[] {
  const rng = new Rng(seed);
  return [0, 1, 3, 7, 8, 13, 33].map((n) => ({
    spec: { n },
    blobs: {
      x: Float32Array.from({ length: n }, () => rng.next() * 2 - 1),
      y: Int32Array.from({ length: n }, () => Math.floor(rng.next() * 1000) - 500),
    },
  }));
}

test('ping gives identical results through 0, 1 and 2 workers, whatever the pool size', async () => {
  const results: unknown[][] = [];
  await usingEach([0, 1, 2, 3], async (ex, n) => {
    assert.is(ex.size, n);
    const tasks = inputs(SEED).map((input) => ({ task: 'ping', input }));
    results.push((await runAll(ex, tasks)).map(({ result, blobs }) => ({ spec: result, blobs })));
  });
  const expected = inputs(SEED);
  for (const [i, got] of results.entries()) assert.equal(got, expected, `executor #${i}, seed ${SEED}`);
});

test('blobs move to the worker and back; views of a larger buffer are copied', async () => {
  await usingEach([1], async (ex) => {
    const x = Float32Array.from([1.5, -2, 3.25]);
    const whole = new Int32Array([1, 2, 3, 4]);
    const part = whole.subarray(1, 3);
    const { blobs } = await ex.run('ping', { spec: null, blobs: { x, part } });
    assert.is(x.byteLength, 0, 'the caller gave its buffer away');
    assert.equal(Array.from(whole), [1, 2, 3, 4], 'a view is cloned, its buffer stays');
    assert.instance(blobs.x, Float32Array);
    assert.equal(Array.from(blobs.x), [1.5, -2, 3.25]);
    assert.equal(Array.from(blobs.part), [2, 3]);
  });
});

test('shareArray: workers see the same memory, not a copy', async () => {
  await usingEach([0, 2], async (ex, n) => {
    for (const size of [0, 1, 7, 13]) {
      const source = Float32Array.from({ length: size }, (_, i) => i - 3.5);
      const shared = shareArray(source);
      assert.instance(shared.buffer, SharedArrayBuffer);
      assert.equal(Array.from(shared), Array.from(source), `size ${size}`);
      const { blobs } = await ex.run('ping', { spec: null, blobs: { shared } });
      if (size > 0) shared[size - 1] = 42; // written after the round trip: visible only through shared memory
      assert.equal(Array.from(blobs.shared), Array.from(shared), `size ${size}, workers ${n}`);
    }
  });
});

test('runAll returns results in task order, not completion order', async () => {
  await usingEach([0, 1, 2], async (ex, n) => {
    assert.equal(await runAll(ex, []), [], `empty, workers ${n}`);
    assert.equal((await runAll(ex, [{ task: 'sleep', input: spec({ ms: 5 }) }])).map((o) => o.result), [5], `one task, workers ${n}`);
    const ms = [60, 45, 30, 15, 1]; // the first finishes last
    const got = await runAll(ex, ms.map((m) => ({ task: 'sleep', input: spec({ ms: m }) })));
    assert.equal(got.map((o) => o.result), ms, `workers ${n}`);
  });
});

test('progress reaches the caller, in order, before the result', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const seen: unknown[] = [];
    assert.is(await result(ex.run('sleep', spec({ ms: 20, steps: 5 }), { onProgress: (p) => seen.push(p) })), 20);
    assert.equal(seen, [1, 2, 3, 4, 5].map((step) => ({ step, steps: 5 })), `workers ${n}`);
  });
});

test("a task that throws an untyped error rejects with ERR_WORKER_FAILED and its cause; the executor stays usable", async () => {
  await usingEach([0, 1, 2], async (ex, n) => {
    const err = await rejects(ex.run('fail', spec('bad shard 3')), 'ERR_WORKER_FAILED');
    assert.match(err.message, 'bad shard 3');
    const cause = err.cause as Error;
    assert.is(cause.message, 'bad shard 3');
    assert.match(cause.stack ?? '', /^Error: bad shard 3\n\s+at /, 'the stack comes along');
    if (n > 0) assert.match(cause.stack ?? '', /worker(\.node)?\.(mjs|ts)/, 'the stack is the worker side');
    assert.is(await result(ex.run('ping', spec(n))), n, `workers ${n}`);
  });
});

test('a typed error keeps its code across the worker boundary', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const err = await rejects(ex.run('no-such-task', spec(null)), 'ERR_BAD_ARGUMENT');
    assert.is((err.cause as { code?: string }).code, 'ERR_BAD_ARGUMENT', `workers ${n}`);
    assert.match(err.message, "task 'no-such-task' failed: unknown task");
  });
});

test('a worker that exits fails only its task; it is replaced and the pool stays usable', async () => {
  await usingEach([1, 2], async (ex, n) => {
    const other = ex.run('sleep', spec({ ms: 80 })); // another caller's task, on the second worker when n = 2
    const err = await rejects(ex.run('exit', spec(7), { onProgress: () => {} }), 'ERR_WORKER_FAILED');
    assert.match(err.message, 'code 7');
    assert.is(await result(other), 80, `workers ${n}`);
    assert.equal((await runAll(ex, [1, 2, 3].map((s) => ({ task: 'ping', input: spec(s) })))).map((o) => o.result), [1, 2, 3]);
  });
  // On the calling thread there is no worker to end: that is a bad argument.
  const local = withWorkers(0);
  await rejects(local.run('exit', spec(1)), 'ERR_BAD_ARGUMENT');
  assert.is(await result(local.run('ping', spec('alive'))), 'alive');
});

test('abort during sleep rejects with ERR_ABORTED before the task ends; other tasks go on', async () => {
  await usingEach([0, 1, 2], async (ex, n) => {
    const controller = new AbortController();
    const other = ex.run('sleep', spec({ ms: 50 }), { signal: new AbortController().signal });
    let steps = 0;
    const sleeping = ex.run('sleep', spec({ ms: 10_000, steps: 100 }), { signal: controller.signal, onProgress: () => void steps++ });
    setTimeout(() => controller.abort(), 20);
    await rejects(sleeping, 'ERR_ABORTED');
    assert.ok(steps < 100, `the task reported all ${steps} steps before its abort counted, workers ${n}`);
    assert.is(await result(other), 50);
    assert.is(await result(ex.run('ping', spec('after'))), 'after');
  });
});

test('a task that ignores its abort loses its worker after the grace period', async () => {
  let spawned = 0;
  const counting = { ...nodeWorkers, spawn: (url?: string | URL) => (spawned++, nodeWorkers.spawn(url)) };
  const ex = createExecutor(1, { platform: counting, abortGraceMs: 50 });
  try {
    const controller = new AbortController();
    const spinning = ex.run('spin', spec({ ms: 600_000 }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejects(spinning, 'ERR_ABORTED');
    // The only worker spins for 10 minutes (past the suite's timeout) unless it was terminated and replaced.
    assert.is(await result(ex.run('ping', spec(1))), 1);
    assert.is(spawned, 2, 'the spinning worker was replaced');
  } finally {
    await ex.close();
  }
});

test('an already aborted signal, or an abort while queued, never runs the task', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const before = new AbortController();
    before.abort();
    await rejects(ex.run('exit', spec(1), { signal: before.signal }), 'ERR_ABORTED');
    const busy = ex.run('sleep', spec({ ms: 40 }));
    const queued = new AbortController();
    const waiting = ex.run('exit', spec(1), { signal: queued.signal }); // would fail the pool if it ran
    queued.abort();
    await rejects(waiting, 'ERR_ABORTED');
    assert.is(await result(busy), 40, `workers ${n}`);
    assert.is(await result(ex.run('ping', spec(2))), 2);
  });
});

test('runAll: the first failure rejects and aborts the rest', async () => {
  await usingEach([0, 2], async (pool, n) => {
    const runs: Promise<unknown>[] = [];
    const ex: Executor = { size: pool.size, close: () => pool.close(), run: (...args) => (runs.push(pool.run(...args)), runs[runs.length - 1] as never) };
    const tasks = [
      { task: 'fail', input: spec('shard 0 is empty') },
      { task: 'sleep', input: spec({ ms: 600_000, steps: 6000 }) },
      { task: 'sleep', input: spec({ ms: 600_000, steps: 6000 }) },
    ];
    // The sleeps would outlast the suite's timeout unless the failure aborted them.
    const err = await rejects(runAll(ex, tasks), 'ERR_WORKER_FAILED');
    assert.match(err.message, 'shard 0 is empty');
    // Each sleep would run for 10 minutes if runAll did not abort it.
    for (const run of runs.slice(1)) await rejects(run, 'ERR_ABORTED');
    assert.is(await result(ex.run('ping', spec(3))), 3, `workers ${n}`);
  });
});

test('close() rejects queued and running tasks with ERR_ABORTED, and later runs', async () => {
  await usingEach([0, 1], async (ex, n) => {
    const running = rejects(ex.run('sleep', spec({ ms: 10_000, steps: 100 })), 'ERR_ABORTED');
    const queued = rejects(ex.run('sleep', spec({ ms: 10 })), 'ERR_ABORTED');
    await ex.close();
    await Promise.all([running, queued]);
    await rejects(ex.run('ping', spec(n)), 'ERR_ABORTED');
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
  await rejects(lost.run('ping', spec(1)), 'ERR_WORKER_FAILED');
  await lost.close();
});

test.run();
