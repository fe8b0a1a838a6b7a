// sparse-experts/backend: the kernels and their buffers, for code that computes directly (a
// layer of its own, a benchmark) or moves work between threads and machines. Re-exports only.
export { createBackend } from './init.js';
export type { Backend } from './backend.js';
export type { InitOptions, KernelBuild } from './init.js';
export { backendFor, kernelRef, knownKernels, registerKernels } from './identity.js';
export type { KernelRef } from './identity.js';
export { ReferenceBackend } from './reference.js';
export type { Activation, AdamOptions, Buf, Csr, F32, I32, MemoryStats, SgdOptions } from './backend.js';
