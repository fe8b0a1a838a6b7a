// Kernel thread entry (built to dist/thread-worker.mjs): instantiates the shared-memory
// kernels on the memory it is given and then serves the control block. It never returns
// to its event loop, so its first message is the only one it reads.
import { DONE, FN, GO, STOP, argsAt, word, type ThreadInit } from './thread-control.js';

/** Spins this many polls before sleeping: a hand-over inside one training step stays cheap. */
const SPIN = 20_000;

async function serve(init: ThreadInit, ready: () => void): Promise<void> {
  const { exports } = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
  const fns = init.names.map((name) => exports[name] as (...args: number[]) => unknown);
  // The control block sits below everything the caller allocates, so these views never go short.
  const i32 = new Int32Array(init.memory.buffer);
  const f64 = new Float64Array(init.memory.buffer);
  const go = word(init.ctl, init.slot, GO), done = word(init.ctl, init.slot, DONE), fn = word(init.ctl, init.slot, FN);
  const at = argsAt(init.ctl, init.slot);
  ready();
  let seen = Atomics.load(i32, go);
  for (;;) {
    for (let spins = 0; Atomics.load(i32, go) === seen; spins++) if (spins > SPIN) Atomics.wait(i32, go, seen);
    seen = Atomics.load(i32, go);
    const f = i32[fn];
    if (f === STOP) return;
    const n = i32[fn + 1];
    const args: number[] = [];
    for (let i = 0; i < n; i++) args.push(f64[at + i]);
    fns[f](...args);
    Atomics.store(i32, done, seen);
    Atomics.notify(i32, done);
  }
}

if ('WorkerGlobalScope' in globalThis) {
  self.addEventListener('message', (e) => void serve((e as MessageEvent<ThreadInit>).data, () => self.postMessage('ready')).then(() => self.close()), { once: true });
} else {
  const { parentPort } = await import('node:worker_threads');
  parentPort!.once('message', (init: ThreadInit) => void serve(init, () => parentPort!.postMessage('ready')).then(() => process.exit(0)));
}
