// What crosses the worker boundary. Results and errors travel as an Outcome rather than through
// comlink's own error path, which keeps only name/message/stack and would drop our error `code`.
import { SparseExpertsError, isErrorCode } from '../errors.js';
import type { KernelRef } from '../backend/identity.js';
import type { Json, TaskInput, TaskOutput } from './task.js';

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export type Outcome = { ok: true; value: TaskOutput<unknown> } | { ok: false; error: WireError };

/** The API src/worker.ts exposes over comlink. */
export interface WorkerApi {
  /** Compiled kernels the worker may build backends from (sent once, before its first task). */
  registerKernels(kernels: { ref: KernelRef; module: WebAssembly.Module }[]): void;
  /** The pool's count of busy workers and the cores they share (src/backend/threads.ts), sent once at start. */
  shareCores(busy: Int32Array, cores: number): void;
  run(id: number, task: string, input: TaskInput<unknown>, progress?: (progress: Json) => void): Promise<Outcome>;
  abort(id: number): void;
}

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, stack: err.stack, ...(typeof code === 'string' ? { code } : {}) };
}

/** Rebuilds the worker's error on this side, keeping its stack and code. */
export function fromWire(wire: WireError): Error {
  const err = new Error(wire.message);
  err.name = wire.name;
  err.stack = wire.stack;
  if (wire.code !== undefined) Object.assign(err, { code: wire.code });
  return err;
}

/**
 * A task's own typed error reaches the caller with its code (a bad spec is ERR_BAD_ARGUMENT
 * wherever it ran); anything else a task threw is ERR_WORKER_FAILED. The original is `cause`.
 */
export function taskFailed(task: string, cause: unknown): SparseExpertsError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  return new SparseExpertsError(isErrorCode(code) ? code : 'ERR_WORKER_FAILED', `task '${task}' failed: ${message}`, { cause });
}

export function abortedError(task: string): SparseExpertsError {
  return new SparseExpertsError('ERR_ABORTED', `task '${task}' was aborted`);
}

export function closedError(): SparseExpertsError {
  return new SparseExpertsError('ERR_ABORTED', 'the executor was closed; create a new one to run more tasks');
}

/**
 * Posted by a browser worker just before it closes itself: a closed Web Worker fires no event,
 * so without this the pool could not tell it is gone.
 */
export const EXITING = 'sparse-experts:exiting';
