// Kernel threads in browsers: module Web Workers; usable only in cross-origin-isolated pages.
import type { ThreadPlatform } from './threads.js';

export const browserThreads: ThreadPlatform = {
  cores: () => Math.max(1, navigator.hardwareConcurrency || 1),
  start: (url, init) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(url, { type: 'module' });
      worker.addEventListener('message', () => resolve({ stop: () => worker.terminate() }), { once: true });
      worker.addEventListener('error', (e) => reject(new Error(e.message || `the kernel thread at ${String(url)} failed to load`)));
      worker.postMessage(init);
    }),
};
