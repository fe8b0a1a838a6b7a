// How the library finds its parts in Node: kernels read from the package's dist/ folder, workers
// as worker_threads. A function to call, not module side effects: the package declares none, so
// a bundler may drop an imported module's top-level statements (the CLI bundle did).
import { readFile } from 'node:fs/promises';
import { fail } from '../errors.js';
import { type KernelSource, setKernelSource } from '../backend/init.js';
import { kernelFile } from '../backend/kernels.js';
import { setThreadPlatform } from '../backend/threads.js';
import { nodeThreads } from '../backend/threads-node.js';
import { registerFileSources } from '../data/file-sources.js';
import { nodeWorkers } from '../parallel/node.js';
import { setWorkerPlatform } from '../parallel/platform.js';

export const nodeKernelSource: KernelSource = async (build, url) => {
  const name = kernelFile(build);
  // Next to the bundle (dist/index.js), or in dist/ when running from source (tests, tsx).
  const places = url ? [new URL(url)] : [new URL(`./${name}`, import.meta.url), new URL(`../../dist/${name}`, import.meta.url)];
  for (const place of places) {
    try {
      return await readFile(place);
    } catch {
      // try the next place
    }
  }
  return fail('ERR_WASM_LOAD', `${name} not found at ${places.map(String).join(' or ')}; run \`npm run build\``);
};

/** Kernels from dist/, worker_threads for the pool and the kernel threads; calling it again changes nothing. */
export function installNodeRuntime(): void {
  setWorkerPlatform(nodeWorkers);
  setKernelSource(nodeKernelSource);
  setThreadPlatform(nodeThreads);
  registerFileSources();
}
