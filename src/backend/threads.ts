// The intra-op pool: helper threads running the shared-memory kernels on the caller's own
// memory. A call is cut into pieces that write disjoint outputs (src/backend/split.ts), or a
// job holds several independent calls, each whole or cut; every thread claims pieces until
// none is left, then the caller waits for the others. Each output element is computed by the
// same instructions whatever the cut and whichever thread runs it, so results are
// bit-identical for any thread count.
import { fail } from '../errors.js';
import { FAILED, FINISHED, MAX_PIECES, STOP, TICKET, argsAt, claimPieces, pieceAt, scratchAt, waitWhile, word, type ThreadInit } from './thread-control.js';

/** How a runtime starts kernel threads; installed by the Node and browser entries. */
export interface ThreadPlatform {
  /** Logical cores. */
  cores(): number;
  /** Starts a thread running `url` with `init` as its first message; resolves when it is serving. */
  start(url: URL, init: ThreadInit): Promise<{ stop(): void }>;
}

let platform: ThreadPlatform | undefined;

export function setThreadPlatform(p: ThreadPlatform): void {
  platform = p;
}

/**
 * Whether kernels can run on several threads here: a thread platform, shared memory, and
 * in browsers a cross-origin-isolated page (else SharedArrayBuffer cannot be posted).
 */
export function threadsUsable(): boolean {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return platform !== undefined && typeof SharedArrayBuffer === 'function' && isolated !== false;
}

/** Threads per backend for `threads` ('auto': every core; 1 where threads are unusable). */
export function resolveThreads(threads: 'auto' | number | undefined): number {
  if (threads !== undefined && threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1)) {
    fail('ERR_BAD_ARGUMENT', `threads must be 'auto' or an integer ≥ 1, got ${String(threads)}`);
  }
  if (!threadsUsable()) return 1;
  return threads === undefined || threads === 'auto' ? Math.max(1, platform!.cores()) : threads;
}

/**
 * The cores a worker pool's workers share: `busy[0]` counts the workers running a task (the
 * pool keeps it). A backend built in such a worker cuts its calls over at most
 * floor(cores / busy) threads, so threads × busy workers ≤ cores: many experts get a core
 * each, and an expert still training when the others are done takes the cores they freed.
 */
export interface CoreShare {
  busy: Int32Array;
  cores: number;
}

let coreShare: CoreShare | undefined;

/** Set in a pool's worker (src/worker.ts) before its first task; undefined lifts the cap. */
export function setCoreShare(s: CoreShare | undefined): void {
  coreShare = s;
}

/** Threads a backend built in this thread is sized for: the shared cores in a pool's worker, else 1. */
export function sharedCores(): number {
  return resolveThreads(coreShare?.cores ?? 1);
}

/** Threads this thread's backends may use now: unbounded outside a pool's worker. */
export function threadCap(): number {
  if (!coreShare) return Infinity;
  return Math.max(1, Math.floor(coreShare.cores / Math.max(1, Atomics.load(coreShare.busy, 0))));
}

/** Where the thread entry is: next to the bundle, or in dist/ when running from source. */
const ENTRY = ['./thread-worker.mjs', '../../dist/thread-worker.mjs'];

/** One piece of a job: a kernel index, its arguments, and which argument takes the running thread's scratch. */
export interface Piece {
  fn: number;
  args: number[];
  scratchArg?: number;
}

export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private helpers: { stop(): void }[] = [];
  private starting: Promise<void> | null = null;
  private seq = 0;
  /** Jobs run so far: calls cut into pieces, groups of calls. */
  jobs = 0;
  /** While set, run() adds its pieces here, for one job of several calls (see WasmBackend.concurrently). */
  held: Piece[] | null = null;
  /** Atomics.wait is not allowed on a browser's main thread: spin there. */
  private readonly canWait: boolean;

  constructor(
    /** Threads wanted, the caller included. */
    readonly size: number,
    private readonly init: ThreadInit,
    private readonly fns: ((...args: number[]) => unknown)[],
    /** Per kernel: the argument that takes the running thread's scratch; −1 none; −2 none, and never held. */
    private readonly scratchArgs: readonly number[],
  ) {
    this.i32 = new Int32Array(init.memory.buffer);
    this.f64 = new Float64Array(init.memory.buffer);
    let canWait = true;
    try {
      Atomics.wait(this.i32, word(init.ctl, FINISHED), -1, 0);
    } catch {
      canWait = false;
    }
    this.canWait = canWait;
  }

  /** Threads that can take a share now, the caller included. */
  get ready(): number {
    return Math.min(1 + this.helpers.length, MAX_PIECES);
  }

  /** Starts the helpers (once); resolves when all serve, rejects if one could not start. */
  start(): Promise<void> {
    this.starting ??= this.startAll();
    return this.starting;
  }

  private async startAll(): Promise<void> {
    // At most MAX_PIECES threads: no job has more pieces, and the scratch table has as many entries.
    while (this.helpers.length < Math.min(this.size, MAX_PIECES) - 1) this.helpers.push(await startOne({ ...this.init, thread: this.helpers.length + 1 }));
  }

  /** Thread t's scratch (0: the caller's), for pieces with a scratchArg. */
  setScratch(t: number, ptr: number): void {
    this.i32[scratchAt(this.init.ctl, t)] = ptr;
  }

  /** Runs kernel `fn` once per piece of arguments, as one job (see runPieces) or held for a job of several calls. */
  run(fn: number, pieces: number[][]): void {
    const scratchArg = this.scratchArgs[fn];
    const job = pieces.map((args) => ({ fn, args, scratchArg: Math.max(scratchArg, -1) }));
    if (this.held && scratchArg !== -2) this.held.push(...job);
    else this.runPieces(job);
  }

  /**
   * Runs every piece (at most MAX_PIECES, MAX_ARGS arguments each) on whichever thread claims
   * it; returns when all are done. A piece that threw on any thread is ERR_WORKER_FAILED once
   * every piece has ended; the threads keep serving, so the next call runs as usual.
   */
  runPieces(pieces: readonly Piece[]): void {
    const { ctl } = this.init;
    this.jobs++;
    pieces.forEach(({ fn, args, scratchArg = -1 }, p) => {
      this.f64.set(args, argsAt(ctl, p));
      const at = pieceAt(ctl, p); // three words, stored one by one: no array per piece on the hot path
      this.i32[at] = fn;
      this.i32[at + 1] = args.length;
      this.i32[at + 2] = scratchArg;
    });
    this.i32[word(ctl, FAILED)] = 0;
    Atomics.store(this.i32, word(ctl, FINISHED), 0);
    this.seq = (this.seq + 1) & 0xffff;
    Atomics.store(this.i32, word(ctl, TICKET), (this.seq << 16) | (pieces.length << 8));
    Atomics.notify(this.i32, word(ctl, TICKET));
    const own = claimPieces(this.i32, this.f64, ctl, this.seq, this.fns).error;
    // Only pieces a helper is running are left.
    const finished = word(ctl, FINISHED);
    for (let done = Atomics.load(this.i32, finished); done !== pieces.length; ) done = waitWhile(this.i32, finished, done, this.canWait, 1);
    const failed = Atomics.load(this.i32, word(ctl, FAILED));
    if (failed) {
      const here = own === undefined ? 'on a kernel thread' : `(on this thread: ${own instanceof Error ? own.message : String(own)})`;
      const name = this.init.names[pieces[failed - 1].fn];
      fail('ERR_WORKER_FAILED', `kernel ${name} threw in piece ${failed} of ${pieces.length} ${here}; every piece has ended and the backend stays usable`, own);
    }
  }

  /** Ends the helper threads. */
  stop(): void {
    const { ctl } = this.init;
    this.i32[word(ctl, STOP)] = 1;
    this.seq = (this.seq + 1) & 0xffff;
    Atomics.store(this.i32, word(ctl, TICKET), this.seq << 16);
    Atomics.notify(this.i32, word(ctl, TICKET));
    for (const h of this.helpers) h.stop();
    this.helpers = [];
  }
}

async function startOne(init: ThreadInit): Promise<{ stop(): void }> {
  if (!platform) fail('ERR_WASM_LOAD', 'this runtime has no threads for the kernels');
  let last: unknown;
  for (const place of ENTRY) {
    try {
      return await platform.start(new URL(place, import.meta.url), init);
    } catch (err) {
      last = err;
    }
  }
  return fail('ERR_WASM_LOAD', `could not start a kernel thread (dist/thread-worker.mjs): ${(last as Error)?.message}; run \`npm run build\``, last);
}
