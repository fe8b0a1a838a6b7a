// Public API: re-exports only.
export { SparseExpertsError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { init, getBackend } from './backend/init.js';
export type { InitOptions, KernelBuild } from './backend/init.js';
export { ReferenceBackend } from './backend/reference.js';
export type { Backend, Buf, F32, I32, Csr, Activation, AdamOptions, SgdOptions, MemoryStats } from './backend/backend.js';
export { createExecutor, runAll } from './parallel/create.js';
export type { ExecutorOptions } from './parallel/create.js';
export type { Executor, RunOptions, TaskSpec } from './parallel/executor.js';
export { registerTask } from './parallel/registry.js';
export type { TaskContext, TaskHandler } from './parallel/registry.js';
export { shareArray } from './parallel/transfer.js';
