// Blobs as binary Redis keys: the bytes of one typed array under its SHA-256, in the namespace
// of the executor that owns them, with a TTL so a crashed caller's blobs expire on their own.
// Jobs reference blobs by key; the bytes are stored once, not inside the job or its events.
import { fail } from '../errors.js';
import { nodeCrypto } from '../node-builtins.js';
import type { Blobs, TaskBlob } from '../parallel/task.js';

export interface BlobRef {
  key: string;
  type: 'f32' | 'i32' | 'f64' | 'u8' | 'u16';
  length: number;
}

/** The few ioredis calls used here (binary values in, Buffers out). */
export interface BlobClient {
  set(key: string, value: Buffer, px: 'PX', ms: number): Promise<unknown>;
  getBuffer(key: string): Promise<Buffer | null>;
  del(...keys: string[]): Promise<number>;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
}

const TYPES = { f32: Float32Array, i32: Int32Array, f64: Float64Array, u8: Uint8Array, u16: Uint16Array } as const;

function typeOf(blob: TaskBlob): BlobRef['type'] {
  if (blob instanceof Float32Array) return 'f32';
  if (blob instanceof Int32Array) return 'i32';
  if (blob instanceof Float64Array) return 'f64';
  if (blob instanceof Uint8Array) return 'u8';
  if (blob instanceof Uint16Array) return 'u16';
  return fail('ERR_BAD_ARGUMENT', 'a task blob must be a Float32Array, Int32Array, Float64Array, Uint8Array or Uint16Array');
}

/** Stores every blob under `prefix` + its content hash (typed arrays' bytes as they are: little-endian on every Node platform). */
export async function putBlobs(client: BlobClient, prefix: string, blobs: Blobs, ttlMs: number): Promise<Record<string, BlobRef>> {
  const refs: Record<string, BlobRef> = {};
  await Promise.all(Object.entries(blobs).map(async ([name, blob]) => {
    const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const key = prefix + nodeCrypto().createHash('sha256').update(bytes).digest('hex');
    await client.set(key, bytes, 'PX', ttlMs);
    refs[name] = { key, type: typeOf(blob), length: blob.length };
  }));
  return refs;
}

export async function getBlobs(client: BlobClient, refs: Record<string, BlobRef>): Promise<Blobs> {
  const blobs: Blobs = {};
  await Promise.all(Object.entries(refs).map(async ([name, ref]) => {
    const Type = TYPES[ref.type];
    const bytes = Type ? await client.getBuffer(ref.key) : null;
    if (!Type || !bytes) fail('ERR_BAD_FILE', `blob '${name}' (${ref.key}) is gone from Redis: it expired or its caller cleaned up; run the fit again`);
    if (bytes.byteLength !== ref.length * Type.BYTES_PER_ELEMENT) fail('ERR_BAD_FILE', `blob '${name}' has ${bytes.byteLength} bytes, expected ${ref.length} ${ref.type} values`);
    // A copy: Buffers from the socket may share (and misalign) a larger buffer.
    blobs[name] = new Type(new Uint8Array(bytes).buffer);
  }));
  return blobs;
}

/** Deletes every blob under `prefix` (the owner's whole namespace, whoever wrote them). */
export async function deleteBlobs(client: BlobClient, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
    if (keys.length) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
