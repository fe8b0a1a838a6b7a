// Worker entry (built to dist/worker.mjs). The same file runs as a Node worker_thread and as a
// browser module Web Worker: it exposes { run, abort } over comlink and runs tasks from the
// registry. Register task handlers here with explicit calls (bundlers drop bare imports).
import { expose, releaseProxy, transfer, type Endpoint, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { registerDiagnostics, setExitWorker } from './parallel/diagnostics.js';
import { registerTask, runTask } from './parallel/registry.js';
import { trainExpertTask } from './model/train-task.js';
import { EXITING, toWire, type Outcome, type WorkerApi } from './parallel/protocol.js';
import { collectTransferables } from './parallel/transfer.js';

registerDiagnostics();
registerTask('trainExpert', trainExpertTask);

const running = new Map<number, AbortController>();

const api: WorkerApi = {
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
