// The plain-TypeScript twin of the wasm backend: straightforward loops in float64
// accumulators, the reference every kernel is tested against, and a fallback where
// wasm cannot run.
import { fail } from '../errors.js';
import type { Backend, Buf, DType, F32, I32, MemoryStats } from './backend.js';
import { dim, fits } from './check.js';

class RefBuf<D extends DType = DType> implements Buf<D> {
  freed = false;
  constructor(
    readonly dtype: D,
    readonly data: D extends 'f32' ? Float32Array : Int32Array,
    readonly owner: ReferenceBackend,
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
  alloc(length: number, dtype: DType = 'f32'): Buf {
    dim('length', length);
    this.live++;
    this.bytes += length * 4;
    this.high = Math.max(this.high, this.bytes);
    return dtype === 'f32' ? new RefBuf('f32', new Float32Array(length), this) : new RefBuf('i32', new Int32Array(length), this);
  }

  upload(data: Float32Array): F32;
  upload(data: Int32Array): I32;
  upload(data: Float32Array | Int32Array): Buf {
    const buf = data instanceof Int32Array ? this.alloc(data.length, 'i32') : this.alloc(data.length);
    this.data(buf).set(data);
    return buf;
  }

  free(buf: Buf): void {
    const b = this.own(buf);
    b.freed = true;
    this.live--;
    this.bytes -= b.length * 4;
  }

  write(buf: Buf, data: ArrayLike<number>, offset = 0): void {
    dim('offset', offset);
    fits('buf', buf, offset + data.length, buf.dtype);
    this.data(buf).set(data, offset);
  }

  read(buf: F32): Float32Array;
  read(buf: I32): Int32Array;
  read(buf: Buf): Float32Array | Int32Array {
    return this.data(buf).slice();
  }

  view(buf: F32): Float32Array;
  view(buf: I32): Int32Array;
  view(buf: Buf): Float32Array | Int32Array {
    return this.data(buf);
  }

  copy(src: Buf, dst: Buf, n = src.length, srcOffset = 0, dstOffset = 0): void {
    dim('n', n);
    fits('src', src, srcOffset + n, src.dtype);
    fits('dst', dst, dstOffset + n, src.dtype);
    this.data(dst).set(this.data(src).subarray(srcOffset, srcOffset + n), dstOffset);
  }

  fill(buf: F32, value: number): void {
    this.data(buf).fill(value);
  }

  stats(): MemoryStats {
    return { bytesInUse: this.bytes, highWater: this.high, buffers: this.live };
  }

  // ---- dense ----

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32, accumulate = false): void {
    dim('m', m); dim('n', n); dim('k', k);
    fits('a', a, m * k); fits('b', b, k * n); fits('c', c, m * n);
    const A = this.f(a), B = this.f(b), C = this.f(c);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = accumulate ? C[i * n + j] : 0;
        for (let p = 0; p < k; p++) s += (transA ? A[p * m + i] : A[i * k + p]) * (transB ? B[j * k + p] : B[p * n + j]);
        C[i * n + j] = s;
      }
    }
  }

  // ---- helpers ----

  protected f(buf: F32): Float32Array {
    return this.data(buf) as Float32Array;
  }

  protected i(buf: I32): Int32Array {
    return this.data(buf) as Int32Array;
  }

  private data(buf: Buf): Float32Array | Int32Array {
    return this.own(buf).data;
  }

  private own(buf: Buf): RefBuf {
    if (!(buf instanceof RefBuf) || buf.owner !== this) fail('ERR_BUFFER_FREED', 'buffer does not belong to this backend');
    if (buf.freed) fail('ERR_BUFFER_FREED', 'buffer used after free()');
    return buf;
  }
}
