// What a worker runs: the API { run, abort } over the task registry. The worker entries expose
// it over comlink (src/entry/worker.browser.ts → dist/worker.mjs, a module Web Worker;
// src/entry/worker.node.ts → dist/worker.node.mjs, a worker_thread). Register task handlers
// here with explicit calls (bundlers drop bare imports).
import { releaseProxy, transfer, type Remote } from 'comlink';
import { registerDiagnostics } from './parallel/diagnostics.js';
import { registerTask, runTask } from './parallel/registry.js';
import { registerKernels } from './backend/identity.js';
import { setCoreShare } from './backend/threads.js';
import { trainExpert } from './model/train-task.js';
import { trainMoE } from './model/moe-task.js';
import { toWire, type Outcome, type WorkerApi } from './parallel/protocol.js';
import type { Json } from './parallel/task.js';
import { collectTransferables } from './parallel/transfer.js';

registerDiagnostics();
registerTask(trainExpert);
registerTask(trainMoE);

const running = new Map<number, AbortController>();

export const api: WorkerApi = {
  registerKernels(kernels) {
    for (const { ref, module } of kernels) registerKernels(ref, module);
  },
  shareCores(busy, cores) {
    setCoreShare({ busy, cores });
  },
  async run(id, task, input, progress) {
    const controller = new AbortController();
    running.set(id, controller);
    // Progress goes over its own channel; waiting for the last report keeps all of them ahead of the result.
    let delivered: Promise<unknown> = Promise.resolve();
    let done = false;
    const onProgress = (p: Json) => {
      if (!done && progress) delivered = Promise.resolve(progress(p)).catch(() => {});
    };
    let outcome: Outcome;
    try {
      const value = await runTask(task, input, { signal: controller.signal, onProgress });
      outcome = transfer({ ok: true, value }, collectTransferables(value.blobs));
    } catch (err) {
      outcome = { ok: false, error: toWire(err) };
    }
    done = true;
    running.delete(id);
    await delivered;
    (progress as Remote<unknown> | undefined)?.[releaseProxy]();
    return outcome;
  },
  abort(id) {
    running.get(id)?.abort();
  },
};
