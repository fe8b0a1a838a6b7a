// Browser worker entry (dist/worker.mjs): a module Web Worker, also in Deno and Bun. No node
// imports and no top-level await, so bundlers may re-bundle it in any worker format (Vite: iife).
import { expose, type Endpoint } from 'comlink';
import { setThreadPlatform } from '../backend/threads.js';
import { browserThreads } from '../backend/threads-browser.js';
import { setExitWorker } from '../parallel/diagnostics.js';
import { EXITING } from '../parallel/protocol.js';
import { api } from '../worker.js';

// Kernel threads (cross-origin-isolated pages only) for the cores the pool's other workers leave free.
setThreadPlatform(browserThreads);
expose(api, self as unknown as Endpoint);
setExitWorker((code) => {
  self.postMessage({ [EXITING]: code }); // a closed worker fires no event: tell the pool first
  self.close();
});
