// Tasks are plain data: a task and its output survive encode → bytes → decode bit for bit, and an
// expert trained through bytes (what a job queue carries) equals one trained in-process or in a
// worker. (That a task on the calling thread uses the caller's backend: backend-identity.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SparseExpertModel, loadMnist, saveModel } from '../src/entry/node.js';
import { decodeTask, decodeTaskOutput, encodeTask, encodeTaskOutput } from '../src/io/task-codec.js';
import { createExecutor } from '../src/parallel/create.js';
import type { Executor } from '../src/parallel/executor.js';
import { LocalExecutor } from '../src/parallel/local.js';
import type { TaskInput } from '../src/parallel/task.js';
import { SEED, rng } from './util/prng.js';

const { train } = loadMnist({ train: 600, test: 10, seed: 3 });
const small = { kind: 'mlp' as const, hidden: [16], fit: { epochs: 2, batchSize: 64 } };
const bits = (a: ArrayBufferView) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

test('a task and its output round-trip through bytes exactly (NaN payloads, -0, empty blobs)', () => {
  const r = rng(SEED);
  const f = r.floats(37, -3, 3);
  f[3] = NaN;
  f[4] = -0;
  new Uint32Array(f.buffer)[5] = 0x7fc00123; // a NaN with a payload
  const input: TaskInput<unknown> = {
    spec: { name: 'x', n: 3, nested: { list: [1, 2.5, 'a', null, true], long: Array.from({ length: 20 }, (_, i) => i / 7) } },
    blobs: { f, i: Int32Array.from([0, -1, 2 ** 31 - 1]), d: Float64Array.from([Math.PI, -0]), empty: new Float32Array(0) },
  };
  const back = decodeTask(encodeTask('trainExpert', input));
  assert.is(back.name, 'trainExpert');
  assert.equal(back.input.spec, input.spec, `seed ${SEED}`);
  for (const [k, v] of Object.entries(input.blobs)) {
    assert.is(back.input.blobs[k].constructor, v.constructor, k);
    assert.equal(bits(back.input.blobs[k]), bits(v), `blob ${k}, seed ${SEED}`);
  }
  const out = decodeTaskOutput(encodeTaskOutput({ result: { ok: 1 }, blobs: { w: f } }));
  assert.equal(out.result, { ok: 1 });
  assert.equal(bits(out.blobs.w), bits(f));
});

test('bad tasks and corrupt bytes → typed errors', () => {
  const code = (c: string) => (e: { code?: string }) => e.code === c;
  assert.throws(() => encodeTask('', { spec: null, blobs: {} }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => encodeTask('t', { spec: null, blobs: { x: [1, 2] as unknown as Float32Array } }), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => encodeTask('t', { spec: { f: () => 1 }, blobs: {} }), code('ERR_BAD_ARGUMENT'));
  const bytes = encodeTask('t', { spec: { a: 1 }, blobs: { x: new Float32Array(9) } });
  assert.throws(() => decodeTask(bytes.subarray(0, bytes.length - 8)), code('ERR_BAD_FILE'), 'truncated');
  assert.throws(() => decodeTaskOutput(bytes), code('ERR_BAD_FILE'), 'a task is not an output');
  assert.throws(() => decodeTask(encodeTaskOutput({ result: 1, blobs: {} })), code('ERR_BAD_FILE'), 'an output is not a task');
});

/** An executor that sends every task as bytes and runs it with no access to the caller's backend, as a job queue would. */
function throughBytes(): Executor & { sent: number } {
  const local = new LocalExecutor();
  const ex = {
    size: 0,
    sent: 0,
    async run<R>(task: string, input: TaskInput<unknown>, opts: Parameters<Executor['run']>[2] = {}) {
      const bytes = encodeTask(task, input);
      ex.sent += bytes.length;
      const job = decodeTask(bytes.slice()); // a copy: nothing shared with the caller
      const out = await local.run(job.name, job.input, { onProgress: opts.onProgress, signal: opts.signal });
      return decodeTaskOutput(encodeTaskOutput(out)) as { result: R; blobs: typeof out.blobs };
    },
    close: () => local.close(),
  };
  return ex;
}

test('experts trained through encode → bytes → decode are bit-identical to in-process and worker ones', async () => {
  const files: Uint8Array[] = [];
  const bytes = throughBytes();
  // The same options each time (they are saved too); only the executor differs.
  for (const executor of [new LocalExecutor(), createExecutor(2), bytes]) {
    const m = new SparseExpertModel({ experts: 3, expert: small, combine: 'convex', seed: 11 });
    await m.fit(train, { executor });
    files.push(saveModel(m));
    m.dispose();
    if (executor !== bytes) await executor.close();
  }
  await bytes.close();
  const shardBytes = Math.round(train.rows * 0.9) * train.cols * 4; // every row but the 10 % convex holdout
  assert.ok(bytes.sent > shardBytes, `the shards went as bytes (${bytes.sent} bytes sent, shards ${shardBytes})`);
  assert.equal(bits(files[1]), bits(files[0]), 'workers 2 vs calling thread');
  assert.equal(bits(files[2]), bits(files[0]), 'through bytes vs calling thread');
});

test.run();
