// Building backends, and the library default. Each runtime entry (src/entry/*) registers how
// it finds the kernel bytes; a caller can always pass a precompiled module, bytes or a URL
// instead. createBackend touches no global state: only the user's own init() sets the default.
import { fail } from '../errors.js';
import type { Backend } from './backend.js';
import { KERNEL_BUILDS, type KernelBuild, importsMemory, instantiateKernels, isWasmModule, kernelStamp, relaxedSimdSupported, sha256Hex, sharedMemory } from './kernels.js';
import { ReferenceBackend } from './reference.js';
import { resolveThreads } from './threads.js';
import { WasmBackend } from './wasm.js';

export type { KernelBuild };

export interface InitOptions {
  /** 'wasm' (default) or the plain-TypeScript 'reference' backend, which never fails to load. */
  backend?: 'wasm' | 'reference';
  /**
   * Which kernel build: 'auto' (default) picks 'relaxed' (FMA) where the runtime validates
   * relaxed SIMD. FMA rounds differently: pin 'simd' for bit-identical weights across runtimes.
   */
  build?: 'auto' | KernelBuild;
  /**
   * Threads one backend's kernels may use: 'auto' (default) = the machine's cores in Node,
   * navigator.hardwareConcurrency in cross-origin-isolated pages, 1 where shared memory is
   * unusable (edge runtimes, pages that are not isolated). Above 1, the shared-memory build
   * of the chosen kernels runs; results are bit-identical to 1 thread. With 'auto' the helper
   * threads start on the first large call, with a number at creation.
   */
  threads?: 'auto' | number;
  /**
   * Cap the backend's wasm memory at this many MiB (an integer in [8, 4096]; default the
   * runtime's largest, up to 4 GiB). The memory is then the shared-memory build's imported
   * one, created with this maximum, so it needs a runtime with SharedArrayBuffer; allocations
   * beyond it fail with ERR_OUT_OF_MEMORY. Sources stream through a capped memory.
   */
  maximumMemoryMb?: number;
  /** A precompiled kernel module: the only way in runtimes that forbid compiling wasm (Cloudflare, Vercel Edge). */
  module?: WebAssembly.Module;
  /** The kernel bytes. */
  bytes?: BufferSource;
  /** Where to fetch the kernels from (browsers); defaults to kernels.wasm next to the bundle. */
  url?: string | URL;
}

/** Produces the kernel module or bytes for a build; registered by the runtime entry. */
export type KernelSource = (build: KernelBuild, url?: string | URL) => Promise<WebAssembly.Module | BufferSource>;

/** A compiled kernel module and what it is: its build, and its content hash where known. */
export interface Kernels {
  module: WebAssembly.Module;
  build: KernelBuild;
  /** SHA-256 hex of the kernels as built (see scripts/build.mjs); null for a foreign module without the stamp. */
  hash: string | null;
  /** The sparse-experts version that built them, when stamped. */
  version: string | null;
}

let source: KernelSource | undefined;
/** The kernels behind each wasm backend, so workers and job queues can name and rebuild them. */
const kernelsBehind = new WeakMap<Backend, Kernels>();
/** Every identified module a backend was built on in this thread, per hash (what a worker pool posts to its workers). */
const builtOn = new Map<string, Kernels>();
let current: Promise<Backend> | undefined;

export function setKernelSource(s: KernelSource): void {
  source = s;
}

/**
 * Load a backend and make it the library default. Repeated calls with no options return
 * the same one; a failed load keeps the previous default.
 */
export function init(opts: InitOptions = {}): Promise<Backend> {
  if (current && Object.keys(opts).length === 0) return current;
  const previous = current;
  const loading = createBackend(opts);
  current = loading;
  loading.catch(() => {
    if (current === loading) current = previous; // a failed load leaves the library usable
  });
  return loading;
}

/** The default backend, loading it with default options on first use. */
export function getBackend(): Promise<Backend> {
  return current ?? init();
}

/** The default backend if init() has been called, without loading one. */
export function defaultBackend(): Promise<Backend> | undefined {
  return current;
}

/** A new backend of its own (its own wasm memory); not the default, whatever the options. */
export async function createBackend(opts: InitOptions = {}): Promise<Backend> {
  if (opts.backend === 'reference') return new ReferenceBackend();
  if (opts.backend !== undefined && opts.backend !== 'wasm') fail('ERR_BAD_ARGUMENT', `backend must be 'wasm' or 'reference', got ${String(opts.backend)}`);
  const threads = resolveThreads(opts.threads);
  const cap = opts.maximumMemoryMb;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 8 && cap <= 4096)) fail('ERR_BAD_ARGUMENT', `maximumMemoryMb must be an integer in [8, 4096], got ${cap}`);
  const k = await loadKernels(opts, threads > 1 || cap !== undefined);
  if (cap !== undefined && !importsMemory(k.module)) fail('ERR_BAD_ARGUMENT', `maximumMemoryMb needs a shared-memory kernel build, but the kernels given are the '${k.build}' build`);
  const backend = await backendOn(k, threads, cap === undefined ? undefined : cap * 16);
  if (typeof opts.threads === 'number') await (backend as WasmBackend).startThreads();
  return backend;
}

/** The kernels a wasm backend runs, or undefined for a backend not built by createBackend. */
export function kernelsOf(backend: Backend): Kernels | undefined {
  return kernelsBehind.get(backend);
}

/** Find and compile the kernels the options ask for, and read their identity. */
export async function loadKernels(opts: InitOptions, threaded = false): Promise<Kernels> {
  if (typeof WebAssembly !== 'object') {
    fail('ERR_WASM_LOAD', "WebAssembly is not available in this runtime; use init({ backend: 'reference' })");
  }
  let build = chooseBuild(opts, threaded);
  let src: WebAssembly.Module | BufferSource | undefined = opts.module ?? opts.bytes;
  if (!src) {
    if (!source) fail('ERR_WASM_LOAD', 'no way to locate kernels.wasm in this runtime: pass init({ module }) or init({ bytes })');
    src = await source(build, opts.url);
  }
  // Compile once: the Module (unlike bytes) can be posted to workers and instantiated there.
  const module = isWasmModule(src) ? src : await compile(src as BufferSource);
  const stamp = kernelStamp(module);
  // A caller's module or bytes say which build they are when stamped.
  if (stamp && stamp.build !== build) {
    if ((opts.build ?? 'auto') !== 'auto' && plain(stamp.build) !== plain(build)) fail('ERR_WASM_LOAD', `build '${build}' asked for, but the kernels given are the '${stamp.build}' build`);
    build = stamp.build;
  }
  const hash = stamp?.sha256 ?? (isWasmModule(src) ? null : await sha256Hex(src as BufferSource));
  return { module, build, hash, version: stamp?.version ?? null };
}

/**
 * A backend on compiled kernels; a shared-memory build gets its own shared memory (of at most
 * `maximumPages` 64 KiB pages when given) and up to `threads` threads. No warm-up: 8 small
 * products at start-up took as long (~0.9 ms) as they saved the first real one
 * (bench/coldstart.ts, first GEMM), so the first call compiles what it runs.
 */
export async function backendOn(k: Kernels, threads = 1, maximumPages?: number): Promise<Backend> {
  const shared = importsMemory(k.module);
  const exports = await instantiateKernels(k.module, shared ? sharedMemory(maximumPages) : undefined);
  const backend = new WasmBackend(exports, plain(k.build) === 'relaxed', shared ? threads : 1, k.module);
  kernelsBehind.set(backend, k);
  if (k.hash !== null) builtOn.set(k.hash, k);
  return backend;
}

/** The identified kernels backends were built on in this thread. */
export function kernelsBuilt(): readonly Kernels[] {
  return [...builtOn.values()];
}

/** Pick the build the options ask for; `threaded` picks its shared-memory twin. */
function chooseBuild(opts: InitOptions, threaded: boolean): KernelBuild {
  const want = opts.build ?? 'auto';
  if (want !== 'auto' && !KERNEL_BUILDS.includes(want)) {
    fail('ERR_BAD_ARGUMENT', `build must be 'auto' or one of ${KERNEL_BUILDS.map((b) => `'${b}'`).join(', ')}, got ${JSON.stringify(want)}`);
  }
  if (plain(want as KernelBuild) === 'relaxed' && !relaxedSimdSupported()) {
    fail('ERR_WASM_LOAD', `build '${want}' asked for, but this runtime does not support relaxed SIMD; use build 'simd' or 'auto'`);
  }
  // A caller-supplied module or bytes is taken as the plain build unless stamped otherwise.
  if (opts.module || opts.bytes) return want === 'auto' ? 'simd' : want;
  const base = want !== 'auto' ? want : relaxedSimdSupported() ? 'relaxed' : 'simd';
  return threaded && !base.endsWith('-threads') ? (`${base}-threads` as KernelBuild) : base;
}

/** The single-thread build a build computes like: threads never change the arithmetic. */
export function plain(build: KernelBuild): 'simd' | 'relaxed' {
  return build.startsWith('relaxed') ? 'relaxed' : 'simd';
}

async function compile(bytes: BufferSource): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (err) {
    return fail('ERR_WASM_LOAD', `could not compile the kernels: ${(err as Error).message}. In edge runtimes pass a precompiled module: init({ module }); ` +
      "or use init({ backend: 'reference' }).", err);
  }
}
