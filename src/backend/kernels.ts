// Instantiating the kernel module from whatever a runtime can provide.
import { fail } from '../errors.js';

/** The raw exports of dist/kernels*.wasm: pointers and sizes only. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemmWorkSize(): number;
  gemm(transA: number, transB: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, work: number): void;
  /** gemm without its narrow kernels: the bits they must give (tests). */
  gemmPacked(transA: number, transB: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, work: number): void;
  gemmUnpackedWorkSize(k: number, n: number): number;
  gemmUnpacked(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, work: number): void;
  // ld*: the row stride (leading dimension, in elements) of the matrix before it.
  /** act: 0 identity, 1 relu; bias 0 = none. */
  biasAct(x: number, ldx: number, bias: number, rows: number, cols: number, act: number, out: number, ldo: number): void;
  actBackward(dy: number, lddy: number, y: number, ldy: number, rows: number, cols: number, act: number, dx: number, lddx: number): void;
  colSum(x: number, ldx: number, rows: number, cols: number, out: number, accumulate: number): void;
  expArray(x: number, n: number, out: number): void;
  softmax(x: number, ldx: number, rows: number, cols: number, out: number, ldo: number): void;
  /** grad 0 = none; returns the mean loss. */
  softmaxCrossEntropy(logits: number, ldl: number, labels: number, rows: number, cols: number, probs: number, ldp: number, grad: number, ldg: number, gradScale: number): number;
  /** mask 0 = none; lrT = lr·√(1−β2^t)/(1−β1^t), decay = lr·wd, shrink = lr·l1. */
  adam(param: number, grad: number, m: number, v: number, mask: number, n: number, lrT: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number, decay: number, shrink: number): void;
  /** velocity and mask 0 = none; shrink = lr·l1. */
  sgd(param: number, grad: number, velocity: number, mask: number, n: number, lr: number, momentum: number, l2: number, shrink: number): void;
  /** Writes rowPtr (rows + 1), returns nnz. */
  csrCount(dense: number, rows: number, cols: number, threshold: number, rowPtr: number): number;
  csrFill(dense: number, rows: number, cols: number, threshold: number, colIdx: number, values: number): void;
  csrMatmul(rowPtr: number, colIdx: number, values: number, m: number, b: number, ldb: number, n: number, c: number, ldc: number, accumulate: number): void;
  csrTWorkSize(k: number): number;
  matmulCsrT(x: number, ldx: number, m: number, k: number, rowPtr: number, colIdx: number, values: number, n: number, c: number, ldc: number, accumulate: number, work: number): void;
  kmeansWorkSize(k: number, block: number): number;
  kmeansAssign(x: number, ldx: number, rows: number, dims: number, centroids: number, ldc: number, k: number, assign: number, dist: number, work: number, block: number, gemmWork: number): void;
  topk(x: number, ldx: number, rows: number, cols: number, k: number, values: number, ldv: number, indices: number, ldi: number): void;
  gatherRows(src: number, lds: number, cols: number, idx: number, count: number, dst: number, ldd: number): void;
  /** w 0 = all ones. */
  scatterAddRows(src: number, lds: number, cols: number, idx: number, count: number, dst: number, ldd: number, w: number): void;
  /** Index of the first value outside [0, limit), or -1. */
  firstBadIndex(idx: number, n: number, limit: number): number;
  /** 1 if rowPtr is monotone from 0 to nnz and every column is in [0, cols). */
  csrValid(rowPtr: number, colIdx: number, rows: number, cols: number, nnz: number): number;

  // ---- mixture of experts ----
  /** idx 0 = row i; lda, ldb, lds, ldd: row strides. */
  rowDot(a: number, lda: number, cols: number, idx: number, count: number, b: number, ldb: number, out: number): void;
  gatherRowsScaled(src: number, lds: number, cols: number, idx: number, count: number, w: number, dst: number, ldd: number): void;

  // ---- stored features ----
  /** lds in elements (bytes, u16s), ldd in floats. */
  gatherRowsU8(src: number, lds: number, cols: number, idx: number, count: number, scale: number, offset: number, dst: number, ldd: number): void;
  gatherRowsU16(src: number, lds: number, cols: number, idx: number, count: number, scale: number, offset: number, dst: number, ldd: number): void;
}

/** The smallest module using a relaxed-SIMD op (f32x4.relaxed_madd); validates only where relaxed SIMD is on. */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // 3 × v128.const 0
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x0b, // end
]);

export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/** A compiled module, also one from another realm (Next.js compiles outside its edge sandbox). */
export function isWasmModule(x: unknown): x is WebAssembly.Module {
  return x instanceof WebAssembly.Module || Object.prototype.toString.call(x) === '[object WebAssembly.Module]';
}

/** The kernel files: plain SIMD, relaxed SIMD (FMA), and each again on shared memory for threads. */
export type KernelBuild = 'simd' | 'relaxed' | 'simd-threads' | 'relaxed-threads';
export const KERNEL_BUILDS: readonly KernelBuild[] = ['simd', 'relaxed', 'simd-threads', 'relaxed-threads'];

/** The file of a build in dist/. */
export function kernelFile(build: KernelBuild): string {
  return { simd: 'kernels.wasm', relaxed: 'kernels-relaxed.wasm', 'simd-threads': 'kernels-threads.wasm', 'relaxed-threads': 'kernels-relaxed-threads.wasm' }[build];
}

/** Whether a module is a shared-memory build (it imports its memory instead of declaring one). */
export function importsMemory(module: WebAssembly.Module): boolean {
  const realm = (Object.getPrototypeOf(module) as { constructor?: typeof WebAssembly.Module }).constructor;
  const imports = typeof realm?.imports === 'function' ? realm.imports : WebAssembly.Module.imports;
  return imports(module).some((i) => i.kind === 'memory');
}

/**
 * A shared memory for a threaded build, of `maximumPages` or as large as the runtime will
 * reserve: 4 GiB where it can (64-bit Node and browsers reserve address space, not memory),
 * less on small devices.
 */
export function sharedMemory(maximumPages?: number): WebAssembly.Memory {
  for (const maximum of maximumPages === undefined ? [65536, 16384, 4096] : [maximumPages]) {
    try {
      return new WebAssembly.Memory({ initial: 64, maximum, shared: true });
    } catch {
      // try a smaller reservation
    }
  }
  return fail('ERR_WASM_LOAD', 'could not create a shared WebAssembly.Memory; use init({ threads: 1 })');
}

/** What scripts/build.mjs stamps into each kernel file: its build, SHA-256 and package version. */
export interface KernelStamp {
  build: KernelBuild;
  sha256: string;
  version: string;
}

const STAMP = 'sparse-experts.kernels';

/** The stamp of a compiled module, or null if it has none (a module not built by this package). */
export function kernelStamp(module: WebAssembly.Module): KernelStamp | null {
  // A module from another realm needs that realm's Module.customSections.
  const realm = (Object.getPrototypeOf(module) as { constructor?: typeof WebAssembly.Module }).constructor;
  const customSections = typeof realm?.customSections === 'function' ? realm.customSections : WebAssembly.Module.customSections;
  try {
    const [section] = customSections(module, STAMP);
    if (!section) return null;
    const s = JSON.parse(new TextDecoder().decode(section)) as Partial<KernelStamp>;
    const ok = KERNEL_BUILDS.includes(s.build!) && typeof s.sha256 === 'string' && typeof s.version === 'string';
    return ok ? (s as KernelStamp) : null;
  } catch {
    return null;
  }
}

/** SHA-256 hex of bytes (Web Crypto: Node ≥ 20, browsers, edge runtimes). */
export async function sha256Hex(bytes: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** An instance of the kernels; a shared-memory build runs on `memory`. */
export async function instantiateKernels(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<KernelExports> {
  const imports: WebAssembly.Imports = memory ? { env: { memory } } : {};
  try {
    // Plain instantiation, not @assemblyscript/loader's: the kernels import nothing but their
    // memory (runtime stub, no asserts), and the loader's `instanceof Response` check alone
    // makes Node load its fetch implementation, a third of the cold start.
    const instance: WebAssembly.Instance = await WebAssembly.instantiate(module, imports);
    return instance.exports as unknown as KernelExports;
  } catch (err) {
    return fail('ERR_WASM_LOAD', `could not instantiate the kernels: ${(err as Error).message}. ` +
      'In edge runtimes that forbid compiling wasm at run time, pass a precompiled module: init({ module }). ' +
      "Or opt into the plain-TypeScript backend: init({ backend: 'reference' }).", err);
  }
}
