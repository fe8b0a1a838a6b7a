// Diagnostic tasks, used by the pool's tests and to check a deployment's worker setup:
//   ping  → returns its spec and blobs (round trip, transfer of results)
//   fail  → throws Error(spec) (error propagation)
//   exit  → ends the worker abruptly (crash handling); only inside a worker
//   sleep → waits { ms, steps } reporting progress each step, stops when aborted
//   spin  → busy-waits { ms } without yielding, like a long kernel (abort grace + terminate)
import { fail } from '../errors.js';
import { registerTask } from './registry.js';
import { type Json, defineTask } from './task.js';

let exitWorker: ((code: number) => void) | undefined;

/** src/worker.ts installs how to end the worker (process.exit in Node, close() in browsers). */
export function setExitWorker(exit: (code: number) => void): void {
  exitWorker = exit;
}

function aborted(): never {
  fail('ERR_ABORTED', 'the task was aborted');
}

const ping = defineTask<Json, Json>('ping', async ({ spec, blobs }) => ({ result: spec, blobs }));

const failTask = defineTask<string, never>('fail', async ({ spec }) => {
  throw new Error(spec);
});

const exit = defineTask<number | null, never>('exit', async ({ spec }) => {
  if (!exitWorker) fail('ERR_BAD_ARGUMENT', "task 'exit' ends a worker, so it only runs with workers ≥ 1");
  exitWorker(spec ?? 1);
  return new Promise(() => {}); // the worker is gone; never settles
});

const sleep = defineTask<{ ms: number; steps?: number }, number>('sleep', async ({ spec: { ms, steps = 1 } }, { onProgress, signal }) => {
  for (let step = 1; step <= steps; step++) {
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const done = () => (signal.removeEventListener('abort', stop), resolve());
      const stop = () => (clearTimeout(timer), reject(signal.reason));
      const timer = setTimeout(done, ms / steps);
      signal.addEventListener('abort', stop, { once: true });
    }).catch(aborted);
    onProgress({ step, steps });
  }
  return { result: ms, blobs: {} };
});

const spin = defineTask<{ ms: number }, number>('spin', async ({ spec: { ms } }) => {
  const end = Date.now() + ms;
  while (Date.now() < end); // deliberately blocks the thread: abort messages cannot get in
  return { result: ms, blobs: {} };
});

/** Every executor has these: the local one registers them, and so does src/worker.ts. */
export function registerDiagnostics(): void {
  for (const task of [ping, failTask, exit, sleep, spin]) registerTask(task);
}
