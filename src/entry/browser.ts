// Browser entry: kernels are compiled while streaming from a URL next to the bundle,
// which the caller can override with init({ url }).
import { fail } from '../errors.js';
import { setKernelSource } from '../backend/init.js';
import { kernelFile } from '../backend/kernels.js';
import { setThreadPlatform } from '../backend/threads.js';
import { browserThreads } from '../backend/threads-browser.js';
import { browserWorkers } from '../parallel/browser.js';
import { setWorkerPlatform } from '../parallel/platform.js';

setWorkerPlatform(browserWorkers);

setThreadPlatform(browserThreads);

setKernelSource(async (build, url) => {
  const name = kernelFile(build);
  const where = url ?? new URL(`./${name}`, import.meta.url);
  const response = await fetch(where);
  if (!response.ok) fail('ERR_WASM_LOAD', `fetching ${String(where)} failed with HTTP ${response.status}; pass init({ url }) to say where kernels.wasm is served`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return response.arrayBuffer();
});

export * from '../index.js';
// Until the subpath bundles share one core, the runtime bundles carry the subpath APIs too.
export * from '../backend/index.js';
export * from '../parallel/index.js';
export * from '../nn/index.js';
