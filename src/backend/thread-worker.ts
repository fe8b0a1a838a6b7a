// Kernel thread entry (built to dist/thread-worker.mjs): instantiates the shared-memory
// kernels on the memory it is given and then serves the control block. It never returns
// to its event loop, so its first message is the only one it reads.
import { IDLE_SPIN_MS, SPIN_MS, STOP, TICKET, claimPieces, ticketSeq, waitWhile, word, type ThreadInit } from './thread-control.js';

async function serve(init: ThreadInit, ready: () => void): Promise<void> {
  const { exports } = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
  const fns = init.names.map((name) => exports[name] as (...args: number[]) => unknown);
  // The control block sits below everything the caller allocates, so these views never go short.
  const i32 = new Int32Array(init.memory.buffer);
  const f64 = new Float64Array(init.memory.buffer);
  const ticket = word(init.ctl, TICKET);
  let seen = ticketSeq(Atomics.load(i32, ticket)), spinMs = IDLE_SPIN_MS;
  ready();
  for (;;) {
    // The ticket also moves when the caller claims a piece of the job this thread has seen.
    let t = Atomics.load(i32, ticket);
    while (ticketSeq(t) === seen) t = waitWhile(i32, ticket, t, true, Infinity, spinMs);
    if (i32[word(init.ctl, STOP)]) return;
    seen = ticketSeq(t);
    // Stay awake for the next call only while this thread is given work.
    spinMs = claimPieces(i32, f64, init.ctl, seen, fns, init.thread).ran > 0 ? SPIN_MS : IDLE_SPIN_MS;
  }
}

if ('WorkerGlobalScope' in globalThis) {
  self.addEventListener('message', (e) => void serve((e as MessageEvent<ThreadInit>).data, () => self.postMessage('ready')).then(() => self.close()), { once: true });
} else {
  const { parentPort } = await import('node:worker_threads');
  parentPort!.once('message', (init: ThreadInit) => void serve(init, () => parentPort!.postMessage('ready')).then(() => process.exit(0)));
}
