// Shared memory for rows that many threads read: a SharedArrayBuffer where the runtime has one
// that workers can use (Node; pages that are cross-origin isolated), nothing elsewhere.

type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** True where a SharedArrayBuffer can be posted to workers: Node, and pages with crossOriginIsolated. */
export function sharedMemoryUsable(): boolean {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return typeof SharedArrayBuffer !== 'undefined' && isolated !== false;
}

/** True when the array lives in a SharedArrayBuffer. */
export function isShared(array: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}

interface ArrayType<T> {
  new (buffer: ArrayBufferLike): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A zero array of `length` elements of `type`, in shared memory when `shared` and usable. */
export function allocRows<T extends TypedArray>(type: ArrayType<T>, length: number, shared: boolean): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  return new type(shared && sharedMemoryUsable() ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** A copy of `array` in shared memory, or `array` itself where there is none. */
export function sharedCopy<T extends TypedArray>(array: T): T {
  if (!sharedMemoryUsable()) return array;
  const copy = allocRows(array.constructor as ArrayType<T>, array.length, true);
  copy.set(array as never);
  return copy;
}
