// Kernel threads in Node: worker_threads, unref'd so an idle pool never keeps a process alive.
// worker_threads (and the stream modules it pulls in) loads on the first thread, not at import.
import { availableParallelism } from 'node:os';
import { startWorker } from '../start-worker.js';
import type { ThreadPlatform } from './threads.js';

export const nodeThreads: ThreadPlatform = {
  cores: availableParallelism,
  start: async (url, init) => {
    const { Worker } = await import('node:worker_threads');
    return new Promise((resolve, reject) => {
      const worker = startWorker(Worker, url, { name: 'sparse-experts-kernels' });
      worker.unref();
      worker.once('message', () => resolve({ stop: () => void worker.terminate() }));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the kernel thread exited with code ${code}`)));
      worker.postMessage(init);
    });
  },
};
