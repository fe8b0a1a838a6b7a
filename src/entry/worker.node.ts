// Node worker entry (dist/worker.node.mjs): a worker_thread, spoken to through comlink's node adapter.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { expose } from 'comlink';
import { setExitWorker } from '../parallel/diagnostics.js';
import { api } from '../worker.js';

expose(api, nodeEndpoint(parentPort!));
setExitWorker((code) => process.exit(code));
