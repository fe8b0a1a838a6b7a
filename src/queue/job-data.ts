// What a job holds in Redis, shared by the caller (bullmq-executor.ts) and the workers
// (processor.ts): the task's name and JSON spec, and references to its blobs — never the
// blobs themselves. A worker of another version listens on another queue.
import pkg from '../../package.json' with { type: 'json' };
import { SparseExpertsError, isErrorCode } from '../errors.js';
import type { Json } from '../parallel/task.js';
import type { BlobRef } from './blob-store.js';

/** Bumped whenever JobData or JobResult change shape. */
export const JOB_FORMAT = 1;

/** The default queue: one per library version and job format, so mismatched workers never take a job. */
export const DEFAULT_QUEUE = `sparse-experts-${pkg.version}-jobs${JOB_FORMAT}`;

export interface JobData {
  task: string;
  spec: Json;
  blobs: Record<string, BlobRef>;
  /** Where the worker writes the output blobs (the caller's namespace), and for how long. */
  outputs: { prefix: string; ttlMs: number };
}

export interface JobResult {
  result: Json;
  blobs: Record<string, BlobRef>;
}

/**
 * A failed job keeps only its error's message in Redis, so a typed error travels as
 * "CODE: message". Such failures are the task's own (a bad spec fails the same way everywhere):
 * named UnrecoverableError, BullMQ does not retry them.
 */
export function failureForQueue(err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const out = new Error(isErrorCode(code) ? `${code}: ${message}` : message);
  out.name = 'UnrecoverableError';
  if (err instanceof Error && err.stack) out.stack = err.stack;
  return out;
}

/** The caller's error for a failed job: its typed error when it had one, else ERR_WORKER_FAILED. */
export function failureFromQueue(task: string, reason: string): SparseExpertsError {
  const m = /^([A-Z_]+): ([\s\S]*)$/.exec(reason);
  if (m && isErrorCode(m[1])) return new SparseExpertsError(m[1], `task '${task}' failed on a queue worker: ${m[2]}`);
  return new SparseExpertsError('ERR_WORKER_FAILED', `task '${task}' failed on a queue worker: ${reason}`);
}
