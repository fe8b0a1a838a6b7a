// The executor interface: run a named task somewhere (this thread, a worker, a job queue) and
// get its result, progress and cancellation. Callers depend on this, never on a pool.
import type { Backend } from '../backend/backend.js';
import type { Json, TaskInput, TaskOutput } from './task.js';

export interface RunOptions {
  /** Called with whatever the task reports; never called after run() settles. */
  onProgress?: (progress: Json) => void;
  /** Rejects run() with ERR_ABORTED and tells the task to stop. */
  signal?: AbortSignal;
  /** The caller's backend, used when the task runs on the calling thread (ignored elsewhere). */
  backend?: Backend;
}

export interface Executor {
  /**
   * Runs `task` on `input`. Executors that move work off this thread move the blobs' buffers
   * (they are detached here afterwards) unless they live in a SharedArrayBuffer.
   */
  run<R = Json>(task: string, input: TaskInput<unknown>, opts?: RunOptions): Promise<TaskOutput<R>>;
  /** Number of workers (0: tasks run on the calling thread). */
  readonly size: number;
  /** Stops every worker; pending and later runs reject. */
  close(): Promise<void>;
}

/** One entry of runAll(): a task name, its input and its own progress listener. */
export interface TaskSpec {
  task: string;
  input: TaskInput<unknown>;
  onProgress?: RunOptions['onProgress'];
}
