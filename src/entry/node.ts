// Node entry: kernels are read from the package's dist/ folder.
import { readFile } from 'node:fs/promises';
import { fail } from '../errors.js';
import { setKernelSource } from '../backend/init.js';
import { kernelFile } from '../backend/kernels.js';
import { setThreadPlatform } from '../backend/threads.js';
import { nodeThreads } from '../backend/threads-node.js';
import { nodeWorkers } from '../parallel/node.js';
import { setWorkerPlatform } from '../parallel/platform.js';

setWorkerPlatform(nodeWorkers);

setThreadPlatform(nodeThreads);

setKernelSource(async (build, url) => {
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
  fail('ERR_WASM_LOAD', `${name} not found at ${places.map(String).join(' or ')}; run \`npm run build\``);
});

export * from '../index.js';
// Until the subpath bundles share one core, the runtime bundles carry the subpath APIs too.
export * from '../backend/index.js';
export * from '../parallel/index.js';
export * from '../nn/index.js';
// Node-only: the real MNIST digits shipped in the `mnist` package.
export { loadMnist, mnistAll } from '../data/mnist.js';
export type { MnistOptions } from '../data/mnist.js';
