// The wasm backend: thin shims that check arguments, map buffers to pointers and call
// the SIMD kernels. All buffers live in the module's one linear memory, carved by Arena.
// On the shared-memory builds, large calls are cut into pieces run by the thread pool.
import { fail } from '../errors.js';
import { Arena } from './arena.js';
import type { Activation, AdamOptions, Backend, Buf, Csr, DType, F32, I32, MemoryStats, SgdOptions, U16, U8 } from './backend.js';
import {
  actBackwardArgs, adamArgs, biasActArgs, colSumArgs, csrContentError, csrMatmulArgs, denseToCsrArgs, dim, fits,
  gatherRowsArgs, gemmArgs, indexError, kmeansAssignArgs, labelError, matmulCsrTArgs, scatterAddRowsArgs, sgdArgs,
  softmaxArgs, softmaxCrossEntropyArgs, topkArgs, unstrided, viewArgs,
} from './check.js';
import { BYTES, dtypeOf, gatherRowsScaledArgs, gatherRowsWidenArgs, rowDotArgs } from './check.js';
import type { KernelExports } from './kernels.js';
import { FN, POOLED, SCRATCH, cuts, gemmPieces, spans } from './split.js';
import { CONTROL_BYTES, MAX_PIECES } from './thread-control.js';
import { type Piece, ThreadPool, threadCap } from './threads.js';

/**
 * Least work per piece worth a hand-over: multiply-adds for gemm and the CSR products,
 * elements otherwise. On the quiet 2-core machine (bench/threshold.ts) a cut product of
 * 2^18 multiply-adds (12 µs) ran 1.34× faster on two threads and one of 2^16 lost; the
 * MLP's 10-class products (2^19) gained 1.6–1.7× there.
 */
const MIN_FLOPS = 1 << 17;
const MIN_ELEMENTS = 1 << 15;
/**
 * Most columns gemmUnpacked runs unpacked: measured (1 thread, k = 784) it wins up to 64
 * columns at 32 … 256 rows (0.82–0.97× the GEMM's time), draws at 128, loses at 512 (1.28×).
 */
const UNPACKED_COLS = 64;
/** Most columns the GEMM runs by its narrow kernel (assembly/narrow.ts: 9 … 12, for m ≥ 5, k ≤ 6,314). */
const NARROW_COLS = 12;
/** Most of B (k × n floats) gemmUnpacked reads again for every 5 rows: what stays in L2 (measured to k × n = 784 × 64). */
const UNPACKED_B_FLOATS = 1 << 16;
/**
 * In a group of calls (concurrently), a call is cut only at this many times the least work per
 * piece: smaller ones run whole beside the others, which costs no hand-over.
 */
const GROUP_CUT = 32;

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
  /** Scratch the GEMM packs into, one per thread; allocated once. */
  private readonly gemmWork: number[] = [];
  /** Bytes and blocks the backend holds for itself from the start (scratch, control block). */
  private readonly ownBytes: number;
  private readonly ownBlocks: number;
  private readonly pool: ThreadPool | null = null;
  /** The kernels with the pooled ones holding their calls for the pool's job, while a group records. */
  private readonly holding: KernelExports | null = null;
  /** Scratch of the CSRᵀ and k-means kernels: grows to the largest need, then is reused. */
  private work = 0;
  private workBytes = 0;
  /** Least work per piece worth a hand-over (bench/threshold.ts varies it to measure where cutting pays). */
  readonly cutAt = { flops: MIN_FLOPS, elements: MIN_ELEMENTS };
  /** CSR matrices already checked (made by denseToCsr, or validated once). */
  private readonly validCsr = new WeakSet<Csr>();

  /** `threads` > 1 needs the module (a shared-memory build) to start the helper threads from. */
  constructor(
    private readonly kernels: KernelExports,
    relaxed: boolean,
    readonly threads = 1,
    module?: WebAssembly.Module,
  ) {
    const k = kernels;
    this.name = relaxed ? 'wasm-relaxed' : 'wasm-simd';
    this.memory = k.memory;
    this.arena = new Arena(k.heapBase(), k.memory);
    if (threads > 1 && module) {
      // First, so the control block sits where the helpers' views of the memory never go short.
      const ctl = this.arena.alloc(CONTROL_BYTES);
      const fns = POOLED.map((name) => k[name] as (...args: number[]) => unknown);
      const scratchArgs = POOLED.map((name) => (SCRATCH[name] === 'shared' ? -2 : SCRATCH[name] ?? -1));
      this.pool = new ThreadPool(threads, { module, memory: k.memory, ctl, names: [...POOLED] }, fns, scratchArgs);
      this.holding = this.holdingKernels(this.pool);
    }
    for (let t = 0; t < (this.pool ? Math.min(threads, MAX_PIECES) : 1); t++) {
      this.gemmWork.push(this.arena.alloc(k.gemmWorkSize() * 4));
      this.pool?.setScratch(t, this.gemmWork[t]);
    }
    this.ownBytes = this.arena.bytesInUse;
    this.ownBlocks = this.arena.liveBlocks;
  }

  /** The kernels; while a group records (concurrently), the pooled ones add their calls to its job. */
  get k(): KernelExports {
    return this.pool?.held ? this.holding! : this.kernels;
  }

  /** Jobs the thread pool has run: calls cut into pieces, groups of calls (0 without a pool). */
  get pooledCalls(): number {
    return this.pool?.jobs ?? 0;
  }

  /**
   * Runs the kernel calls `calls` makes as one job of the pool: each call whole on one thread,
   * or a large one cut into pieces beside the others. Arguments are checked as each call is
   * made; the calls run when `calls` returns (or throws: those made so far run, then it rethrows).
   * Calls that are not kernels of the pool run at once. Without a pool: `calls()`.
   */
  concurrently(calls: () => void): void {
    const pool = this.pool;
    if (!pool || pool.held) return calls(); // a nested group joins the outer one
    if (pool.ready < pool.size) pool.start().catch(() => {});
    if (Math.min(pool.ready, threadCap()) < 2) return calls(); // no thread to share with (yet)
    const held: Piece[] = (pool.held = []);
    let error: unknown, threw = false;
    try {
      calls();
    } catch (err) {
      [error, threw] = [err, true];
    } finally {
      pool.held = null;
    }
    for (let at = 0; at < held.length; at += MAX_PIECES) {
      const job = held.slice(at, at + MAX_PIECES);
      if (job.length > 1) pool.runPieces(job);
      else this.runHere(job[0]);
    }
    if (threw) throw error;
  }

  /** Starts the helper threads now instead of on the first large call. */
  startThreads(): Promise<void> {
    return this.pool?.start() ?? Promise.resolve();
  }

  // ---- memory ----

  alloc(length: number, dtype?: 'f32'): F32;
  alloc(length: number, dtype: 'i32'): I32;
  alloc(length: number, dtype: 'u8'): U8;
  alloc(length: number, dtype: 'u16'): U16;
  alloc(length: number, dtype: DType = 'f32'): Buf {
    dim('length', length);
    const bytes = length * BYTES[dtype];
    const ptr = this.arena.alloc(bytes);
    new Uint8Array(this.memory.buffer, ptr, bytes).fill(0);
    return new WasmBuf(dtype, length, ptr, this);
  }

  upload(data: Float32Array): F32;
  upload(data: Int32Array): I32;
  upload(data: Uint8Array): U8;
  upload(data: Uint16Array): U16;
  upload(data: Float32Array | Int32Array | Uint8Array | Uint16Array): Buf {
    const buf = this.alloc(data.length, dtypeOf(data) as 'u8');
    this.write(buf, data);
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
    return new WasmBuf(b.dtype as D, length, b.ptr + offset * BYTES[b.dtype], this, b.root ?? b, stride ?? b.stride);
  }

  write(buf: Buf, data: ArrayLike<number>, offset = 0): void {
    dim('offset', offset);
    fits('buf', buf, offset + data.length, buf.dtype);
    this.view(buf as F32).set(data, offset);
  }

  read(buf: F32): Float32Array;
  read(buf: I32): Int32Array;
  read(buf: U8): Uint8Array;
  read(buf: U16): Uint16Array;
  read(buf: Buf): Float32Array | Int32Array | Uint8Array | Uint16Array {
    return this.view(buf as F32).slice();
  }

  view(buf: F32): Float32Array;
  view(buf: I32): Int32Array;
  view(buf: U8): Uint8Array;
  view(buf: U16): Uint16Array;
  view(buf: Buf): Float32Array | Int32Array | Uint8Array | Uint16Array {
    const b = this.own(buf);
    unstrided('buf', b);
    if (b.dtype === 'f32') return this.heapF32().subarray(b.ptr >> 2, (b.ptr >> 2) + b.length);
    if (b.dtype === 'i32') return this.heapI32().subarray(b.ptr >> 2, (b.ptr >> 2) + b.length);
    // Stored features are rarely viewed: a fresh view, not a cached one.
    return b.dtype === 'u8' ? new Uint8Array(this.memory.buffer, b.ptr, b.length) : new Uint16Array(this.memory.buffer, b.ptr, b.length);
  }

  copy(src: Buf, dst: Buf, n = src.length, srcOffset = 0, dstOffset = 0): void {
    dim('n', n);
    fits('src', src, srcOffset + n, src.dtype);
    fits('dst', dst, dstOffset + n, src.dtype);
    const s = this.own(src), d = this.own(dst), size = BYTES[src.dtype];
    const from = s.ptr + srcOffset * size;
    new Uint8Array(this.memory.buffer).copyWithin(d.ptr + dstOffset * size, from, from + n * size);
  }

  fill(buf: F32, value: number): void {
    this.view(buf).fill(value);
  }

  stats(): MemoryStats {
    // The GEMM scratch and control block are the backend's own, not a caller's buffers.
    // highWater may include the kernel scratch when it grew at a peak.
    const scratch = this.workBytes > 0 ? 1 : 0;
    return {
      bytesInUse: this.arena.bytesInUse - this.ownBytes - this.workBytes,
      highWater: this.arena.highWater - this.ownBytes,
      buffers: this.arena.liveBlocks - this.ownBlocks - scratch,
    };
  }

  // ---- dense ----

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    const s = gemmArgs(transA, transB, m, n, k, a, b, c);
    const pa = this.ptr(a), pb = this.ptr(b), pc = this.ptr(c);
    const t = this.share(m * n * k, this.cutAt.flops);
    if (t > 1) {
      const pieces = gemmPieces(t, +transA, +transB, m, n, k, pa, s.lda, pb, s.ldb, pc, s.ldc, +accumulate, this.gemmWork);
      if (pieces.length > 1) return this.pool!.run(FN.gemm, pieces);
    }
    this.k.gemm(+transA, +transB, m, n, k, pa, s.lda, pb, s.ldb, pc, s.ldc, +accumulate, this.gemmWork[0]);
  }

  gemmUnpacked(m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    // The GEMM, which sums in the same order, for wide or deep products, ones worth cutting across
    // threads, fewer than 5 rows (its row-by-row path there, whose scalar tail the relaxed
    // build does not fuse), and 9 … NARROW_COLS columns (its narrow kernel: 1.45× faster on 128 × 512 → 10).
    if ((n > 8 && n <= NARROW_COLS) || n > UNPACKED_COLS || k * n > UNPACKED_B_FLOATS || m < 5 || this.share(m * n * k, this.cutAt.flops) > 1) return this.gemm(false, false, m, n, k, a, b, c, accumulate);
    const s = gemmArgs(false, false, m, n, k, a, b, c);
    const work = this.scratch(this.k.gemmUnpackedWorkSize(k, n));
    this.k.gemmUnpacked(m, n, k, this.ptr(a), s.lda, this.ptr(b), s.ldb, this.ptr(c), s.ldc, +accumulate, work);
  }

  biasAct(x: F32, bias: F32 | null, rows: number, cols: number, act: Activation, out: F32): void {
    const s = biasActArgs(x, bias, rows, cols, act, out);
    const px = this.ptr(x), pb = bias ? this.ptr(bias) : 0, po = this.ptr(out);
    if (this.byRows(FN.biasAct, rows, cols, (r0, r1) => [px + r0 * s.ldx * 4, s.ldx, pb, r1 - r0, cols, s.act, po + r0 * s.ldo * 4, s.ldo])) return;
    this.k.biasAct(px, s.ldx, pb, rows, cols, s.act, po, s.ldo);
  }

  actBackward(dy: F32, y: F32, n: number, act: Activation, dx: F32, cols?: number): void {
    const s = actBackwardArgs(dy, y, n, act, dx, cols);
    const pdy = this.ptr(dy), py = this.ptr(y), pdx = this.ptr(dx);
    const cut = s.rows > 1
      ? this.byRows(FN.actBackward, s.rows, s.cols, (r0, r1) => [pdy + r0 * s.lddy * 4, s.lddy, py + r0 * s.ldy * 4, s.ldy, r1 - r0, s.cols, s.act, pdx + r0 * s.lddx * 4, s.lddx])
      : this.byElements(FN.actBackward, s.cols, (i, len) => [pdy + i * 4, s.lddy, py + i * 4, s.ldy, 1, len, s.act, pdx + i * 4, s.lddx]);
    if (!cut) this.k.actBackward(pdy, s.lddy, py, s.ldy, s.rows, s.cols, s.act, pdx, s.lddx);
  }

  colSum(x: F32, rows: number, cols: number, out: F32, accumulate = false): void {
    const ldx = colSumArgs(x, rows, cols, out);
    const px = this.ptr(x), po = this.ptr(out);
    // By columns: each thread sums whole columns, in the same row order.
    if (this.byColumns(FN.colSum, rows, cols, (c0, c1) => [px + c0 * 4, ldx, rows, c1 - c0, po + c0 * 4, +accumulate])) return;
    this.k.colSum(px, ldx, rows, cols, po, +accumulate);
  }

  softmax(x: F32, rows: number, cols: number, out: F32): void {
    const s = softmaxArgs(x, rows, cols, out);
    const px = this.ptr(x), po = this.ptr(out);
    if (this.byRows(FN.softmax, rows, cols, (r0, r1) => [px + r0 * s.ldx * 4, s.ldx, r1 - r0, cols, po + r0 * s.ldo * 4, s.ldo])) return;
    this.k.softmax(px, s.ldx, rows, cols, po, s.ldo);
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
    const pp = this.ptr(param), pg = this.ptr(grad), pm = this.ptr(m), pv = this.ptr(v), pk = mask ? this.ptr(mask) : 0;
    const rest = [s.lrT, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.eps, s.decay, s.shrink];
    if (this.byElements(FN.adam, n, (i, len) => [pp + i * 4, pg + i * 4, pm + i * 4, pv + i * 4, pk && pk + i * 4, len, ...rest])) return;
    this.k.adam(pp, pg, pm, pv, pk, n, s.lrT, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.eps, s.decay, s.shrink);
  }

  sgd(param: F32, grad: F32, velocity: F32 | null, n: number, opts: SgdOptions, mask: F32 | null = null): void {
    const s = sgdArgs(param, grad, velocity, n, opts, mask);
    const pp = this.ptr(param), pg = this.ptr(grad), pv = velocity ? this.ptr(velocity) : 0, pk = mask ? this.ptr(mask) : 0;
    if (this.byElements(FN.sgd, n, (i, len) => [pp + i * 4, pg + i * 4, pv && pv + i * 4, pk && pk + i * 4, len, s.lr, s.momentum, s.l2, s.shrink])) return;
    this.k.sgd(pp, pg, pv, pk, n, s.lr, s.momentum, s.l2, s.shrink);
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
    const rp = this.ptr(a.rowPtr), ci = this.ptr(a.colIdx), va = this.ptr(a.values), pb = this.ptr(b), pc = this.ptr(c);
    const t = a.rows > 1 ? this.share(a.nnz * n, this.cutAt.flops) : 1;
    if (t > 1) return this.pool!.run(FN.csrMatmul, spans(cuts(a.rows, t, 4), (r0, r1) => [rp + r0 * 4, ci, va, r1 - r0, pb, s.ldb, n, pc + r0 * s.ldc * 4, s.ldc, +accumulate]));
    this.k.csrMatmul(rp, ci, va, a.rows, pb, s.ldb, n, pc, s.ldc, +accumulate);
  }

  matmulCsrT(x: F32, m: number, w: Csr, c: F32, accumulate = false): void {
    const s = matmulCsrTArgs(x, m, w, c);
    this.csrContent('w', w);
    const px = this.ptr(x), rp = this.ptr(w.rowPtr), ci = this.ptr(w.colIdx), va = this.ptr(w.values), pc = this.ptr(c);
    // One scratch per thread, 64-byte aligned; blocks of 16 rows keep the kernel's fast path.
    const t = m >= 32 ? this.share(m * w.nnz, this.cutAt.flops) : 1;
    const each = Math.ceil(this.k.csrTWorkSize(w.cols) / 16) * 16;
    const work = this.scratch(each * t);
    if (t > 1) return this.pool!.run(FN.matmulCsrT, spans(cuts(m, t, 16), (r0, r1, p) => [px + r0 * s.ldx * 4, s.ldx, r1 - r0, w.cols, rp, ci, va, w.rows, pc + r0 * s.ldc * 4, s.ldc, +accumulate, work + p * each * 4]));
    this.k.matmulCsrT(px, s.ldx, m, w.cols, rp, ci, va, w.rows, pc, s.ldc, +accumulate, work);
  }

  // ---- clustering and routing ----

  kmeansAssign(x: F32, rows: number, dims: number, centroids: F32, k: number, assign: I32, dist: F32): void {
    const s = kmeansAssignArgs(x, rows, dims, centroids, k, assign, dist);
    // Blocks of up to 256 rows keep the GEMM efficient and the scratch small.
    const block = Math.max(1, Math.min(rows, 256));
    const work = this.scratch(this.k.kmeansWorkSize(k, block));
    this.k.kmeansAssign(this.ptr(x), s.ldx, rows, dims, this.ptr(centroids), s.ldc, k, this.ptr(assign), this.ptr(dist), work, block, this.gemmWork[0]);
  }

  topk(x: F32, rows: number, cols: number, k: number, values: F32, indices: I32): void {
    const s = topkArgs(x, rows, cols, k, values, indices);
    const px = this.ptr(x), pv = this.ptr(values), pi = this.ptr(indices);
    if (this.byRows(FN.topk, rows, cols * Math.max(1, k), (r0, r1) => [px + r0 * s.ldx * 4, s.ldx, r1 - r0, cols, k, pv + r0 * s.ldv * 4, s.ldv, pi + r0 * s.ldi * 4, s.ldi])) return;
    this.k.topk(px, s.ldx, rows, cols, k, pv, s.ldv, pi, s.ldi);
  }

  gatherRows(src: F32, cols: number, idx: I32, count: number, dst: F32): void {
    const s = gatherRowsArgs(src, cols, idx, count, dst);
    this.rowIndices(idx, count, s.limit);
    const ps = this.ptr(src), pi = this.ptr(idx), pd = this.ptr(dst);
    if (this.byRows(FN.gatherRows, count, cols, (r0, r1) => [ps, s.lds, cols, pi + r0 * 4, r1 - r0, pd + r0 * s.ldd * 4, s.ldd])) return;
    this.k.gatherRows(ps, s.lds, cols, pi, count, pd, s.ldd);
  }

  gatherRowsWiden(src: U8 | U16, cols: number, idx: I32, count: number, dst: F32, scale = 1, offset = 0): void {
    const s = gatherRowsWidenArgs(src, cols, idx, count, dst, scale, offset);
    this.rowIndices(idx, count, s.limit);
    const u8 = src.dtype === 'u8', ps = this.ptr(src), pi = this.ptr(idx), pd = this.ptr(dst);
    if (this.byRows(u8 ? FN.gatherRowsU8 : FN.gatherRowsU16, count, cols, (r0, r1) => [ps, s.lds, cols, pi + r0 * 4, r1 - r0, scale, offset, pd + r0 * s.ldd * 4, s.ldd])) return;
    (u8 ? this.k.gatherRowsU8 : this.k.gatherRowsU16)(ps, s.lds, cols, pi, count, scale, offset, pd, s.ldd);
  }

  scatterAddRows(src: F32, cols: number, idx: I32, count: number, dst: F32, w: F32 | null = null): void {
    const s = scatterAddRowsArgs(src, cols, idx, count, dst, w);
    this.rowIndices(idx, count, s.limit);
    const ps = this.ptr(src), pi = this.ptr(idx), pd = this.ptr(dst), pw = w ? this.ptr(w) : 0;
    // By columns: rows of src may add into one row of dst, always in the order i = 0, 1, ….
    if (this.byColumns(FN.scatterAddRows, count, cols, (c0, c1) => [ps + c0 * 4, s.lds, c1 - c0, pi, count, pd + c0 * 4, s.ldd, pw])) return;
    this.k.scatterAddRows(ps, s.lds, cols, pi, count, pd, s.ldd, pw);
  }

  // ---- mixture of experts ----

  rowDot(a: F32, cols: number, idx: I32 | null, count: number, b: F32, out: F32): void {
    const s = rowDotArgs(a, cols, idx, count, b, out);
    if (idx) this.rowIndices(idx, count, s.limit);
    const pa = this.ptr(a), pi = idx ? this.ptr(idx) : 0, pb = this.ptr(b), po = this.ptr(out);
    // Without idx, row i of a pairs with row i of b: a piece starts both at its first row.
    if (this.byRows(FN.rowDot, count, cols, (r0, r1) => [pi ? pa : pa + r0 * s.lda * 4, s.lda, cols, pi && pi + r0 * 4, r1 - r0, pb + r0 * s.ldb * 4, s.ldb, po + r0 * 4])) return;
    this.k.rowDot(pa, s.lda, cols, pi, count, pb, s.ldb, po);
  }

  gatherRowsScaled(src: F32, cols: number, idx: I32, count: number, w: F32, dst: F32): void {
    const s = gatherRowsScaledArgs(src, cols, idx, count, w, dst);
    this.rowIndices(idx, count, s.limit);
    const ps = this.ptr(src), pi = this.ptr(idx), pw = this.ptr(w), pd = this.ptr(dst);
    if (this.byRows(FN.gatherRowsScaled, count, cols, (r0, r1) => [ps, s.lds, cols, pi + r0 * 4, r1 - r0, pw + r0 * 4, pd + r0 * s.ldd * 4, s.ldd])) return;
    this.k.gatherRowsScaled(ps, s.lds, cols, pi, count, pw, pd, s.ldd);
  }

  // ---- helpers ----

  /** Threads worth using for `work` units at `min` per thread: 1 without a pool; starts the pool's threads on first need. */
  private share(work: number, min: number): number {
    const pool = this.pool;
    if (pool?.held) min *= GROUP_CUT;
    if (!pool || work < 2 * min) return 1;
    const cap = Math.min(pool.size, threadCap()); // fewer while other workers of a pool are busy
    if (cap < 2) return 1;
    if (pool.ready < pool.size) pool.start().catch(() => {}); // until they serve, the caller runs alone
    return Math.min(pool.ready, cap, Math.floor(work / min));
  }

  /** Runs one piece on this thread, with this thread's scratch. */
  private runHere({ fn, args, scratchArg = -1 }: Piece): void {
    if (scratchArg >= 0) args[scratchArg] = this.gemmWork[0];
    (this.kernels[POOLED[fn]] as (...a: number[]) => unknown)(...args);
  }

  /**
   * The kernels with every pooled one adding its call to the pool's held job (whole, its scratch
   * the running thread's); a gemmUnpacked needing more scratch than that runs at once.
   */
  private holdingKernels(pool: ThreadPool): KernelExports {
    const k = this.kernels, holding: Record<string, unknown> = { ...k }, most = k.gemmWorkSize();
    POOLED.forEach((name, fn) => {
      const scratchArg = SCRATCH[name];
      holding[name] = (...args: number[]): unknown => {
        const fits = name !== 'gemmUnpacked' || k.gemmUnpackedWorkSize(args[2], args[1]) <= most;
        if (scratchArg === 'shared' || !fits) return (k[name] as (...a: number[]) => unknown)(...args);
        pool.held!.push({ fn, args, scratchArg });
      };
    });
    return holding as unknown as KernelExports;
  }

  /** Runs a row kernel cut into whole-row pieces when large enough; false if it should run uncut. */
  private byRows(fn: number, rows: number, cols: number, piece: (r0: number, r1: number) => number[]): boolean {
    const t = rows > 1 ? this.share(rows * cols, this.cutAt.elements) : 1;
    if (t > 1) this.pool!.run(fn, spans(cuts(rows, t, 1), piece));
    return t > 1;
  }

  /** Runs a kernel cut into column spans at multiples of 16 (every row, each span) when large enough; false if it should run uncut. */
  private byColumns(fn: number, rows: number, cols: number, piece: (c0: number, c1: number) => number[]): boolean {
    const t = cols >= 32 ? this.share(rows * cols, this.cutAt.elements) : 1;
    if (t > 1) this.pool!.run(fn, spans(cuts(cols, t, 16), piece));
    return t > 1;
  }

  /** Runs an element-wise kernel cut at multiples of 16 elements when large enough. */
  private byElements(fn: number, n: number, piece: (at: number, len: number) => number[]): boolean {
    const t = this.share(n, this.cutAt.elements);
    if (t > 1) this.pool!.run(fn, spans(cuts(n, t, 16), (i0, i1) => piece(i0, i1 - i0)));
    return t > 1;
  }

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
  // A grown shared memory keeps its old views valid but short: compare lengths, not buffers.
  private heapF32(): Float32Array {
    if (this.f32.byteLength !== this.memory.buffer.byteLength) this.f32 = new Float32Array(this.memory.buffer);
    return this.f32;
  }

  private heapI32(): Int32Array {
    if (this.i32.byteLength !== this.memory.buffer.byteLength) this.i32 = new Int32Array(this.memory.buffer);
    return this.i32;
  }
}
