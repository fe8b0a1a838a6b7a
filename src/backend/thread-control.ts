// The control block the calling thread and the kernel threads share, in the kernels' own
// memory. A job is a list of pieces, each a kernel index and its arguments (the pieces of
// one cut call, or several independent calls run side by side); any thread may
// claim any piece (the caller too), so a helper that is late — descheduled on a busy
// machine — never holds the caller up: the caller runs the pieces nobody has claimed.
// The ticket word holds job sequence (16 bits) | piece count (8) | next piece (8): a claim
// is one compare-exchange on it, and a stale claim from an older job can never succeed.

export const TICKET = 0;
/** Pieces finished in the current job. */
export const FINISHED = 1;
/** Nonzero: helpers leave their loop. */
export const STOP = 4;
/** 1 + the first piece of the current job whose kernel threw (0: none did). */
export const FAILED = 5;
export const MAX_PIECES = 64;
export const MAX_ARGS = 24;
/** Per piece: kernel index, argument count, the argument that takes the running thread's scratch (−1: none), spare. */
const PIECE_BYTE = 64;
const PIECE_WORDS = 4;
/** Per thread (0: the caller, 1…: the helpers): its scratch (the GEMM's), for pieces that take one. */
const SCRATCH_BYTE = PIECE_BYTE + MAX_PIECES * PIECE_WORDS * 4;
const ARGS_BYTE = SCRATCH_BYTE + MAX_PIECES * 4;
export const CONTROL_BYTES = ARGS_BYTE + MAX_PIECES * MAX_ARGS * 8;

/** Index of control word `w` in an Int32Array over the memory. */
export function word(ctl: number, w: number): number {
  return (ctl >> 2) + w;
}

/** Index of piece p's header (kernel, argument count, scratch argument) in an Int32Array over the memory. */
export function pieceAt(ctl: number, p: number): number {
  return ((ctl + PIECE_BYTE) >> 2) + p * PIECE_WORDS;
}

/** Index of thread t's scratch pointer in an Int32Array over the memory. */
export function scratchAt(ctl: number, t: number): number {
  return ((ctl + SCRATCH_BYTE) >> 2) + t;
}

/** Index of piece p's first argument in a Float64Array over the memory. */
export function argsAt(ctl: number, p: number): number {
  return ((ctl + ARGS_BYTE) >> 3) + p * MAX_ARGS;
}

export const ticketSeq = (t: number): number => t >>> 16;

/**
 * Claims and runs pieces of job `seq` until none is left; each one finished bumps FINISHED and
 * the last wakes the caller. A piece whose kernel throws (a trap) still counts as finished, so
 * the caller never waits for it: FAILED records it, and the first error thrown here is returned
 * with the number of pieces this thread ran. `thread` picks the scratch of pieces that take one:
 * pieces outnumber threads in a job of several calls, so scratch belongs to the thread running it.
 */
export function claimPieces(i32: Int32Array, f64: Float64Array, ctl: number, seq: number, fns: readonly ((...args: number[]) => unknown)[], thread = 0): { ran: number; error: unknown } {
  const ticket = word(ctl, TICKET), finished = word(ctl, FINISHED);
  let error: unknown, ran = 0;
  for (;;) {
    const t = Atomics.load(i32, ticket);
    const next = t & 0xff, count = (t >>> 8) & 0xff;
    if (ticketSeq(t) !== seq || next >= count) return { ran, error };
    if (Atomics.compareExchange(i32, ticket, t, t + 1) !== t) continue;
    ran++;
    const at = argsAt(ctl, next), head = pieceAt(ctl, next), n = i32[head + 1], scratchArg = i32[head + 2];
    const args: number[] = [];
    for (let i = 0; i < n; i++) args.push(f64[at + i]);
    if (scratchArg >= 0) args[scratchArg] = i32[scratchAt(ctl, thread)] >>> 0;
    try {
      fns[i32[head]](...args);
    } catch (err) {
      error ??= err;
      Atomics.compareExchange(i32, word(ctl, FAILED), 0, next + 1);
    }
    if (Atomics.add(i32, finished, 1) + 1 === count) Atomics.notify(i32, finished);
  }
}

/**
 * How long a thread polls a control word before it sleeps on it. A sleeping helper (or
 * caller) costs a wake-up at the next hand-over, and the gaps between the kernels of a
 * training step vary: on the quiet 2-core machine the MLP's step on 2 threads ran 1.64× one
 * thread's with 1 ms, 1.73× with 5 ms, the same as never sleeping. A poll count is no
 * measure of time: an optimised poll takes 1–25 ns.
 */
export const SPIN_MS = 5;
/**
 * How long a helper that ran no piece of the last job polls: a call cut into fewer pieces than
 * the pool has helpers (threadCap under busy workers, small cuts on many cores) must not keep
 * the idle ones spinning on cores other threads need.
 */
export const IDLE_SPIN_MS = 0.05;

/**
 * Returns i32[at] once it differs from `value`: polls for `spinMs`, then sleeps on it (for
 * at most `timeoutMs` at a time), or keeps polling where the thread may not sleep (a browser's main thread).
 */
export function waitWhile(i32: Int32Array, at: number, value: number, canWait = true, timeoutMs = Infinity, spinMs = SPIN_MS): number {
  const since = performance.now();
  for (let polls = 1; ; polls++) {
    const v = Atomics.load(i32, at);
    if (v !== value) return v;
    if (canWait && (polls & 1023) === 0 && performance.now() - since > spinMs) Atomics.wait(i32, at, value, timeoutMs);
  }
}

/** What a kernel thread is started with. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  ctl: number;
  /** Kernel export names, indexed by a piece's kernel index. */
  names: string[];
  /** This helper's index (1, 2, …; the caller is 0): which scratch its pieces take. */
  thread?: number;
}
