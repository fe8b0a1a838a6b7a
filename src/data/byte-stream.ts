// Bytes read in chunks, the same way everywhere: a browser's ReadableStream (Blob.stream(),
// a fetch body) or any async iterable of chunks (a Node fs stream), read through one reader
// that hands out exact byte counts across chunk boundaries.
import { fail } from '../errors.js';

export type ByteStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
/** Opens the bytes from the start, once per pass over them. */
export type OpenBytes = () => ByteStream | Promise<ByteStream>;

/** A Blob or File (browsers; Node's fs.openAsBlob) read in chunks, once per pass. */
export function blobBytes(blob: Blob): OpenBytes {
  if (typeof blob?.stream !== 'function') fail('ERR_BAD_ARGUMENT', 'blobBytes needs a Blob or File');
  return () => blob.stream();
}

function chunksOf(stream: ByteStream): AsyncIterator<Uint8Array> {
  if (typeof (stream as ReadableStream).getReader === 'function') {
    // Not every browser makes ReadableStream async-iterable: read it through its reader.
    const reader = (stream as ReadableStream<Uint8Array>).getReader();
    return {
      next: async () => {
        const r = await reader.read();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
      },
      return: async () => {
        await reader.cancel();
        return { done: true, value: undefined };
      },
    };
  }
  if (typeof (stream as AsyncIterable<Uint8Array>)?.[Symbol.asyncIterator] !== 'function') fail('ERR_BAD_ARGUMENT', 'bytes must come as a ReadableStream or an async iterable of Uint8Array chunks');
  return (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
}

/** The chunks of one pass over the bytes; the stream is closed when the loop ends early. */
export async function* byteChunks(open: OpenBytes): AsyncGenerator<Uint8Array> {
  const it = chunksOf(await open());
  let done = false;
  try {
    for (;;) {
      const r = await it.next();
      if ((done = r.done === true)) return;
      if (!(r.value instanceof Uint8Array)) fail('ERR_BAD_ARGUMENT', 'a byte stream yielded something other than Uint8Array chunks');
      yield r.value;
    }
  } finally {
    if (!done) await it.return?.();
  }
}

/** Exact-sized reads over a chunked byte stream. */
export class ByteReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  private ended = false;
  /** Bytes handed out so far. */
  offset = 0;

  private constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** A reader of one pass over the bytes (opened on the first read). */
  static open(open: OpenBytes): ByteReader {
    return new ByteReader(byteChunks(open));
  }

  /** The next `n` bytes, fewer only at the end of the stream (a view or a new array: do not keep it past the next read). */
  async read(n: number): Promise<Uint8Array> {
    if (this.chunk.length - this.at >= n) return this.take(n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.at === this.chunk.length && !(await this.pull())) break;
      const part = this.take(Math.min(n - filled, this.chunk.length - this.at));
      out.set(part, filled);
      filled += part.length;
    }
    return filled === n ? out : out.subarray(0, filled);
  }

  /** Whether the stream has bytes left. */
  async atEnd(): Promise<boolean> {
    return this.at === this.chunk.length && !(await this.pull());
  }

  async close(): Promise<void> {
    if (!this.ended) await this.it.return?.();
    this.ended = true;
  }

  private take(n: number): Uint8Array {
    const part = this.chunk.subarray(this.at, this.at + n);
    this.at += n;
    this.offset += n;
    return part;
  }

  private async pull(): Promise<boolean> {
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      if (r.value.length === 0) continue;
      this.chunk = r.value;
      this.at = 0;
      return true;
    }
    return false;
  }
}
