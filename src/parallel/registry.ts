// Task handlers by name. The same registry runs tasks on the calling thread (LocalExecutor) and
// inside workers (src/worker.ts), so a task behaves the same wherever it runs.
import { fail } from '../errors.js';

export interface TaskContext {
  onProgress(progress: unknown): void;
  signal: AbortSignal;
}

/** Handlers must not mutate their payload: in a worker it is a copy, on the calling thread it is not. */
export type TaskHandler = (payload: any, ctx: TaskContext) => Promise<unknown>;

const handlers = new Map<string, TaskHandler>();

/**
 * Call it from code that is sure to run (a bare `import './tasks.js'` is dropped by bundlers,
 * since the package declares no side effects). Registering the same handler again does nothing.
 */
export function registerTask(name: string, handler: TaskHandler): void {
  const known = handlers.get(name);
  if (known && known !== handler) fail('ERR_BAD_ARGUMENT', `task '${name}' is already registered; pick another name`);
  handlers.set(name, handler);
}

export function runTask(name: string, payload: unknown, ctx: TaskContext): Promise<unknown> {
  const handler = handlers.get(name);
  if (!handler) fail('ERR_BAD_ARGUMENT', `unknown task '${name}'; registered: ${[...handlers.keys()].join(', ')}`);
  return handler(payload, ctx);
}
