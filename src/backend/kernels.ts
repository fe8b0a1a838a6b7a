// Instantiating the kernel module from whatever a runtime can provide. Only this file
// touches @assemblyscript/loader (deprecated upstream in favour of generated bindings).
import { instantiate } from '@assemblyscript/loader';
import { fail } from '../errors.js';

/** The raw exports of dist/kernels*.wasm: pointers and sizes only. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemmWorkSize(): number;
  gemm(transA: number, transB: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, work: number): void;
  [kernel: string]: unknown;
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

export async function instantiateKernels(source: WebAssembly.Module | BufferSource): Promise<KernelExports> {
  try {
    const { exports } = await instantiate<KernelExports>(source as WebAssembly.Module);
    return exports as unknown as KernelExports;
  } catch (err) {
    fail('ERR_WASM_LOAD', `could not instantiate the kernels: ${(err as Error).message}. ` +
      'In edge runtimes that forbid compiling wasm at run time, pass a precompiled module: init({ module }). ' +
      "Or opt into the plain-TypeScript backend: init({ backend: 'reference' }).", err);
  }
}
