// registerTask: a registered handler runs by name on the calling thread, with progress;
// a second handler under a taken name fails with ERR_BAD_ARGUMENT, and so does the run of an
// unknown name (as the cause of the task's ERR_WORKER_FAILED, like any task that throws).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createExecutor, registerTask, type TaskHandler } from '../src/index.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

const double: TaskHandler = async (x: number, { onProgress }) => {
  onProgress('half way');
  return 2 * x;
};

test('a registered task runs by name; registering the same handler again is harmless', async () => {
  registerTask('test/double', double);
  registerTask('test/double', double);
  const seen: unknown[] = [];
  const local = createExecutor(0);
  assert.is(await local.run('test/double', 21, { onProgress: (p) => seen.push(p) }), 42);
  assert.equal(seen, ['half way']);
  await local.close();
});

test('another handler under a taken name, or running an unknown name, fails with ERR_BAD_ARGUMENT', async () => {
  registerTask('test/double', double);
  assert.throws(() => registerTask('test/double', async () => 0), code('ERR_BAD_ARGUMENT'));
  const local = createExecutor(0);
  await local.run('test/no-such-task', 1).then(() => assert.unreachable('ran'), (e) => {
    assert.is(e.code, 'ERR_WORKER_FAILED', e.message);
    assert.is(e.cause?.code, 'ERR_BAD_ARGUMENT');
    assert.match(e.message, "unknown task 'test/no-such-task'");
  });
  assert.is(await local.run('test/double', 2), 4, 'the registered one still runs');
  await local.close();
});

test.run();
