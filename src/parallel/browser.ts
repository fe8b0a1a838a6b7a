// Workers in browsers: module Web Workers running worker.mjs, spoken to through comlink directly.
import type { Endpoint } from 'comlink';
import type { WorkerHandle, WorkerPlatform } from './platform.js';
import { EXITING } from './protocol.js';

function spawn(url?: string | URL): WorkerHandle {
  // Written out in full when no URL is given so that bundlers (Vite, webpack) see and copy the worker.
  const worker = url ? new Worker(url, { type: 'module' }) : new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  return {
    endpoint: worker as Endpoint,
    onExit(listener) {
      let told = false;
      const tell = (reason: unknown) => told || ((told = true), listener(reason));
      worker.addEventListener('error', (event) => tell(new Error(event.message || `the worker at ${url ?? 'worker.mjs'} failed to load or threw`)));
      worker.addEventListener('message', (event) => {
        if (event.data?.[EXITING] !== undefined) tell(new Error(`the worker closed itself with code ${event.data[EXITING]}`));
      });
    },
    keepAlive: () => {}, // a page does not wait for its workers
    terminate: async () => worker.terminate(),
  };
}

export const browserWorkers: WorkerPlatform = { cores: () => Math.max(1, navigator.hardwareConcurrency || 1), spawn };
