// The two backends under test and a runner that feeds both the same inputs.
import '../../src/entry/node.js';
import type { Backend } from '../../src/index.js';
import { init } from '../../src/index.js';
import { type F32, type I32, ReferenceBackend } from '../../src/backend/index.js';

export type Arr = Float32Array | Int32Array;
/** The buffers made from a tuple of arrays, dtype for dtype. */
export type Bufs<T extends readonly Arr[]> = { [K in keyof T]: T[K] extends Int32Array ? I32 : F32 };

/** The plain SIMD build unless KERNEL_BUILD=relaxed (needs a runtime with relaxed SIMD); one thread unless THREADS=n. */
export const wasm: Backend = await init({ build: process.env.KERNEL_BUILD === 'relaxed' ? 'relaxed' : 'simd', threads: Number(process.env.THREADS ?? 1) });
export const reference = new ReferenceBackend();

/**
 * Upload `arrays` to `b`, call `run` with the buffers, and return what it returned plus
 * the contents of every buffer afterwards (inputs and outputs alike); frees them all.
 */
export function exec<T extends readonly Arr[], R>(b: Backend, arrays: T, run: (bufs: Bufs<T>) => R): { ret: R; out: Arr[] } {
  const bufs = arrays.map((a) => (a instanceof Int32Array ? b.upload(a) : b.upload(a))) as unknown as Bufs<T>;
  try {
    const ret = run(bufs);
    return { ret, out: (bufs as unknown as Array<F32 | I32>).map((buf) => b.read(buf as F32)) };
  } finally {
    for (const buf of bufs as unknown as Array<F32 | I32>) b.free(buf);
  }
}

/** exec on the wasm backend and on the reference. */
export function twin<T extends readonly Arr[], R>(arrays: T, run: (b: Backend, bufs: Bufs<T>) => R): [{ ret: R; out: Arr[] }, { ret: R; out: Arr[] }] {
  return [exec(wasm, arrays, (bufs) => run(wasm, bufs)), exec(reference, arrays, (bufs) => run(reference, bufs))];
}
