// Node entry: kernels are read from the package's dist/ folder.
import { readFile } from 'node:fs/promises';
import { fail } from '../errors.js';
import { setKernelSource } from '../backend/init.js';
import { nodeWorkers } from '../parallel/node.js';
import { setWorkerPlatform } from '../parallel/platform.js';

setWorkerPlatform(nodeWorkers);

setKernelSource(async (build, url) => {
  const name = build === 'relaxed' ? 'kernels-relaxed.wasm' : 'kernels.wasm';
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

// The core bundle: every surface (the build makes each package entry re-export its own part).
export * from '../index.node.js';
export * from '../backend/index.js';
export * from '../parallel/index.js';
export * from '../nn/index.js';
