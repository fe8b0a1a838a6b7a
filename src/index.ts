// Public API: re-exports only.
export { SparseExpertsError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { init, getBackend } from './backend/init.js';
export type { InitOptions, KernelBuild } from './backend/init.js';
export { ReferenceBackend } from './backend/reference.js';
export type { Backend, Buf, F32, I32, Csr, Activation, AdamOptions, SgdOptions, MemoryStats } from './backend/backend.js';
