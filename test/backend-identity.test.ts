// A backend that stays put, and kernels named by build + content hash: createBackend
// touches no global, init() alone sets the default, kernelRef is the same for the same bytes
// however they arrive, and backendFor builds one backend per hash in a thread.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WasmBackend } from '../src/backend/wasm.js';
import { type Backend, SparseExpertModel, SparseExpertsError, fromArrays, getBackend, init } from '../src/index.js';
import { type KernelRef, backendFor, createBackend, kernelRef, registerKernels } from '../src/backend/index.js';
import { wasm } from './util/backends.js';
import { allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const dist = new URL('../dist/', import.meta.url);
const file = (name: string) => Uint8Array.from(readFileSync(new URL(name, dist)));

/** The kernel file without the build's stamp section: the bytes the hash is of. */
function unstamped(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  let p = 8;
  const leb = (): number => {
    let v = 0, shift = 0, b: number;
    do {
      b = bytes[p++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return v >>> 0;
  };
  while (p < bytes.length) {
    const start = p, id = bytes[p++], size = leb(), body = p;
    if (id === 0) {
      const n = leb();
      if (new TextDecoder().decode(bytes.subarray(p, p + n)) === 'sparse-experts.kernels') return Uint8Array.from([...bytes.subarray(0, start), ...bytes.subarray(body + size)]);
    }
    p = body + size;
  }
  throw new Error('no stamp section');
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function code(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (err) {
    assert.instance(err, SparseExpertsError);
    return (err as SparseExpertsError).code;
  }
  return undefined;
}

test('createBackend twice → two backends with their own memory; the default is unchanged', async () => {
  const before = await getBackend();
  const memory = (before as WasmBackend).k.memory.buffer.byteLength;
  const [a, b] = await Promise.all([createBackend({ build: 'simd' }), createBackend({ build: 'simd' })]);
  assert.ok(a !== b && a !== before && b !== before);
  assert.ok((a as WasmBackend).k.memory !== (b as WasmBackend).k.memory);
  assert.is(await getBackend(), before, 'createBackend must not become the default');
  assert.is(await init(), before, 'init() with no options returns the default');
  assert.is((before as WasmBackend).k.memory.buffer.byteLength, memory, "the default's memory did not grow");
  // Each computes on its own buffers.
  const x = a.upload(new Float32Array([1, 2, 3, 4])), y = a.alloc(4);
  a.gemm(false, false, 2, 2, 2, x, x, y);
  allEqual(a.read(y), [7, 10, 15, 22], 0, 'gemm on a created backend');
  assert.is(await code(() => b.read(y)), 'ERR_BUFFER_FREED', "a buffer of one backend is not another's");
  const ref = await createBackend({ backend: 'reference' });
  assert.is(ref.name, 'reference');
  assert.is(await getBackend(), before);
});

test('a failed init keeps the previous default', async () => {
  const before = await getBackend();
  assert.is(await code(() => init({ bytes: new Uint8Array([0, 1, 2, 3]) })), 'ERR_WASM_LOAD');
  assert.is(await code(() => createBackend({ bytes: new Uint8Array([0, 1, 2, 3]) })), 'ERR_WASM_LOAD');
  assert.is(await getBackend(), before);
});

test('kernelRef: SHA-256 of the kernels as built, the same from a file, bytes without the stamp, or a Module', async () => {
  // The build under test (KERNEL_BUILD), and the other one.
  const [mine, other] = wasm.name === 'wasm-relaxed' ? ['kernels-relaxed.wasm', 'kernels.wasm'] : ['kernels.wasm', 'kernels-relaxed.wasm'];
  const build = wasm.name === 'wasm-relaxed' ? 'relaxed' : 'simd';
  const bytes = file(mine), plain = unstamped(bytes);
  const want: KernelRef = { build, hash: sha256(plain) };
  assert.equal(kernelRef(wasm), want, 'the file loaded by the runtime');
  assert.equal(kernelRef(await createBackend({ bytes: plain, build })), want, 'unstamped bytes, hashed at load');
  assert.equal(kernelRef(await createBackend({ module: new WebAssembly.Module(bytes) })), want, 'a precompiled module, from its stamp');
  assert.ok(sha256(unstamped(file(other))) !== want.hash, 'the builds differ');
  assert.equal(kernelRef(await createBackend({ backend: 'reference' })), { build: 'reference', hash: 'reference' });
  assert.equal(JSON.parse(JSON.stringify(want)), want, 'a ref is plain data');
});

test("a stamped module says its build; asking for another build of it fails", async () => {
  const module = new WebAssembly.Module(file('kernels.wasm'));
  assert.is((await createBackend({ module })).name, 'wasm-simd');
  assert.is(await code(() => createBackend({ module, build: 'relaxed' })), 'ERR_WASM_LOAD');
});

test('backendFor: one backend per hash in this thread, reusing the default when it matches', async () => {
  const ref = JSON.parse(JSON.stringify(kernelRef(wasm))) as KernelRef;
  assert.is(await backendFor(ref), await getBackend(), 'the default runs these kernels');
  assert.is(await backendFor(ref), await backendFor({ ...ref }));
  const r1 = await backendFor({ build: 'reference', hash: 'reference' });
  assert.is(r1.name, 'reference');
  assert.is(await backendFor({ build: 'reference', hash: 'reference' }), r1);
  assert.is(await getBackend(), wasm, 'backendFor never changes the default');
});

test('backendFor: a hash this runtime does not have → ERR_WASM_LOAD naming both hashes, and the library still works', async () => {
  const ref: KernelRef = { build: kernelRef(wasm).build, hash: 'f'.repeat(64) };
  try {
    await backendFor(ref);
    assert.unreachable('resolved');
  } catch (err) {
    assert.is((err as SparseExpertsError).code, 'ERR_WASM_LOAD');
    assert.match((err as Error).message, ref.hash);
    assert.match((err as Error).message, kernelRef(wasm).hash);
  }
  assert.is(await code(() => backendFor(ref)), 'ERR_WASM_LOAD', 'a failed resolve is retried, and fails again');
  assert.is(await code(() => backendFor({ build: 'simd' } as KernelRef)), 'ERR_BAD_ARGUMENT');
  assert.is(await code(() => backendFor({ build: 'wasm', hash: 'x' } as unknown as KernelRef)), 'ERR_BAD_ARGUMENT');
  assert.is(await code(() => backendFor({ build: 'reference', hash: 'x' })), 'ERR_BAD_ARGUMENT');
  assert.is(await getBackend(), wasm);
});

test('registerKernels: backendFor uses the registered module (as a pool posts it), checked against its stamp', async () => {
  // Other kernel bytes: the build plus one custom section, unstamped, so a different hash.
  const other = Uint8Array.from([...unstamped(file('kernels.wasm')), 0, 2, 1, 0x78]);
  const ref: KernelRef = { build: 'simd', hash: sha256(other) };
  assert.is(await code(() => backendFor(ref)), 'ERR_WASM_LOAD', "this runtime's own files are not those kernels");
  registerKernels(ref, new WebAssembly.Module(other));
  const b: Backend = await backendFor(ref);
  assert.equal(kernelRef(b), ref);
  assert.ok(b !== wasm);
  assert.is(await backendFor(ref), b);
  // A stamped module registered under another hash is refused.
  assert.is(await code(() => registerKernels(ref, new WebAssembly.Module(file('kernels.wasm')))), 'ERR_WASM_LOAD');
  // Given directly, a module works the same way.
  const third = Uint8Array.from([...other, 0, 2, 1, 0x79]);
  const ref3: KernelRef = { build: 'simd', hash: sha256(third) };
  assert.equal(kernelRef(await backendFor(ref3, { module: new WebAssembly.Module(third) })), ref3);
});

test('fit with workers: 0 computes on the default backend: same object after, no second kernel instance', async () => {
  const before = await getBackend(), memory = (before as WasmBackend).k.memory.buffer.byteLength, stats = before.stats();
  const r = rng(SEED + 70);
  const ds = fromArrays(Array.from({ length: 120 }, () => r.floats(6)), Array.from({ length: 120 }, () => r.int(0, 3)));
  const instantiate = WebAssembly.instantiate;
  let instances = 0;
  WebAssembly.instantiate = ((...args: Parameters<typeof instantiate>) => {
    instances++;
    return instantiate(...args);
  }) as typeof instantiate;
  try {
    const m = new SparseExpertModel({ experts: 2, expert: { kind: 'mlp', hidden: [4], fit: { epochs: 1, batchSize: 32 } }, combine: 'fixed', workers: 0, seed: 1 });
    await m.fit(ds);
    assert.ok(before.stats().buffers > stats.buffers, 'the model lives on the default backend');
    m.dispose();
  } finally {
    WebAssembly.instantiate = instantiate;
  }
  assert.is(instances, 0, 'no kernel instance was built during fit');
  assert.is(await getBackend(), before, 'getBackend() is the very same object');
  assert.ok((before as WasmBackend).k.memory.buffer.byteLength < 2 * memory, 'wasm memory did not double');
  assert.is(before.stats().buffers, stats.buffers, 'dispose freed what fit allocated');
});

test.run();
