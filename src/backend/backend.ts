// The one interface every layer above computes through. Two implementations:
// `WasmBackend` (SIMD kernels in one linear memory) and `ReferenceBackend` (plain
// TypeScript, the twin every kernel is tested against).

/** f32 and i32 for compute; u8 and u16 hold stored features (bytes kept as bytes) that gatherRowsWiden turns into f32. */
export type DType = 'f32' | 'i32' | 'u8' | 'u16';

/** A buffer owned by a backend, or a view of one (see Backend.subBuffer). Opaque: read and write it through the backend. */
export interface Buf<D extends DType = DType> {
  readonly dtype: D;
  readonly length: number;
  /** A strided view's row stride (leading dimension) in elements; undefined when rows are packed. */
  readonly stride?: number;
}
export type F32 = Buf<'f32'>;
export type I32 = Buf<'i32'>;
export type U8 = Buf<'u8'>;
export type U16 = Buf<'u16'>;

export type Activation = 'identity' | 'relu';

/** A sparse matrix in compressed sparse row form; rowPtr has rows + 1 entries. */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly nnz: number;
  readonly rowPtr: I32;
  readonly colIdx: I32;
  readonly values: F32;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step count, for bias correction. */
  step: number;
  /** L1 strength: after the step, w ← sign(w)·max(|w| − lr·l1, 0) (proximal). */
  l1?: number;
  /** Decoupled weight decay (AdamW): w ← w − lr·wd·w, from the weight before the step. */
  weightDecay?: number;
}

export interface SgdOptions {
  lr: number;
  /** In [0, 1); Keras form: vel ← momentum·vel − lr·g, w ← w + vel. Needs a velocity buffer when > 0. */
  momentum?: number;
  /** L1 strength, applied as a proximal shrink by lr·l1 after the step. */
  l1?: number;
  /** L2 penalty added to the gradient: g ← g + l2·w. */
  l2?: number;
}

export interface MemoryStats {
  /** Bytes currently allocated to live buffers. */
  bytesInUse: number;
  /** Largest bytesInUse seen. */
  highWater: number;
  /** Live buffer count. */
  buffers: number;
}

export interface Backend {
  readonly name: 'wasm-simd' | 'wasm-relaxed' | 'reference';
  /** Threads the kernels may run on (1 unless a shared-memory build: see InitOptions.threads). */
  readonly threads?: number;

  // ---- memory ----
  /** A zero-filled buffer. */
  alloc(length: number, dtype?: 'f32'): F32;
  alloc(length: number, dtype: 'i32'): I32;
  alloc(length: number, dtype: 'u8'): U8;
  alloc(length: number, dtype: 'u16'): U16;
  /** A buffer holding a copy of `data`. */
  upload(data: Float32Array): F32;
  upload(data: Int32Array): I32;
  upload(data: Uint8Array): U8;
  upload(data: Uint16Array): U16;
  /** Frees a buffer and ends every view of it. A view owns nothing: free its parent. */
  free(buf: Buf): void;
  /**
   * A view of `length` elements of `buf` from element `offset` that aliases it (no copy),
   * e.g. one expert's rows of a batch. A view of a view is a view of the same memory.
   * With `stride`, a row-major matrix whose rows start `stride` elements apart (a leading
   * dimension, e.g. a block of columns): gemm and the row kernels step its rows by the stride,
   * and a rows×cols operand needs (rows − 1)·stride + cols elements. A view of a strided view
   * keeps the stride unless given one. Element-wise calls (write, read, view, copy, fill,
   * the optimisers, denseToCsr; actBackward without cols) and vector operands take unstrided buffers.
   */
  subBuffer<D extends DType>(buf: Buf<D>, offset: number, length: number, stride?: number): Buf<D>;
  /** Copy `data` into `buf` starting at element `offset`. */
  write(buf: F32, data: ArrayLike<number>, offset?: number): void;
  write(buf: I32, data: ArrayLike<number>, offset?: number): void;
  write(buf: U8 | U16, data: ArrayLike<number>, offset?: number): void;
  /** A copy of the buffer's contents. */
  read(buf: F32): Float32Array;
  read(buf: I32): Int32Array;
  read(buf: U8): Uint8Array;
  read(buf: U16): Uint16Array;
  /** A live view; valid only until the next call that may allocate. Do not keep it. */
  view(buf: F32): Float32Array;
  view(buf: I32): Int32Array;
  view(buf: U8): Uint8Array;
  view(buf: U16): Uint16Array;
  /** Copy n elements from src[srcOffset..] to dst[dstOffset..] (same dtype). */
  copy(src: Buf, dst: Buf, n?: number, srcOffset?: number, dstOffset?: number): void;
  fill(buf: F32, value: number): void;
  stats(): MemoryStats;
  /**
   * Runs the kernel calls made inside `calls` side by side on the backend's threads (each call
   * whole on one thread, or a large one cut as usual), one hand-over for all: for independent
   * calls each too small to cut well (a layer's three gradients). The calls may run in any
   * order and at once: none may write what another of them reads or writes — the caller's
   * contract, not checked. Each call gives the same bits as alone, on any thread count.
   * Arguments are checked as each call is made; the calls have all run when this returns
   * (also when `calls` throws: then those made before the throw ran, as on one thread).
   * On one thread (and the reference backend): `calls()`.
   */
  concurrently(calls: () => void): void;

  // ---- dense ----
  /**
   * c = op(a)·op(b), or c += op(a)·op(b) with `accumulate`. op(a) is m×k, op(b) is k×n,
   * all row-major; transA means `a` is stored k×m, transB means `b` is stored n×k. A strided
   * view's stride is the leading dimension of the matrix as stored (BLAS lda/ldb/ldc).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate?: boolean): void;
  /**
   * c = a·b (or c += a·b) as gemm(false, false, …) computes it, the same bits, with neither
   * operand packed: faster where packing does not pay — few columns (a router's logits, n =
   * experts; an expert's or a small dense layer's forward); shapes where packing pays run the
   * GEMM itself. Any shape is right.
   */
  gemmUnpacked(m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate?: boolean): void;
  /** out[r][c] = act(x[r][c] + bias[c]) over rows×cols; bias may be null, out may be x. */
  biasAct(x: F32, bias: F32 | null, rows: number, cols: number, act: Activation, out: F32): void;
  /** dx = dy ⊙ act'(y) over n elements, from the activation's output y; dx may be dy. */
  /** With `cols`, the n elements are n / cols rows of `cols` (n a multiple of cols) and dy, y, dx may be strided views. */
  actBackward(dy: F32, y: F32, n: number, act: Activation, dx: F32, cols?: number): void;
  /** out[c] (+)= Σ_r x[r][c]: the bias gradient. */
  colSum(x: F32, rows: number, cols: number, out: F32, accumulate?: boolean): void;
  /** Row softmax with max-shift; out may be x. */
  softmax(x: F32, rows: number, cols: number, out: F32): void;
  /**
   * Softmax cross-entropy over rows of logits with integer labels. Writes probabilities
   * to `probs` and, if given, grad = (probs − onehot)·gradScale; gradScale defaults to
   * 1/rows, making grad the gradient of the returned mean loss. Returns the mean over rows
   * of −log(max(p_label, 2^-126)) (at most ≈ 87.34). Labels outside [0, cols) → ERR_LABEL_RANGE.
   * probs may be logits; grad may be logits but not probs.
   */
  softmaxCrossEntropy(logits: F32, labels: I32, rows: number, cols: number, probs: F32, grad: F32 | null, gradScale?: number): number;

  // ---- optimisers (mask: nonzero keeps a weight; 0 pins it at exactly zero and zeroes its gradient) ----
  /**
   * Keras Adam: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², w ← w − lr_t·m/(√v + ε) with
   * lr_t = lr·√(1−β2^t)/(1−β1^t); then weight decay and the L1 shrink as documented on AdamOptions.
   */
  adam(param: F32, grad: F32, m: F32, v: F32, n: number, opts: AdamOptions, mask?: F32 | null): void;
  sgd(param: F32, grad: F32, velocity: F32 | null, n: number, opts: SgdOptions, mask?: F32 | null): void;

  // ---- sparse ----
  /** CSR of the entries with |x| > threshold of a rows×cols dense matrix (columns ascending in each row). */
  denseToCsr(dense: F32, rows: number, cols: number, threshold: number): Csr;
  freeCsr(csr: Csr): void;
  /**
   * c (+)= A·b with A a CSR m×k and b dense k×n. A CSR not made by denseToCsr is checked
   * (rowPtr rising from 0 to nnz, columns in range) on first use: do not edit its buffers after.
   */
  csrMatmul(a: Csr, b: F32, n: number, c: F32, accumulate?: boolean): void;
  /** c (+)= x·Wᵀ with x dense m×k and W a CSR n×k (a pruned layer stored out×in). */
  matmulCsrT(x: F32, m: number, w: Csr, c: F32, accumulate?: boolean): void;

  // ---- clustering and routing ----
  /**
   * Nearest centroid for each of `rows` points (dims wide) among k centroids, via
   * ‖x‖² − 2x·c + ‖c‖². Writes assignments (ties → lower index) and squared distances
   * (clamped at 0). Needs k ≥ 1 when rows > 0. The identity loses precision when ‖x‖ ≫ ‖x − c‖.
   */
  kmeansAssign(x: F32, rows: number, dims: number, centroids: F32, k: number, assign: I32, dist: F32): void;
  /** Per row: the k largest values (descending; ties → lower index first) and their columns; 0 ≤ k ≤ cols; values/indices are rows×k. */
  topk(x: F32, rows: number, cols: number, k: number, values: F32, indices: I32): void;
  /** dst[i] = src[idx[i]] for count rows of `cols` floats; an index past src's rows → ERR_BAD_SHAPE. */
  gatherRows(src: F32, cols: number, idx: I32, count: number, dst: F32): void;
  /**
   * dst[i][c] = f32(src[idx[i]][c])·scale + offset (an f32 multiply, then an f32 add) for count
   * rows of `cols` stored bytes or u16s: a batch of stored features packed as f32. An index past src's rows → ERR_BAD_SHAPE.
   */
  gatherRowsWiden(src: U8 | U16, cols: number, idx: I32, count: number, dst: F32, scale?: number, offset?: number): void;
  /** dst[idx[i]] += w[i]·src[i] for count rows of `cols` floats (w null → 1), in order i = 0, 1, …; repeated indices add up. */
  scatterAddRows(src: F32, cols: number, idx: I32, count: number, dst: F32, w?: F32 | null): void;

  // ---- mixture of experts ----
  /**
   * out[i] = Σ_c a[r][c]·b[i][c] for count rows of `cols` floats, r = idx[i] (idx null → r = i):
   * the gate gradient of routed slots. An index past a's rows → ERR_BAD_SHAPE.
   */
  rowDot(a: F32, cols: number, idx: I32 | null, count: number, b: F32, out: F32): void;
  /** dst[i] = w[i]·src[idx[i]] for count rows of `cols` floats; an index past src's rows → ERR_BAD_SHAPE. */
  gatherRowsScaled(src: F32, cols: number, idx: I32, count: number, w: F32, dst: F32): void;
}
