// What a worker runs: the API { run, abort } over the task registry. The worker entries expose
// it over comlink (src/entry/worker.browser.ts → dist/worker.mjs, a module Web Worker;
// src/entry/worker.node.ts → dist/worker.node.mjs, a worker_thread). Register task handlers
// here with explicit calls (bundlers drop bare imports).
import { releaseProxy, transfer, type Remote } from 'comlink';
import { registerDiagnostics } from './parallel/diagnostics.js';
import { registerTask, runTask } from './parallel/registry.js';
import { trainExpertTask } from './model/train-task.js';
import { toWire, type Outcome, type WorkerApi } from './parallel/protocol.js';
import { collectTransferables } from './parallel/transfer.js';

registerDiagnostics();
registerTask('trainExpert', trainExpertTask);

const running = new Map<number, AbortController>();

export const api: WorkerApi = {
  async run(id, task, payload, progress) {
    const controller = new AbortController();
    running.set(id, controller);
    // Progress goes over its own channel; waiting for the last report keeps all of them ahead of the result.
    let delivered: Promise<unknown> = Promise.resolve();
    let done = false;
    const onProgress = (p: unknown) => {
      if (!done && progress) delivered = Promise.resolve(progress(p)).catch(() => {});
    };
    let outcome: Outcome;
    try {
      const value = await runTask(task, payload, { signal: controller.signal, onProgress });
      outcome = transfer({ ok: true, value }, collectTransferables(value));
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
