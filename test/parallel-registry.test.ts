// registerTask: a registered task runs by name on the calling thread, with progress and
// blobs; a second definition under a taken name, and running an unknown name, fail with
// ERR_BAD_ARGUMENT.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createExecutor, defineTask, registerTask } from '../src/index.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

const double = defineTask<number, number>('test/double', async ({ spec, blobs }, { onProgress }) => {
  onProgress('half way');
  return { result: 2 * spec, blobs: { x: Float32Array.from(blobs.x, (v) => 2 * v) } };
});

test('a registered task runs by name; registering the same definition again is harmless', async () => {
  registerTask(double);
  registerTask(double);
  const seen: unknown[] = [];
  const local = createExecutor(0);
  const out = await local.run('test/double', { spec: 21, blobs: { x: new Float32Array([1, -2.5]) } }, { onProgress: (p) => seen.push(p) });
  assert.is(out.result, 42);
  assert.equal(Array.from(out.blobs.x), [2, -5]);
  assert.equal(seen, ['half way']);
  await local.close();
});

test('another definition under a taken name, or running an unknown name, fails with ERR_BAD_ARGUMENT', async () => {
  registerTask(double);
  assert.throws(() => registerTask(defineTask('test/double', async () => ({ result: 0, blobs: {} }))), code('ERR_BAD_ARGUMENT'));
  const local = createExecutor(0);
  await local.run('test/no-such-task', { spec: 1, blobs: {} }).then(() => assert.unreachable('ran'), (e) => {
    assert.is(e.code, 'ERR_BAD_ARGUMENT', e.message);
    assert.match(e.message, "unknown task 'test/no-such-task'");
  });
  assert.is((await local.run('test/double', { spec: 2, blobs: { x: new Float32Array(0) } })).result, 4, 'the registered one still runs');
  await local.close();
});

test.run();
