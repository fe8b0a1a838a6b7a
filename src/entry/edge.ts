// Edge entry (Cloudflare workerd, Vercel edge-light): these runtimes forbid compiling wasm
// from bytes at run time, so the caller imports the precompiled module and passes it:
//   import kernels from 'sparse-experts/kernels.wasm';
//   await init({ module: kernels });
import { fail } from '../errors.js';
import { setKernelSource } from '../backend/init.js';

setKernelSource(async () =>
  fail('ERR_WASM_LOAD', "edge runtimes cannot compile wasm at run time: import kernels from 'sparse-experts/kernels.wasm' and call init({ module: kernels }), or init({ backend: 'reference' })"),
);

// The core bundle: every surface (the build makes each package entry re-export its own part).
export * from '../index.js';
export * from '../backend/index.js';
export * from '../parallel/index.js';
export * from '../nn/index.js';
