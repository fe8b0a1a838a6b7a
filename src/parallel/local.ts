// Runs tasks on the calling thread, one at a time, on the caller's backend when the run names one.
// The only choice where workers do not exist (edge runtimes); same handlers as the workers.
import { SparseExpertsError } from '../errors.js';
import type { Executor, RunOptions } from './executor.js';
import type { Json, TaskInput, TaskOutput } from './task.js';
import { registerDiagnostics } from './diagnostics.js';
import { runTask } from './registry.js';
import { abortedError, closedError, taskFailed } from './protocol.js';

export class LocalExecutor implements Executor {
  readonly size = 0;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** Cancels each queued or running task (used by close()). */
  private readonly cancels = new Set<(err: SparseExpertsError) => void>();

  constructor() {
    registerDiagnostics();
  }

  run<R>(task: string, input: TaskInput<unknown>, opts: RunOptions = {}): Promise<TaskOutput<R>> {
    if (this.closed) return Promise.reject(closedError());
    const { signal, onProgress, backend } = opts;
    const controller = new AbortController();
    return new Promise<TaskOutput<R>>((resolve, reject) => {
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        this.cancels.delete(cancel);
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      // Rejects now; the handler sees its signal fire and stops at its next check.
      const cancel = (err: SparseExpertsError) => settle(() => (controller.abort(err), reject(err)));
      const onAbort = () => cancel(abortedError(task));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.cancels.add(cancel);
      this.tail = this.tail.then(async () => {
        if (settled) return; // cancelled while queued
        const ctx = { signal: controller.signal, onProgress: (p: Json) => settled || onProgress?.(p), backend };
        try {
          const value = (await runTask(task, input, ctx)) as TaskOutput<R>;
          settle(() => resolve(value));
        } catch (err) {
          settle(() => reject(taskFailed(task, err)));
        }
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // A running handler sees its signal fire; this thread cannot stop it any harder.
    for (const cancel of this.cancels) cancel(closedError());
  }
}
