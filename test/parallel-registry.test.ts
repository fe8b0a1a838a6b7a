// registerTask: a registered task runs by name on the calling thread, with progress; a second
// definition under a taken name fails with ERR_BAD_ARGUMENT, and so does the run of an unknown
// name (a typed error: it reaches the caller with its own code).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createExecutor, defineTask, registerTask } from '../src/parallel/index.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

const double = defineTask<number, number>('test/double', async ({ spec }, { onProgress }) => {
  onProgress('half way');
  return { result: 2 * spec, blobs: {} };
});
const input = (n: number) => ({ spec: n, blobs: {} });

test('a registered task runs by name; registering the same definition again is harmless', async () => {
  registerTask(double);
  registerTask(double);
  const seen: unknown[] = [];
  const local = createExecutor(0);
  assert.is((await local.run('test/double', input(21), { onProgress: (p) => seen.push(p) })).result, 42);
  assert.equal(seen, ['half way']);
  await local.close();
});

test('another definition under a taken name, or running an unknown name, fails with ERR_BAD_ARGUMENT', async () => {
  registerTask(double);
  assert.throws(() => registerTask(defineTask('test/double', async () => ({ result: 0, blobs: {} }))), code('ERR_BAD_ARGUMENT'));
  const local = createExecutor(0);
  await local.run('test/no-such-task', input(1)).then(() => assert.unreachable('ran'), (e) => {
    assert.is(e.code, 'ERR_BAD_ARGUMENT', e.message);
    assert.is(e.cause?.code, 'ERR_BAD_ARGUMENT');
    assert.match(e.message, "unknown task 'test/no-such-task'");
  });
  assert.is((await local.run('test/double', input(2))).result, 4, 'the registered one still runs');
  await local.close();
});

test.run();
