// Diagnostic tasks, used by the pool's tests and to check a deployment's worker setup:
//   ping  → returns its payload (round trip, transfer of results)
//   fail  → throws Error(payload) (error propagation)
//   exit  → ends the worker abruptly (crash handling); only inside a worker
//   sleep → waits { ms, steps } reporting progress each step, stops when aborted
//   spin  → busy-waits { ms } without yielding, like a long kernel (abort grace + terminate)
import { fail } from '../errors.js';
import { registerTask, type TaskHandler } from './registry.js';

let exitWorker: ((code: number) => void) | undefined;

/** src/worker.ts installs how to end the worker (process.exit in Node, close() in browsers). */
export function setExitWorker(exit: (code: number) => void): void {
  exitWorker = exit;
}

function aborted(): never {
  fail('ERR_ABORTED', 'the task was aborted');
}

const ping: TaskHandler = async (payload) => payload;

const failTask: TaskHandler = async (message: string) => {
  throw new Error(message);
};

const exit: TaskHandler = async (code: number | undefined) => {
  if (!exitWorker) fail('ERR_BAD_ARGUMENT', "task 'exit' ends a worker, so it only runs with workers ≥ 1");
  exitWorker(code ?? 1);
  return new Promise(() => {}); // the worker is gone; never settles
};

const sleep: TaskHandler = async ({ ms, steps = 1 }: { ms: number; steps?: number }, { onProgress, signal }) => {
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
  return ms;
};

const spin: TaskHandler = async ({ ms }: { ms: number }) => {
  const end = Date.now() + ms;
  while (Date.now() < end); // deliberately blocks the thread: abort messages cannot get in
  return ms;
};

/** Every executor has these: the local one registers them, and so does src/worker.ts. */
export function registerDiagnostics(): void {
  for (const [name, handler] of Object.entries({ ping, fail: failTask, exit, sleep, spin })) registerTask(name, handler);
}
