// Browser entry: kernels are compiled while streaming from a URL next to the bundle,
// which the caller can override with init({ url }). Each asset is named by one static
// `new URL('./…', import.meta.url)` literal, so bundlers (Vite, webpack) emit exactly these files.
import { fail } from '../errors.js';
import { setKernelSource } from '../backend/init.js';
import { type KernelBuild, kernelFile } from '../backend/kernels.js';
import { setThreadPlatform } from '../backend/threads.js';
import { browserThreads } from '../backend/threads-browser.js';
import { browserWorkers } from '../parallel/browser.js';
import { setWorkerPlatform } from '../parallel/platform.js';

setWorkerPlatform(browserWorkers);

setThreadPlatform(browserThreads);

setKernelSource(async (build, url) => {
  const where = url ?? kernelUrl(build);
  const response = await fetch(where);
  if (!response.ok) fail('ERR_WASM_LOAD', `fetching ${String(where)} failed with HTTP ${response.status}; pass init({ url }) to say where kernels.wasm is served`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return response.arrayBuffer();
});

// The core bundle: every surface (the build makes each package entry re-export its own part).
export * from '../index.js';
export * from '../backend/index.js';
export * from '../parallel/index.js';
export * from '../nn/index.js';

/**
 * The single-thread builds by literal URLs (bundlers emit them); the threaded ones, used only
 * in cross-origin-isolated pages, next to the bundle by name (or init({ url })).
 */
function kernelUrl(build: KernelBuild): URL {
  if (build === 'relaxed') return new URL('./kernels-relaxed.wasm', import.meta.url);
  if (build === 'simd') return new URL('./kernels.wasm', import.meta.url);
  const here = import.meta.url; // not the literal pattern: bundlers would emit every file it could name
  return new URL(`./${kernelFile(build)}`, here);
}
