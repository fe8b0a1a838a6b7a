// Allocator for the wasm linear memory, owned by TypeScript: kernels never allocate.
// First-fit over a sorted free list with coalescing; 64-byte aligned blocks so SIMD
// loads never straddle cache lines. Grows the memory when no free block fits.
import { fail } from '../errors.js';

const ALIGN = 64;
const PAGE = 65536;

interface Block {
  start: number;
  size: number;
}

export class Arena {
  private free: Block[] = [];
  private top: number;
  private used = new Map<number, number>();
  bytesInUse = 0;
  highWater = 0;

  /** Manages bytes from `base` (the module's heap base) upward, growing `memory` on demand. */
  constructor(
    base: number,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.top = align(base);
  }

  /** Byte offset of a new block of at least `bytes` (≥ 1) bytes. */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size < size) continue;
      const start = b.start;
      if (b.size === size) this.free.splice(i, 1);
      else {
        b.start += size;
        b.size -= size;
      }
      return this.take(start, size);
    }
    const start = this.top;
    const need = start + size - this.memory.buffer.byteLength;
    if (need > 0) {
      try {
        this.memory.grow(Math.ceil(need / PAGE));
      } catch (err) {
        fail('ERR_OUT_OF_MEMORY', `a buffer of ${mb(bytes)} MB does not fit: ${mb(this.bytesInUse)} MB are in use and the memory cannot grow from ${mb(this.memory.buffer.byteLength)} MB` +
          ' past its maximum: free buffers, stream the data from a source (fit takes one), or use a backend with more memory', err);
      }
    }
    this.top = start + size;
    return this.take(start, size);
  }

  release(start: number): void {
    const size = this.used.get(start);
    if (size === undefined) return;
    this.used.delete(start);
    this.bytesInUse -= size;
    // Insert sorted, then merge with neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    this.free.splice(i, 0, { start, size });
    if (i + 1 < this.free.length && start + size === this.free[i + 1].start) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].start + this.free[i - 1].size === start) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
      i--;
    }
    // A free block at the top returns to the bump region.
    const last = this.free[this.free.length - 1];
    if (last && last.start + last.size === this.top) {
      this.top = last.start;
      this.free.pop();
    }
  }

  get liveBlocks(): number {
    return this.used.size;
  }

  private take(start: number, size: number): number {
    this.used.set(start, size);
    this.bytesInUse += size;
    if (this.bytesInUse > this.highWater) this.highWater = this.bytesInUse;
    return start;
  }
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
