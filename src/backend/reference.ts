// The plain-TypeScript twin of the wasm backend: straightforward loops in float64
// accumulators, the reference every kernel is tested against, and a fallback where
// wasm cannot run.
import { fail } from '../errors.js';
import type { Activation, AdamOptions, Backend, Buf, Csr, DType, F32, I32, MemoryStats, SgdOptions, U16, U8 } from './backend.js';
import {
  actBackwardArgs, adamArgs, biasActArgs, colSumArgs, csrContentError, csrMatmulArgs, denseToCsrArgs, dim, fits,
  gatherRowsArgs, gemmArgs, indexError, kmeansAssignArgs, labelError, matmulCsrTArgs, scatterAddRowsArgs, sgdArgs,
  softmaxArgs, softmaxCrossEntropyArgs, topkArgs, unstrided, viewArgs,
} from './check.js';
import { BYTES, dtypeOf, gatherRowsScaledArgs, gatherRowsWidenArgs, rowDotArgs } from './check.js';

/** −log of the smallest normal f32: the loss of a probability that underflowed. */
const MAX_LOSS = -Math.log(2 ** -126);
/** Adam's moments below this flush to 0, as the kernel's flushTiny (its f32 threshold). */
const TINY = Math.fround(1e-30);

/** sign(w)·max(|w| − s, 0). */
function shrink(w: number, s: number): number {
  return Math.sign(w) * Math.max(Math.abs(w) - s, 0);
}

type Elements = Float32Array | Int32Array | Uint8Array | Uint16Array;
const ARRAYS: Record<DType, new (n: number) => Elements> = { f32: Float32Array, i32: Int32Array, u8: Uint8Array, u16: Uint16Array };

class RefBuf<D extends DType = DType> implements Buf<D> {
  freed = false;
  constructor(
    readonly dtype: D,
    readonly data: Elements,
    readonly owner: ReferenceBackend,
    /** The allocated buffer a view aliases; null for that buffer itself. */
    readonly root: RefBuf | null = null,
    readonly stride?: number,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;
  private live = 0;
  private bytes = 0;
  private high = 0;

  // ---- memory ----

  alloc(length: number, dtype?: 'f32'): F32;
  alloc(length: number, dtype: 'i32'): I32;
  alloc(length: number, dtype: 'u8'): U8;
  alloc(length: number, dtype: 'u16'): U16;
  alloc(length: number, dtype: DType = 'f32'): Buf {
    dim('length', length);
    this.live++;
    this.bytes += length * BYTES[dtype];
    this.high = Math.max(this.high, this.bytes);
    return new RefBuf(dtype, new ARRAYS[dtype](length), this);
  }

  upload(data: Float32Array): F32;
  upload(data: Int32Array): I32;
  upload(data: Uint8Array): U8;
  upload(data: Uint16Array): U16;
  upload(data: Elements): Buf {
    const buf = this.alloc(data.length, dtypeOf(data) as 'u8');
    this.data(buf).set(data);
    return buf;
  }

  free(buf: Buf): void {
    const b = this.own(buf);
    if (b.root) fail('ERR_BAD_ARGUMENT', 'free() of a view: a view owns no memory, free the buffer it views');
    b.freed = true;
    this.live--;
    this.bytes -= b.length * BYTES[b.dtype];
  }

  subBuffer<D extends DType>(buf: Buf<D>, offset: number, length: number, stride?: number): Buf<D> {
    const b = this.own(buf);
    viewArgs(b, offset, length, stride);
    const data = b.data.subarray(offset, offset + length);
    return new RefBuf(b.dtype as D, data, this, b.root ?? b, stride ?? b.stride);
  }

  write(buf: Buf, data: ArrayLike<number>, offset = 0): void {
    dim('offset', offset);
    fits('buf', buf, offset + data.length, buf.dtype);
    this.data(buf).set(data, offset);
  }

  read(buf: F32): Float32Array;
  read(buf: I32): Int32Array;
  read(buf: U8): Uint8Array;
  read(buf: U16): Uint16Array;
  read(buf: Buf): Elements {
    return this.view(buf as F32).slice();
  }

  view(buf: F32): Float32Array;
  view(buf: I32): Int32Array;
  view(buf: U8): Uint8Array;
  view(buf: U16): Uint16Array;
  view(buf: Buf): Elements {
    unstrided('buf', buf);
    return this.data(buf);
  }

  copy(src: Buf, dst: Buf, n = src.length, srcOffset = 0, dstOffset = 0): void {
    dim('n', n);
    fits('src', src, srcOffset + n, src.dtype);
    fits('dst', dst, dstOffset + n, src.dtype);
    this.data(dst).set(this.data(src).subarray(srcOffset, srcOffset + n), dstOffset);
  }

  fill(buf: F32, value: number): void {
    this.view(buf).fill(value);
  }

  stats(): MemoryStats {
    return { bytesInUse: this.bytes, highWater: this.high, buffers: this.live };
  }

  /** One thread: the calls run in order, as they are made. */
  concurrently(calls: () => void): void {
    calls();
  }

  // ---- dense ----

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    const { lda, ldb, ldc } = gemmArgs(transA, transB, m, n, k, a, b, c);
    const A = this.f(a), B = this.f(b), C = this.f(c);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = accumulate ? C[i * ldc + j] : 0;
        for (let p = 0; p < k; p++) s += (transA ? A[p * lda + i] : A[i * lda + p]) * (transB ? B[j * ldb + p] : B[p * ldb + j]);
        C[i * ldc + j] = s;
      }
    }
  }

  gemmUnpacked(m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    this.gemm(false, false, m, n, k, a, b, c, accumulate);
  }

  biasAct(x: F32, bias: F32 | null, rows: number, cols: number, act: Activation, out: F32): void {
    const s = biasActArgs(x, bias, rows, cols, act, out), relu = s.act === 1;
    const X = this.f(x), B = bias ? this.f(bias) : null, O = this.f(out);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = X[r * s.ldx + c] + (B ? B[c] : 0);
        O[r * s.ldo + c] = relu ? Math.max(v, 0) : v;
      }
    }
  }

  actBackward(dy: F32, y: F32, n: number, act: Activation, dx: F32, cols?: number): void {
    const s = actBackwardArgs(dy, y, n, act, dx, cols), relu = s.act === 1;
    const DY = this.f(dy), Y = this.f(y), DX = this.f(dx);
    for (let r = 0; r < s.rows; r++) {
      for (let c = 0; c < s.cols; c++) {
        const yv = Y[r * s.ldy + c];
        DX[r * s.lddx + c] = relu && !(yv > 0) ? 0 : DY[r * s.lddy + c];
      }
    }
  }

  colSum(x: F32, rows: number, cols: number, out: F32, accumulate = false): void {
    const ldx = colSumArgs(x, rows, cols, out);
    const X = this.f(x), O = this.f(out);
    for (let c = 0; c < cols; c++) {
      let s = accumulate ? O[c] : 0;
      for (let r = 0; r < rows; r++) s += X[r * ldx + c];
      O[c] = s;
    }
  }

  softmax(x: F32, rows: number, cols: number, out: F32): void {
    const s = softmaxArgs(x, rows, cols, out);
    const X = this.f(x), O = this.f(out);
    for (let r = 0; r < rows; r++) this.softmaxRow(X, r * s.ldx, cols, O, r * s.ldo);
  }

  softmaxCrossEntropy(logits: F32, labels: I32, rows: number, cols: number, probs: F32, grad: F32 | null, gradScale?: number): number {
    const s = softmaxCrossEntropyArgs(logits, labels, rows, cols, probs, grad, gradScale);
    const X = this.f(logits), L = this.i(labels), P = this.f(probs), G = grad ? this.f(grad) : null;
    for (let r = 0; r < rows; r++) if (!(L[r] >= 0 && L[r] < cols)) labelError(r, L[r], cols);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * s.ldl, label = L[r], zl = X[o + label];
      const { max, sum } = this.softmaxRow(X, o, cols, P, r * s.ldp);
      loss += Math.min(Math.log(sum) - (zl - max), MAX_LOSS);
      // From the float64 probabilities: P near 1 in float32 would lose p − 1.
      if (G) for (let c = 0; c < cols; c++) G[r * s.ldg + c] = (Math.exp(X[o + c] - max) / sum - (c === label ? 1 : 0)) * s.scale;
    }
    return rows > 0 ? loss / rows : 0;
  }

  // ---- optimisers ----

  adam(param: F32, grad: F32, m: F32, v: F32, n: number, opts: AdamOptions, mask: F32 | null = null): void {
    const s = adamArgs(param, grad, m, v, n, opts, mask);
    const W = this.f(param), G = this.f(grad), M = this.f(m), V = this.f(v), K = mask ? this.f(mask) : null;
    for (let i = 0; i < n; i++) {
      const keep = !K || K[i] !== 0;
      const g = keep ? G[i] : 0;
      M[i] = s.beta1 * M[i] + (1 - s.beta1) * g;
      V[i] = s.beta2 * V[i] + (1 - s.beta2) * g * g;
      // As the kernel: moments below 1e-30 flush to 0 (no denormals).
      if (Math.abs(M[i]) < TINY) M[i] = 0;
      if (V[i] < TINY) V[i] = 0;
      let w = W[i] - s.decay * W[i];
      w -= (s.lrT * M[i]) / (Math.sqrt(V[i]) + s.eps);
      W[i] = keep ? shrink(w, s.shrink) : 0;
    }
  }

  sgd(param: F32, grad: F32, velocity: F32 | null, n: number, opts: SgdOptions, mask: F32 | null = null): void {
    const s = sgdArgs(param, grad, velocity, n, opts, mask);
    const W = this.f(param), G = this.f(grad), U = velocity ? this.f(velocity) : null, K = mask ? this.f(mask) : null;
    for (let i = 0; i < n; i++) {
      const keep = !K || K[i] !== 0;
      const g = keep ? G[i] + s.l2 * W[i] : 0;
      let w = W[i];
      if (U) {
        U[i] = s.momentum * U[i] - s.lr * g;
        w += U[i];
      } else {
        w -= s.lr * g;
      }
      W[i] = keep ? shrink(w, s.shrink) : 0;
    }
  }

  // ---- sparse ----

  denseToCsr(dense: F32, rows: number, cols: number, threshold: number): Csr {
    denseToCsrArgs(dense, rows, cols, threshold);
    const D = this.f(dense), ptr = [0], idx: number[] = [], val: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (Math.abs(D[r * cols + c]) > threshold) {
          idx.push(c);
          val.push(D[r * cols + c]);
        }
      }
      ptr.push(idx.length);
    }
    return { rows, cols, nnz: idx.length, rowPtr: this.upload(Int32Array.from(ptr)), colIdx: this.upload(Int32Array.from(idx)), values: this.upload(Float32Array.from(val)) };
  }

  freeCsr(csr: Csr): void {
    for (const b of [csr.rowPtr, csr.colIdx, csr.values]) this.own(b);
    this.free(csr.rowPtr); this.free(csr.colIdx); this.free(csr.values);
  }

  csrMatmul(a: Csr, b: F32, n: number, c: F32, accumulate = false): void {
    const { ldb, ldc } = csrMatmulArgs(a, b, n, c);
    const [P, J, V] = this.csr('a', a);
    const B = this.f(b), C = this.f(c);
    for (let i = 0; i < a.rows; i++) {
      for (let col = 0; col < n; col++) {
        let s = accumulate ? C[i * ldc + col] : 0;
        for (let p = P[i]; p < P[i + 1]; p++) s += V[p] * B[J[p] * ldb + col];
        C[i * ldc + col] = s;
      }
    }
  }

  matmulCsrT(x: F32, m: number, w: Csr, c: F32, accumulate = false): void {
    const { ldx, ldc } = matmulCsrTArgs(x, m, w, c);
    const [P, J, V] = this.csr('w', w);
    const X = this.f(x), C = this.f(c), n = w.rows;
    for (let i = 0; i < m; i++) {
      for (let o = 0; o < n; o++) {
        let s = accumulate ? C[i * ldc + o] : 0;
        for (let p = P[o]; p < P[o + 1]; p++) s += V[p] * X[i * ldx + J[p]];
        C[i * ldc + o] = s;
      }
    }
  }

  // ---- clustering and routing ----

  kmeansAssign(x: F32, rows: number, dims: number, centroids: F32, k: number, assign: I32, dist: F32): void {
    const { ldx, ldc } = kmeansAssignArgs(x, rows, dims, centroids, k, assign, dist);
    // The exact distance Σ(x − c)², the truth the GEMM identity approximates.
    const X = this.f(x), Cn = this.f(centroids), A = this.i(assign), D = this.f(dist);
    for (let i = 0; i < rows; i++) {
      let best = Infinity, arg = 0;
      for (let j = 0; j < k; j++) {
        let d = 0;
        for (let p = 0; p < dims; p++) d += (X[i * ldx + p] - Cn[j * ldc + p]) ** 2;
        if (d < best) { best = d; arg = j; }
      }
      A[i] = arg;
      D[i] = best;
    }
  }

  topk(x: F32, rows: number, cols: number, k: number, values: F32, indices: I32): void {
    const s = topkArgs(x, rows, cols, k, values, indices);
    const X = this.f(x), V = this.f(values), I = this.i(indices);
    const order = Array.from({ length: cols }, (_, j) => j);
    for (let r = 0; r < rows; r++) {
      const row = X.subarray(r * s.ldx, r * s.ldx + cols);
      order.sort((a, b) => row[b] - row[a] || a - b);
      for (let t = 0; t < k; t++) {
        V[r * s.ldv + t] = row[order[t]];
        I[r * s.ldi + t] = order[t];
      }
      order.sort((a, b) => a - b);
    }
  }

  gatherRows(src: F32, cols: number, idx: I32, count: number, dst: F32): void {
    const s = gatherRowsArgs(src, cols, idx, count, dst);
    const S = this.f(src), I = this.rowIndices(idx, count, s.limit), D = this.f(dst);
    for (let i = 0; i < count; i++) D.set(S.subarray(I[i] * s.lds, I[i] * s.lds + cols), i * s.ldd);
  }

  gatherRowsWiden(src: U8 | U16, cols: number, idx: I32, count: number, dst: F32, scale = 1, offset = 0): void {
    const s = gatherRowsWidenArgs(src, cols, idx, count, dst, scale, offset);
    const S = this.data(src), I = this.rowIndices(idx, count, s.limit), D = this.f(dst);
    const k = Math.fround(scale), o = Math.fround(offset);
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < cols; c++) D[i * s.ldd + c] = Math.fround(S[I[i] * s.lds + c] * k) + o;
    }
  }

  scatterAddRows(src: F32, cols: number, idx: I32, count: number, dst: F32, w: F32 | null = null): void {
    const s = scatterAddRowsArgs(src, cols, idx, count, dst, w);
    const S = this.f(src), I = this.rowIndices(idx, count, s.limit), D = this.f(dst), Wt = w ? this.f(w) : null;
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < cols; c++) D[I[i] * s.ldd + c] += (Wt ? Wt[i] : 1) * S[i * s.lds + c];
    }
  }

  // ---- mixture of experts ----

  rowDot(a: F32, cols: number, idx: I32 | null, count: number, b: F32, out: F32): void {
    const { limit, lda, ldb } = rowDotArgs(a, cols, idx, count, b, out);
    const A = this.f(a), I = idx ? this.rowIndices(idx, count, limit) : null, B = this.f(b), O = this.f(out);
    for (let i = 0; i < count; i++) {
      const r = I ? I[i] : i;
      let s = 0;
      for (let c = 0; c < cols; c++) s += A[r * lda + c] * B[i * ldb + c];
      O[i] = s;
    }
  }

  gatherRowsScaled(src: F32, cols: number, idx: I32, count: number, w: F32, dst: F32): void {
    const s = gatherRowsScaledArgs(src, cols, idx, count, w, dst);
    const S = this.f(src), I = this.rowIndices(idx, count, s.limit), Wt = this.f(w), D = this.f(dst);
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < cols; c++) D[i * s.ldd + c] = Wt[i] * S[I[i] * s.lds + c];
    }
  }

  // ---- helpers ----

  /** Softmax of the row at X[o..] into out[oo..], in float64; returns the row max and Σe^(x−max). */
  private softmaxRow(X: Float32Array, o: number, cols: number, out: Float32Array, oo: number): { max: number; sum: number } {
    let max = -Infinity, sum = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, X[o + c]);
    for (let c = 0; c < cols; c++) sum += Math.exp(X[o + c] - max);
    for (let c = 0; c < cols; c++) out[oo + c] = Math.exp(X[o + c] - max) / sum;
    return { max, sum };
  }

  private rowIndices(idx: I32, count: number, limit: number): Int32Array {
    const I = this.i(idx);
    for (let i = 0; i < count; i++) if (!(I[i] >= 0 && I[i] < limit)) indexError('idx', i, I[i], limit);
    return I;
  }

  /** The arrays of a CSR after checking its contents. */
  private csr(name: string, a: Csr): [Int32Array, Int32Array, Float32Array] {
    const P = this.i(a.rowPtr), J = this.i(a.colIdx), V = this.f(a.values);
    let ok = P[0] === 0 && P[a.rows] === a.nnz;
    for (let r = 0; ok && r < a.rows; r++) ok = P[r + 1] >= P[r];
    for (let p = 0; ok && p < a.nnz; p++) ok = J[p] >= 0 && J[p] < a.cols;
    if (!ok) csrContentError(name);
    return [P, J, V];
  }


  protected f(buf: F32): Float32Array {
    return this.data(buf) as Float32Array;
  }

  protected i(buf: I32): Int32Array {
    return this.data(buf) as Int32Array;
  }

  private data(buf: Buf): Elements {
    return this.own(buf).data;
  }

  private own(buf: Buf): RefBuf {
    if (!(buf instanceof RefBuf) || buf.owner !== this) fail('ERR_BUFFER_FREED', 'buffer does not belong to this backend');
    if (buf.freed) fail('ERR_BUFFER_FREED', 'buffer used after free()');
    if (buf.root?.freed) fail('ERR_BUFFER_FREED', 'view used after its buffer was freed');
    return buf;
  }
}
