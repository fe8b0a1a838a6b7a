// Node worker entry (dist/worker.node.mjs): a worker_thread, spoken to through comlink's node adapter.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { expose } from 'comlink';
import { setKernelSource } from '../backend/init.js';
import { setThreadPlatform } from '../backend/threads.js';
import { nodeThreads } from '../backend/threads-node.js';
import { setExitWorker } from '../parallel/diagnostics.js';
import { api } from '../worker.js';
import { registerFileSources } from '../data/file-sources.js';
import { nodeKernelSource } from './node-runtime.js';

// Kernels the pool did not post (a task naming another build) are read from dist/, hash-checked.
setKernelSource(nodeKernelSource);
// Kernel threads for the cores the pool's other workers leave free (src/backend/threads.ts).
setThreadPlatform(nodeThreads);
// Experts trained from files read their own rows by path.
registerFileSources();
expose(api, nodeEndpoint(parentPort!));
setExitWorker((code) => process.exit(code));
