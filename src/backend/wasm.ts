// The wasm backend: thin shims that check arguments, map buffers to pointers and call
// the SIMD kernels. All buffers live in the module's one linear memory, carved by Arena.
import { fail } from '../errors.js';
import { Arena } from './arena.js';
import type { Backend, Buf, DType, F32, I32, MemoryStats } from './backend.js';
import { dim, fits } from './check.js';
import type { KernelExports } from './kernels.js';

class WasmBuf<D extends DType = DType> implements Buf<D> {
  freed = false;
  constructor(
    readonly dtype: D,
    readonly length: number,
    readonly ptr: number,
    readonly owner: WasmBackend,
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
    b.freed = true;
    this.arena.release(b.ptr);
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
    const own = this.k.gemmWorkSize() * 4;
    return { bytesInUse: this.arena.bytesInUse - own, highWater: this.arena.highWater - own, buffers: this.arena.liveBlocks - 1 };
  }

  // ---- dense ----

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    dim('m', m); dim('n', n); dim('k', k);
    fits('a', a, m * k); fits('b', b, k * n); fits('c', c, m * n);
    this.k.gemm(+transA, +transB, m, n, k, this.ptr(a), transA ? m : k, this.ptr(b), transB ? k : n, this.ptr(c), n, +accumulate, this.gemmWork);
  }

  // ---- helpers ----

  /** Pointer of a live buffer of this backend. */
  protected ptr(buf: Buf): number {
    return this.own(buf).ptr;
  }

  private own(buf: Buf): WasmBuf {
    if (!(buf instanceof WasmBuf) || buf.owner !== this) fail('ERR_BUFFER_FREED', 'buffer does not belong to this backend');
    if (buf.freed) fail('ERR_BUFFER_FREED', 'buffer used after free()');
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
