// Worker entry (built to dist/worker.mjs). The same file runs as a Node worker_thread and as a
// browser module Web Worker: it exposes { run, abort } over comlink and runs tasks from the
// registry. Register task handlers here with explicit calls (bundlers drop bare imports).
import { expose, releaseProxy, transfer, type Endpoint, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { registerDiagnostics, setExitWorker } from './parallel/diagnostics.js';
import { registerTask, runTask } from './parallel/registry.js';
import { registerKernels } from './backend/identity.js';
import { trainExpert } from './model/train-task.js';
import { EXITING, toWire, type Outcome, type WorkerApi } from './parallel/protocol.js';
import type { Json } from './parallel/task.js';
import { collectTransferables } from './parallel/transfer.js';

registerDiagnostics();
registerTask(trainExpert);

const running = new Map<number, AbortController>();

const api: WorkerApi = {
  registerKernels(kernels) {
    for (const { ref, module } of kernels) registerKernels(ref, module);
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

if ('WorkerGlobalScope' in globalThis) {
  // Browser (and Deno/Bun) worker: comlink's default endpoint is the worker's global scope.
  expose(api, self as unknown as Endpoint);
  setExitWorker((code) => {
    self.postMessage({ [EXITING]: code }); // a closed worker fires no event: tell the pool first
    self.close();
  });
} else {
  // Node worker_thread; imported here so browser builds never evaluate it.
  const { parentPort } = await import('node:worker_threads');
  expose(api, nodeEndpoint(parentPort!));
  setExitWorker((code) => process.exit(code));
}
