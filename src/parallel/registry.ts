// Task definitions by name. The same registry runs tasks on the calling thread (LocalExecutor)
// and inside workers (src/worker.ts), so a task behaves the same wherever it runs.
import { fail } from '../errors.js';
import type { TaskContext, TaskDefinition, TaskInput, TaskOutput } from './task.js';

const tasks = new Map<string, TaskDefinition<unknown, unknown>>();

/**
 * Call it from code that is sure to run (a bare `import './tasks.js'` is dropped by bundlers,
 * since the package declares no side effects). Registering the same definition again does nothing.
 */
export function registerTask(task: TaskDefinition<unknown, unknown>): void {
  const known = tasks.get(task.name);
  if (known && known !== task) fail('ERR_BAD_ARGUMENT', `task '${task.name}' is already registered; pick another name`);
  tasks.set(task.name, task);
}

export function runTask(name: string, input: TaskInput<unknown>, ctx: TaskContext): Promise<TaskOutput<unknown>> {
  const task = tasks.get(name);
  if (!task) fail('ERR_BAD_ARGUMENT', `unknown task '${name}'; registered: ${[...tasks.keys()].join(', ')}`);
  return task.run(input, ctx);
}
