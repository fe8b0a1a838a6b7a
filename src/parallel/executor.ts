// The executor interface: run a named task somewhere (this thread, a worker, later a job queue)
// and get its result, progress and cancellation. Callers depend on this, never on a pool.

export interface RunOptions {
  /** Buffers moved (not copied) to the worker; the caller's views become detached. */
  transfer?: Transferable[];
  /** Called with whatever the task reports; never called after run() settles. */
  onProgress?: (progress: unknown) => void;
  /** Rejects run() with ERR_ABORTED and tells the task to stop. */
  signal?: AbortSignal;
}

export interface Executor {
  run<T>(task: string, payload: unknown, opts?: RunOptions): Promise<T>;
  /** Number of workers (0: tasks run on the calling thread). */
  readonly size: number;
  /** Stops every worker; pending and later runs reject. */
  close(): Promise<void>;
}

/** One entry of runAll(): a task name, its payload and its own run options. */
export interface TaskSpec extends Omit<RunOptions, 'signal'> {
  task: string;
  payload: unknown;
}
