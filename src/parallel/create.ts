// Choosing an executor: workers where the runtime has them, the calling thread otherwise.
import { fail } from '../errors.js';
import type { Executor, RunOptions, TaskSpec } from './executor.js';
import type { TaskOutput } from './task.js';
import { LocalExecutor } from './local.js';
import { getWorkerPlatform, type WorkerPlatform } from './platform.js';
import { WorkerPool } from './pool.js';

export interface ExecutorOptions {
  /** Where worker.mjs lives when not next to the bundle (e.g. served from another path). */
  workerUrl?: string | URL;
  /** How long an aborted task may keep its worker before it is terminated (ms, default 200). */
  abortGraceMs?: number;
  /** How to start workers; defaults to the one the runtime entry installed. */
  platform?: WorkerPlatform;
  /** Cores the workers' kernel threads share (default: the platform's; see WorkerPoolOptions.cores). */
  cores?: number;
}

/**
 * `workers`: 0 runs tasks on the calling thread; n ≥ 1 uses up to n workers; 'auto' uses
 * cores − 1 (at least 1), or the calling thread where the runtime has no workers (edge).
 */
export function createExecutor(workers: 'auto' | number, options: ExecutorOptions = {}): Executor {
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 0)) {
    fail('ERR_BAD_ARGUMENT', `workers must be 'auto' or an integer ≥ 0, got ${String(workers)}`);
  }
  const { abortGraceMs, cores } = options;
  if (cores !== undefined && !(Number.isInteger(cores) && cores >= 1)) fail('ERR_BAD_ARGUMENT', `cores must be an integer ≥ 1, got ${String(cores)}`);
  if (abortGraceMs !== undefined && !(abortGraceMs >= 0 && Number.isFinite(abortGraceMs))) {
    fail('ERR_BAD_ARGUMENT', `abortGraceMs must be a finite number ≥ 0, got ${abortGraceMs}`);
  }
  const platform = options.platform ?? getWorkerPlatform();
  if (workers === 0 || (workers === 'auto' && !platform)) return new LocalExecutor();
  if (!platform) fail('ERR_BAD_ARGUMENT', `this runtime has no workers; use workers: 0 or 'auto' (got ${workers})`);
  const size = workers === 'auto' ? Math.max(1, platform.cores() - 1) : workers;
  return new WorkerPool({ size, platform, workerUrl: options.workerUrl, abortGraceMs, cores });
}

/**
 * Runs every task and resolves with the results in task order, whatever order they finish in.
 * The first failure rejects and aborts the tasks still queued or running.
 */
export async function runAll<R>(executor: Executor, tasks: readonly TaskSpec[], opts: Omit<RunOptions, 'onProgress'> = {}): Promise<TaskOutput<R>[]> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop();
  try {
    return await Promise.all(
      tasks.map(({ task, input, onProgress }) =>
        executor.run<R>(task, input, { ...opts, onProgress, signal: controller.signal }).catch((err) => {
          controller.abort();
          throw err;
        }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}
