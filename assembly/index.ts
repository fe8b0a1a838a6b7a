// Kernel entry: every export is a pure function over pointers into this module's memory.
export { gemm, gemmWorkSize } from "./gemm";

/** First byte the host may use: everything below holds static data. */
export function heapBase(): usize {
  return __heap_base;
}
