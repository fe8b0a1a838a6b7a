// The wasm backend: thin shims that check arguments, map buffers to pointers and call
// the SIMD kernels. All buffers live in the module's one linear memory, carved by Arena.
import { fail } from '../errors.js';
import { Arena } from './arena.js';
import type { Activation, AdamOptions, Backend, Buf, Csr, DType, F32, I32, MemoryStats, SgdOptions } from './backend.js';
import {
  actBackwardArgs, adamArgs, biasActArgs, colSumArgs, csrContentError, csrMatmulArgs, denseToCsrArgs, dim, fits,
  gatherRowsArgs, gemmArgs, indexError, kmeansAssignArgs, labelError, matmulCsrTArgs, scatterAddRowsArgs, sgdArgs,
  softmaxArgs, softmaxCrossEntropyArgs, topkArgs, unstrided, viewArgs,
} from './check.js';
import type { KernelExports } from './kernels.js';

class WasmBuf<D extends DType = DType> implements Buf<D> {
  freed = false;
  constructor(
    readonly dtype: D,
    readonly length: number,
    readonly ptr: number,
    readonly owner: WasmBackend,
    /** The allocated buffer a view aliases; null for that buffer itself. */
    readonly root: WasmBuf | null = null,
    readonly stride?: number,
  ) {}
}

export class WasmBackend implements Backend {
  readonly name: 'wasm-simd' | 'wasm-relaxed';
  private readonly arena: Arena;
  private readonly memory: WebAssembly.Memory;
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  /** Scratch the GEMM packs into; allocated once. */
  private readonly gemmWork: number;
  /** Scratch of the CSRᵀ and k-means kernels: grows to the largest need, then is reused. */
  private work = 0;
  private workBytes = 0;
  /** CSR matrices already checked (made by denseToCsr, or validated once). */
  private readonly validCsr = new WeakSet<Csr>();

  constructor(
    readonly k: KernelExports,
    relaxed: boolean,
  ) {
    this.name = relaxed ? 'wasm-relaxed' : 'wasm-simd';
    this.memory = k.memory;
    this.arena = new Arena(k.heapBase(), k.memory);
    this.gemmWork = this.arena.alloc(k.gemmWorkSize() * 4);
  }

  // ---- memory ----

  alloc(length: number, dtype?: 'f32'): F32;
  alloc(length: number, dtype: 'i32'): I32;
  alloc(length: number, dtype: DType = 'f32'): Buf {
    dim('length', length);
    const ptr = this.arena.alloc(length * 4);
    new Uint8Array(this.memory.buffer, ptr, length * 4).fill(0);
    return new WasmBuf(dtype, length, ptr, this);
  }

  upload(data: Float32Array): F32;
  upload(data: Int32Array): I32;
  upload(data: Float32Array | Int32Array): Buf {
    const buf = data instanceof Int32Array ? this.alloc(data.length, 'i32') : this.alloc(data.length);
    this.write(buf as F32, data);
    return buf;
  }

  free(buf: Buf): void {
    const b = this.own(buf);
    if (b.root) fail('ERR_BAD_ARGUMENT', 'free() of a view: a view owns no memory, free the buffer it views');
    b.freed = true;
    this.arena.release(b.ptr);
  }

  subBuffer<D extends DType>(buf: Buf<D>, offset: number, length: number, stride?: number): Buf<D> {
    const b = this.own(buf);
    viewArgs(b, offset, length, stride);
    return new WasmBuf(b.dtype as D, length, b.ptr + offset * 4, this, b.root ?? b, stride ?? b.stride);
  }

  write(buf: Buf, data: ArrayLike<number>, offset = 0): void {
    dim('offset', offset);
    fits('buf', buf, offset + data.length, buf.dtype);
    (this.view(buf as F32) as Float32Array | Int32Array).set(data, offset);
  }

  read(buf: F32): Float32Array;
  read(buf: I32): Int32Array;
  read(buf: Buf): Float32Array | Int32Array {
    return this.view(buf as F32).slice();
  }

  view(buf: F32): Float32Array;
  view(buf: I32): Int32Array;
  view(buf: Buf): Float32Array | Int32Array {
    const b = this.own(buf);
    unstrided('buf', b);
    return b.dtype === 'f32' ? this.heapF32().subarray(b.ptr >> 2, (b.ptr >> 2) + b.length) : this.heapI32().subarray(b.ptr >> 2, (b.ptr >> 2) + b.length);
  }

  copy(src: Buf, dst: Buf, n = src.length, srcOffset = 0, dstOffset = 0): void {
    dim('n', n);
    fits('src', src, srcOffset + n, src.dtype);
    fits('dst', dst, dstOffset + n, src.dtype);
    const s = this.own(src), d = this.own(dst);
    this.heapF32().copyWithin((d.ptr >> 2) + dstOffset, (s.ptr >> 2) + srcOffset, (s.ptr >> 2) + srcOffset + n);
  }

  fill(buf: F32, value: number): void {
    this.view(buf).fill(value);
  }

  stats(): MemoryStats {
    // The GEMM scratch is the backend's own, not a caller's buffer.
    // highWater may include the kernel scratch when it grew at a peak.
    const own = this.k.gemmWorkSize() * 4;
    const scratch = this.workBytes > 0 ? 1 : 0;
    return {
      bytesInUse: this.arena.bytesInUse - own - this.workBytes,
      highWater: this.arena.highWater - own,
      buffers: this.arena.liveBlocks - 1 - scratch,
    };
  }

  // ---- dense ----

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    const s = gemmArgs(transA, transB, m, n, k, a, b, c);
    this.k.gemm(+transA, +transB, m, n, k, this.ptr(a), s.lda, this.ptr(b), s.ldb, this.ptr(c), s.ldc, +accumulate, this.gemmWork);
  }

  biasAct(x: F32, bias: F32 | null, rows: number, cols: number, act: Activation, out: F32): void {
    const s = biasActArgs(x, bias, rows, cols, act, out);
    this.k.biasAct(this.ptr(x), s.ldx, bias ? this.ptr(bias) : 0, rows, cols, s.act, this.ptr(out), s.ldo);
  }

  actBackward(dy: F32, y: F32, n: number, act: Activation, dx: F32, cols?: number): void {
    const s = actBackwardArgs(dy, y, n, act, dx, cols);
    this.k.actBackward(this.ptr(dy), s.lddy, this.ptr(y), s.ldy, s.rows, s.cols, s.act, this.ptr(dx), s.lddx);
  }

  colSum(x: F32, rows: number, cols: number, out: F32, accumulate = false): void {
    const ldx = colSumArgs(x, rows, cols, out);
    this.k.colSum(this.ptr(x), ldx, rows, cols, this.ptr(out), +accumulate);
  }

  softmax(x: F32, rows: number, cols: number, out: F32): void {
    const s = softmaxArgs(x, rows, cols, out);
    this.k.softmax(this.ptr(x), s.ldx, rows, cols, this.ptr(out), s.ldo);
  }

  softmaxCrossEntropy(logits: F32, labels: I32, rows: number, cols: number, probs: F32, grad: F32 | null, gradScale?: number): number {
    const s = softmaxCrossEntropyArgs(logits, labels, rows, cols, probs, grad, gradScale);
    const lp = this.ptr(labels);
    const bad = this.k.firstBadIndex(lp, rows, cols);
    if (bad >= 0) labelError(bad, this.view(labels)[bad], cols);
    return this.k.softmaxCrossEntropy(this.ptr(logits), s.ldl, lp, rows, cols, this.ptr(probs), s.ldp, grad ? this.ptr(grad) : 0, s.ldg, s.scale);
  }

  // ---- optimisers ----

  adam(param: F32, grad: F32, m: F32, v: F32, n: number, opts: AdamOptions, mask: F32 | null = null): void {
    const s = adamArgs(param, grad, m, v, n, opts, mask);
    this.k.adam(this.ptr(param), this.ptr(grad), this.ptr(m), this.ptr(v), mask ? this.ptr(mask) : 0, n, s.lrT, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.eps, s.decay, s.shrink);
  }

  sgd(param: F32, grad: F32, velocity: F32 | null, n: number, opts: SgdOptions, mask: F32 | null = null): void {
    const s = sgdArgs(param, grad, velocity, n, opts, mask);
    this.k.sgd(this.ptr(param), this.ptr(grad), velocity ? this.ptr(velocity) : 0, mask ? this.ptr(mask) : 0, n, s.lr, s.momentum, s.l2, s.shrink);
  }

  // ---- sparse ----

  denseToCsr(dense: F32, rows: number, cols: number, threshold: number): Csr {
    denseToCsrArgs(dense, rows, cols, threshold);
    this.ptr(dense); // a freed input must fail before anything is allocated
    const rowPtr = this.alloc(rows + 1, 'i32');
    const nnz = this.k.csrCount(this.ptr(dense), rows, cols, threshold, this.ptr(rowPtr));
    const colIdx = this.alloc(nnz, 'i32'), values = this.alloc(nnz);
    this.k.csrFill(this.ptr(dense), rows, cols, threshold, this.ptr(colIdx), this.ptr(values));
    const csr: Csr = { rows, cols, nnz, rowPtr, colIdx, values };
    this.validCsr.add(csr);
    return csr;
  }

  freeCsr(csr: Csr): void {
    for (const b of [csr.rowPtr, csr.colIdx, csr.values]) this.own(b);
    this.free(csr.rowPtr); this.free(csr.colIdx); this.free(csr.values);
    this.validCsr.delete(csr);
  }

  csrMatmul(a: Csr, b: F32, n: number, c: F32, accumulate = false): void {
    const s = csrMatmulArgs(a, b, n, c);
    this.csrContent('a', a);
    this.k.csrMatmul(this.ptr(a.rowPtr), this.ptr(a.colIdx), this.ptr(a.values), a.rows, this.ptr(b), s.ldb, n, this.ptr(c), s.ldc, +accumulate);
  }

  matmulCsrT(x: F32, m: number, w: Csr, c: F32, accumulate = false): void {
    const s = matmulCsrTArgs(x, m, w, c);
    this.csrContent('w', w);
    const work = this.scratch(this.k.csrTWorkSize(w.cols));
    this.k.matmulCsrT(this.ptr(x), s.ldx, m, w.cols, this.ptr(w.rowPtr), this.ptr(w.colIdx), this.ptr(w.values), w.rows, this.ptr(c), s.ldc, +accumulate, work);
  }

  // ---- clustering and routing ----

  kmeansAssign(x: F32, rows: number, dims: number, centroids: F32, k: number, assign: I32, dist: F32): void {
    const s = kmeansAssignArgs(x, rows, dims, centroids, k, assign, dist);
    // Blocks of up to 256 rows keep the GEMM efficient and the scratch small.
    const block = Math.max(1, Math.min(rows, 256));
    const work = this.scratch(this.k.kmeansWorkSize(k, block));
    this.k.kmeansAssign(this.ptr(x), s.ldx, rows, dims, this.ptr(centroids), s.ldc, k, this.ptr(assign), this.ptr(dist), work, block, this.gemmWork);
  }

  topk(x: F32, rows: number, cols: number, k: number, values: F32, indices: I32): void {
    const s = topkArgs(x, rows, cols, k, values, indices);
    this.k.topk(this.ptr(x), s.ldx, rows, cols, k, this.ptr(values), s.ldv, this.ptr(indices), s.ldi);
  }

  gatherRows(src: F32, cols: number, idx: I32, count: number, dst: F32): void {
    const s = gatherRowsArgs(src, cols, idx, count, dst);
    this.rowIndices(idx, count, s.limit);
    this.k.gatherRows(this.ptr(src), s.lds, cols, this.ptr(idx), count, this.ptr(dst), s.ldd);
  }

  scatterAddRows(src: F32, cols: number, idx: I32, count: number, dst: F32, w: F32 | null = null): void {
    const s = scatterAddRowsArgs(src, cols, idx, count, dst, w);
    this.rowIndices(idx, count, s.limit);
    this.k.scatterAddRows(this.ptr(src), s.lds, cols, this.ptr(idx), count, this.ptr(dst), s.ldd, w ? this.ptr(w) : 0);
  }

  // ---- helpers ----

  private rowIndices(idx: I32, count: number, limit: number): void {
    const bad = this.k.firstBadIndex(this.ptr(idx), count, limit);
    if (bad >= 0) indexError('idx', bad, this.view(idx)[bad], limit);
  }

  /** Checks a CSR's contents once; denseToCsr's own output is trusted. */
  private csrContent(name: string, a: Csr): void {
    if (this.validCsr.has(a)) return;
    if (!this.k.csrValid(this.ptr(a.rowPtr), this.ptr(a.colIdx), a.rows, a.cols, a.nnz)) csrContentError(name);
    this.ptr(a.values); // live too, or the product would read freed memory
    this.validCsr.add(a);
  }

  /** Pointer to at least `floats` floats of backend-owned scratch. */
  private scratch(floats: number): number {
    const bytes = floats * 4;
    if (bytes > this.workBytes) {
      if (this.workBytes > 0) this.arena.release(this.work);
      this.work = this.arena.alloc(bytes);
      this.workBytes = bytes;
    }
    return this.work;
  }


  /** Pointer of a live buffer of this backend. */
  protected ptr(buf: Buf): number {
    return this.own(buf).ptr;
  }

  private own(buf: Buf): WasmBuf {
    if (!(buf instanceof WasmBuf) || buf.owner !== this) fail('ERR_BUFFER_FREED', 'buffer does not belong to this backend');
    if (buf.freed) fail('ERR_BUFFER_FREED', 'buffer used after free()');
    if (buf.root?.freed) fail('ERR_BUFFER_FREED', 'view used after its buffer was freed');
    return buf;
  }

  /** Views over the whole memory, re-created after growth detaches the old ones. */
  private heapF32(): Float32Array {
    if (this.f32.buffer !== this.memory.buffer) this.f32 = new Float32Array(this.memory.buffer);
    return this.f32;
  }

  private heapI32(): Int32Array {
    if (this.i32.buffer !== this.memory.buffer) this.i32 = new Int32Array(this.memory.buffer);
    return this.i32;
  }
}
