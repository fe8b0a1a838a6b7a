// sparse-experts/parallel: executors (the calling thread, a worker pool, your own) and tasks as
// plain data — what a job queue carries. Re-exports only.
export { createExecutor, runAll } from './create.js';
export type { ExecutorOptions } from './create.js';
export type { RunOptions, TaskSpec } from './executor.js';
export { registerTask } from './registry.js';
export { defineTask } from './task.js';
export type { Blobs, Json, TaskBlob, TaskContext, TaskDefinition, TaskInput, TaskOutput } from './task.js';
export { shareArray } from './transfer.js';
export { decodeTask, decodeTaskOutput, encodeTask, encodeTaskOutput } from '../io/task-codec.js';
export { trainExpert } from '../model/train-task.js';
export type { TrainExpertResult, TrainExpertSpec } from '../model/train-task.js';
