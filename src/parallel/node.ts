// Workers in Node: worker_threads running dist/worker.node.mjs, spoken to through comlink's node adapter.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import type { Worker as NodeWorker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { fail } from '../errors.js';
import { nodeFs } from '../node-builtins.js';
import { startWorker } from '../start-worker.js';
import type { WorkerHandle, WorkerPlatform } from './platform.js';

function defaultWorkerUrl(): URL {
  // Next to the bundle (dist/index.js), or in dist/ when running from source (tests, tsx).
  const places = [new URL('./worker.node.mjs', import.meta.url), new URL('../../dist/worker.node.mjs', import.meta.url)];
  const found = places.find((place) => nodeFs().existsSync(place));
  if (!found) fail('ERR_WORKER_FAILED', `worker.node.mjs not found at ${places.map(String).join(' or ')}; run \`npm run build\``);
  return found;
}

function spawn(url?: string | URL): WorkerHandle {
  // Loaded on the first worker, not at import: worker_threads is a good part of the cold start.
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as { Worker: typeof NodeWorker };
  const worker = startWorker(Worker, url ?? defaultWorkerUrl(), { name: 'sparse-experts' });
  worker.unref(); // idle until the pool gives it a task
  return {
    endpoint: nodeEndpoint(worker),
    onExit(listener) {
      let told = false;
      const tell = (reason: unknown) => told || ((told = true), listener(reason));
      worker.on('error', tell); // an uncaught error; 'exit' follows
      worker.on('exit', (code) => tell(new Error(`the worker thread exited with code ${code}`)));
    },
    keepAlive: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: async () => void (await worker.terminate()),
  };
}

export const nodeWorkers: WorkerPlatform = { cores: availableParallelism, spawn };
