// Kernels named by build and content hash instead of a Module object: what a task carries
// to another thread, process or machine, and how that side finds the same kernels again.
import { fail } from '../errors.js';
import type { Backend } from './backend.js';
import { type Kernels, backendOn, defaultBackend, kernelsBuilt, kernelsOf, loadKernels } from './init.js';
import { KERNEL_BUILDS, type KernelBuild, kernelStamp } from './kernels.js';
import { ReferenceBackend } from './reference.js';
import { sharedCores } from './threads.js';
import type { WasmBackend } from './wasm.js';

/** Which kernels a backend runs: plain data, the same for the same bytes in every runtime. */
export interface KernelRef {
  readonly build: KernelBuild | 'reference';
  /** SHA-256 hex of the kernel file as built; 'reference' for the plain-TypeScript backend. */
  readonly hash: string;
}

const REFERENCE_KERNELS: KernelRef = Object.freeze({ build: 'reference', hash: 'reference' });

/** Modules posted to this thread (a worker pool sends the caller's once per worker), per hash. */
const registered = new Map<string, { ref: KernelRef; module: WebAssembly.Module }>();
/** One backend per kernel hash in this thread. */
const built = new Map<string, Promise<Backend>>();

/** The kernels `backend` runs, or null when they have no id (not built by createBackend, or an unstamped Module). */
export function findKernelRef(backend: Backend): KernelRef | null {
  if (backend.name === 'reference') return REFERENCE_KERNELS;
  const k = kernelsOf(backend);
  return k && k.hash !== null ? { build: k.build, hash: k.hash } : null;
}

/** The kernels `backend` runs; ERR_BAD_ARGUMENT / ERR_WASM_LOAD (saying why) when they have no id. */
export function kernelRef(backend: Backend): KernelRef {
  const ref = findKernelRef(backend);
  if (ref) return ref;
  const k = kernelsOf(backend);
  if (!k) return fail('ERR_BAD_ARGUMENT', 'kernelRef: this backend was not made by createBackend() or init()');
  return fail('ERR_WASM_LOAD', 'the kernels were given as a Module without the sparse-experts stamp, so they have no id: pass their bytes, or use dist/kernels*.wasm');
}

/** Make `module` the kernels backendFor(ref) uses in this thread, instead of loading them. */
export function registerKernels(ref: KernelRef, module: WebAssembly.Module): void {
  checkRef(ref);
  if (ref.build === 'reference') fail('ERR_BAD_ARGUMENT', 'the reference backend has no kernel module to register');
  const stamp = kernelStamp(module);
  if (stamp && stamp.sha256 !== ref.hash) mismatch(ref, stamp.sha256, stamp.build, stamp.version);
  registered.set(ref.hash, { ref: { build: ref.build, hash: ref.hash }, module });
}

/** Every module this thread knows by hash — built on here or registered — for handing to workers. */
export function knownKernels(): { ref: KernelRef; module: WebAssembly.Module }[] {
  const known = new Map<string, { ref: KernelRef; module: WebAssembly.Module }>();
  for (const k of kernelsBuilt()) known.set(k.hash!, { ref: { build: k.build, hash: k.hash! }, module: k.module });
  for (const [hash, entry] of registered) if (!known.has(hash)) known.set(hash, entry);
  return [...known.values()];
}

/**
 * The backend for `ref` in this thread, built once per hash: from `opts.module` or a module
 * registered for the hash, else the runtime's own kernel files, checked against the hash.
 * The default backend (init()) is reused when it runs the same kernels.
 */
export function backendFor(ref: KernelRef, opts: { module?: WebAssembly.Module } = {}): Promise<Backend> {
  checkRef(ref);
  let b = built.get(ref.hash);
  if (!b) {
    const loading = resolve(ref, opts.module ?? registered.get(ref.hash)?.module);
    built.set(ref.hash, loading);
    loading.catch(() => {
      if (built.get(ref.hash) === loading) built.delete(ref.hash); // a failed load can be retried
    });
    b = loading;
  }
  return b;
}

async function resolve(ref: KernelRef, module: WebAssembly.Module | undefined): Promise<Backend> {
  if (ref.build === 'reference') return new ReferenceBackend();
  const d = await defaultBackend()?.catch(() => undefined);
  if (d && kernelsOf(d)?.hash === ref.hash) return d;
  const k: Kernels = await loadKernels(module ? { module, build: ref.build } : { build: ref.build });
  // A registered module without a stamp is taken at its registration's word.
  if (k.hash !== null && k.hash !== ref.hash) mismatch(ref, k.hash, k.build, k.version);
  // In a pool's worker a shared-memory build may cut its calls over the cores the other workers
  // leave free: its threads start now, so they serve as soon as those cores are.
  const b = await backendOn({ ...k, hash: ref.hash }, sharedCores());
  await (b as WasmBackend).startThreads();
  return b;
}

function checkRef(ref: KernelRef): void {
  const ok = typeof ref === 'object' && ref !== null && typeof ref.hash === 'string' && ref.hash.length > 0 &&
    (ref.build === 'reference' ? ref.hash === 'reference' : KERNEL_BUILDS.includes(ref.build));
  if (!ok) fail('ERR_BAD_ARGUMENT', `a kernel ref is { build: ${KERNEL_BUILDS.map((b) => `'${b}'`).join(' | ')}, hash } or { build: 'reference', hash: 'reference' }, got ${JSON.stringify(ref)}`);
}

function mismatch(ref: KernelRef, hash: string, build: string, version: string | null): never {
  return fail('ERR_WASM_LOAD', `kernels differ: the task wants the '${ref.build}' build with hash ${ref.hash}, but this side has ` +
    `the '${build}' build${version ? ` of sparse-experts ${version}` : ''} with hash ${hash}: run the same sparse-experts version (and build) on both sides, ` +
    'or post the kernel module along (registerKernels)');
}
