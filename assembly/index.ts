// Kernel entry: every export is a pure function over pointers into this module's memory.
export { gemm, gemmPacked, gemmWorkSize } from "./gemm";
export { gemmUnpacked, gemmUnpackedWorkSize } from "./unpacked";
export { biasAct, actBackward, colSum } from "./activation";
export { expArray } from "./exp";
export { softmax, softmaxCrossEntropy } from "./softmax";
export { adam, sgd } from "./optim";
export { csrCount, csrFill, csrMatmul, matmulCsrT, csrTWorkSize } from "./sparse";
export { kmeansAssign, kmeansWorkSize } from "./kmeans";
export { topk, gatherRows, scatterAddRows } from "./routing";
export { firstBadIndex, csrValid } from "./validate";
export { rowDot, gatherRowsScaled } from "./moe";
export { gatherRowsU8, gatherRowsU16 } from "./widen";

/** First byte the host may use: everything below holds static data. */
export function heapBase(): usize {
  return __heap_base;
}
