// A task is plain data: a name, a JSON spec and named typed arrays (blobs) in; a JSON result
// and blobs out. Nothing else crosses to where it runs, so the same task can go to this thread,
// a worker, or (encoded with src/io/task-codec.ts) a file or a job queue.
import type { Backend } from '../backend/backend.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The typed arrays a task carries; what the save format stores (u8 / u16: a dataset's stored features). */
export type TaskBlob = Float32Array | Int32Array | Float64Array | Uint8Array | Uint16Array;
export type Blobs = Record<string, TaskBlob>;

/** `spec` must be JSON-able (plain objects, arrays, finite numbers, strings, booleans, null). */
export interface TaskInput<S = Json> {
  spec: S;
  blobs: Blobs;
}

export interface TaskOutput<R = Json> {
  result: R;
  blobs: Blobs;
  /** Which of a pool's workers ran it (their start order); absent on the calling thread. */
  worker?: number;
}

export interface TaskContext {
  /** Progress as JSON; the executor forwards it to the caller. */
  onProgress(progress: Json): void;
  signal: AbortSignal;
  /**
   * The caller's backend when the task runs on the calling thread (so it builds no second
   * kernel instance); absent in workers, which resolve the spec's kernels themselves.
   */
  backend?: Backend;
}

/** A named handler. Handlers must not mutate their input: on the calling thread it is the caller's. */
export interface TaskDefinition<S = Json, R = Json> {
  readonly name: string;
  run(input: TaskInput<S>, ctx: TaskContext): Promise<TaskOutput<R>>;
}

export function defineTask<S, R>(name: string, run: TaskDefinition<S, R>['run']): TaskDefinition<S, R> {
  return { name, run };
}
