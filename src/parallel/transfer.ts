// Moving typed arrays between threads without copying.
import { sharedCopy } from '../data/shared.js';

/**
 * The ArrayBuffers inside a result (typed arrays and buffers in plain objects and arrays), so the
 * worker can transfer them back instead of copying. Shared and wasm-memory buffers are left out:
 * shared ones need no transfer and a wasm memory cannot be detached.
 */
export function collectTransferables(value: unknown, found = new Set<ArrayBuffer>(), depth = 0): ArrayBuffer[] {
  if (depth > 8 || value === null || typeof value !== 'object') return [...found];
  if (value instanceof ArrayBuffer) found.add(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength) found.add(value.buffer);
  } else {
    for (const item of Array.isArray(value) ? value : Object.values(value)) collectTransferables(item, found, depth + 1);
  }
  return [...found];
}

/**
 * A copy of `array` in a SharedArrayBuffer, so every worker reads the same memory (a dataset
 * shared by many tasks), or `array` itself where shared memory is unavailable (a browser page
 * that is not cross-origin isolated); there it is copied into each task instead.
 */
export const shareArray = sharedCopy;
