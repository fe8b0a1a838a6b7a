// The control block the calling thread and the kernel threads share, in the kernels' own
// memory: one slot per helper thread, each on its own cache lines. The caller writes a
// kernel index and its arguments, bumps `go` and notifies; the thread runs the kernel and
// sets `done` to the same sequence number.

/** Bytes per slot: 4 int32 words, then up to MAX_ARGS float64 arguments. */
export const SLOT_BYTES = 256;
export const MAX_ARGS = 24;
export const GO = 0;
export const DONE = 1;
export const FN = 2;
/** FN value that ends the thread's loop. */
export const STOP = -1;
const ARGS_BYTE = 16;

/** Index of word `word` of slot `slot` in an Int32Array over the memory. */
export function word(ctl: number, slot: number, w: number): number {
  return ((ctl + slot * SLOT_BYTES) >> 2) + w;
}

/** Index of the first argument of slot `slot` in a Float64Array over the memory. */
export function argsAt(ctl: number, slot: number): number {
  return (ctl + slot * SLOT_BYTES + ARGS_BYTE) >> 3;
}

/** What a kernel thread is started with. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  ctl: number;
  slot: number;
  /** Kernel export names, indexed by FN. */
  names: string[];
}
