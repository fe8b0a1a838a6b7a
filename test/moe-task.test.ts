// MoEModel trained as a task: on the calling thread, in a worker and through bytes (as a job
// queue carries it) it gives the very model file a direct fit gives; progress (with the
// router's statistics per epoch) comes back from the worker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MoEModel, loadMnist } from '../src/entry/node.js';
import { decodeTask, decodeTaskOutput, encodeTask, encodeTaskOutput } from '../src/io/task-codec.js';
import { trainMoE, trainMoEInput, trainedMoE } from '../src/model/moe-task.js';
import type { MoEProgress } from '../src/model/moe-model.js';
import { createExecutor } from '../src/parallel/create.js';
import { LocalExecutor } from '../src/parallel/local.js';
import { registerTask } from '../src/parallel/registry.js';
import { wasm as b } from './util/backends.js';

const { train } = loadMnist({ train: 400, test: 10, seed: 4 });
const options = { experts: 4, hidden: 8, k: 2, noise: true, epochs: 2, batchSize: 50, seed: 5 };

/** The task as bytes, run with no access to the caller's backend, its output back through bytes (what a job queue does). */
async function throughBytes(local: LocalExecutor, input: ReturnType<typeof trainMoEInput>) {
  const job = decodeTask(encodeTask(trainMoE.name, input));
  return decodeTaskOutput(encodeTaskOutput(await local.run(job.name, job.input)));
}

test('calling thread, worker and bytes train the same model as a direct fit, byte for byte', async () => {
  const direct = new MoEModel({ ...options, backend: b });
  await direct.fit(train);
  const want = Array.from(direct.save());
  direct.dispose();
  registerTask(trainMoE);
  // A fresh input per run: a worker takes its blobs over (transferred, detached here).
  const input = () => trainMoEInput(options, { ...train, x: train.x.slice(), y: train.y.slice() }, b);
  const pool = createExecutor(1), local = new LocalExecutor();
  try {
    const progress: MoEProgress[] = [];
    const outputs = [
      await local.run(trainMoE.name, input(), { backend: b }),
      await pool.run(trainMoE.name, input(), { onProgress: (p) => progress.push(p as unknown as MoEProgress) }),
      await throughBytes(local, input()),
    ];
    for (const [i, out] of outputs.entries()) {
      const m = await trainedMoE(out as never, b);
      assert.equal(Array.from(m.save()), want, ['calling thread', 'worker', 'through bytes'][i]);
      m.dispose();
    }
    const epochs = progress.filter((p) => p.router);
    assert.is(epochs.length, 2, 'one report per epoch from the worker');
    assert.is(epochs[1].router!.rowsPerExpert.reduce((a, v) => a + v, 0), 2 * train.rows, 'top-2: two experts per row');
  } finally {
    await pool.close();
    await local.close();
  }
});

test.run();
