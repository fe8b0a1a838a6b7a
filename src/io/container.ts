// The file container: magic, version, a JSON header and 8-byte-aligned little-endian
// tensor data, every byte under a CRC-32. It knows nothing about models; it moves a header
// and typed arrays. Version 2 (written):
//
//   0       "SPXM"                      magic
//   4       u32 LE                      format version
//   8       u32 LE                      header length H (bytes of UTF-8 JSON)
//   12      u32 LE                      CRC-32 of bytes [0, 12) and [16, D): all before the data but itself
//   16      H bytes                     JSON header: { …, "tensors": [{ dtype, length, offset, crc32 }, …] }
//   16 + H  zero padding to a multiple of 8
//   D       tensor data: tensor i at D + offset_i (offsets 8-aligned, in order, zero-padded
//           between); its crc32 covers its bytes and the padding after them; the file ends
//           at the 8-aligned end of the last tensor.
//
// Version 1 (still read) is the same without the checksums: the header starts at byte 12.
import { fail } from '../errors.js';
import { crc32 } from './crc32.js';

export const MAGIC = 'SPXM';
export const VERSION = 2;
/** Where the header starts, by version. */
const PREFIX: Record<number, number> = { 1: 12, 2: 16 };
const ALIGN = 8;

export type DType = 'f32' | 'i32' | 'f64' | 'u8' | 'u16';
/** u8 / u16: stored features (a dataset's bytes kept as bytes, in a task). */
export type Tensor = Float32Array | Int32Array | Float64Array | Uint8Array | Uint16Array;

export interface TensorEntry {
  dtype: DType;
  length: number;
  /** Bytes from the start of the data section. */
  offset: number;
  /** CRC-32 of the tensor's bytes and the padding after them (version 2). */
  crc32?: number;
}

const BYTES: Record<DType, number> = { f32: 4, i32: 4, f64: 8, u8: 1, u16: 2 };

export function dtypeOf(t: Tensor): DType {
  return t instanceof Float32Array ? 'f32' : t instanceof Int32Array ? 'i32' : t instanceof Uint8Array ? 'u8' : t instanceof Uint16Array ? 'u16' : 'f64';
}

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** The file bytes (version 2) for a header (any JSON object; `tensors` is added) and its tensors. */
export function writeContainer(header: Record<string, unknown>, tensors: readonly Tensor[]): Uint8Array {
  let end = 0;
  const entries: TensorEntry[] = tensors.map((t) => {
    const entry = { dtype: dtypeOf(t), length: t.length, offset: align(end) };
    end = entry.offset + t.length * BYTES[entry.dtype];
    return entry;
  });
  const body = new Uint8Array(align(end));
  const bodyView = new DataView(body.buffer);
  tensors.forEach((t, i) => {
    writeTensor(bodyView, entries[i].offset, t);
    entries[i].crc32 = crc32(tensorSpan(body, entries[i]));
  });
  const json = new TextEncoder().encode(JSON.stringify({ ...header, tensors: entries }));
  const at = PREFIX[VERSION];
  const data = align(at + json.length);
  const bytes = new Uint8Array(data + body.length);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, at);
  bytes.set(body, data);
  view.setUint32(12, headerCrc(bytes, data), true);
  return bytes;
}

/** The header (with its `tensors` table checked against the bytes) and the tensors, or ERR_BAD_FILE. */
export function readContainer(input: Uint8Array | ArrayBuffer): { header: Record<string, unknown>; tensors: Tensor[] } {
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : fail('ERR_BAD_FILE', 'expected the file as a Uint8Array or an ArrayBuffer');
  const tooShort = () => fail('ERR_BAD_FILE', `the file is ${bytes.length} bytes: too short for a sparse-experts file (truncated?)`);
  if (bytes.length < PREFIX[1]) tooShort();
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== MAGIC) fail('ERR_BAD_FILE', `not a sparse-experts file: it starts with ${JSON.stringify(magic)}, expected "${MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version > VERSION) fail('ERR_BAD_FILE', `the file has format version ${version}, newer than this library reads (${VERSION}): upgrade sparse-experts`);
  const at = PREFIX[version] ?? fail('ERR_BAD_FILE', `unknown format version ${version}`);
  if (bytes.length < at) tooShort();
  const length = view.getUint32(8, true);
  if (at + length > bytes.length) fail('ERR_BAD_FILE', `the header says ${length} bytes but the file has only ${bytes.length - at} after the prefix (truncated?)`);
  const data = align(at + length);
  if (version >= 2 && (data > bytes.length || headerCrc(bytes, data) !== view.getUint32(12, true))) {
    fail('ERR_BAD_FILE', "the header's CRC-32 does not match its bytes: the file is corrupt (changed or damaged after it was saved)");
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + length)));
  } catch (e) {
    fail('ERR_BAD_FILE', `the header is not UTF-8 JSON: ${(e as Error).message}`, e);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('ERR_BAD_FILE', 'the header is not a JSON object');
  const h = header as Record<string, unknown>;
  const body = bytes.subarray(data);
  const entries = checkEntries(h.tensors, body.length, version >= 2);
  entries.forEach((e, i) => {
    if (e.crc32 !== undefined && crc32(tensorSpan(body, e)) !== e.crc32) {
      fail('ERR_BAD_FILE', `tensor ${i}'s CRC-32 does not match its bytes: the file is corrupt (changed or damaged after it was saved)`);
    }
  });
  return { header: h, tensors: entries.map((e) => readTensor(view, data + e.offset, e)) };
}

/** A tensor's bytes and the zero padding after them, within the data section. */
function tensorSpan(body: Uint8Array, e: TensorEntry): Uint8Array {
  return body.subarray(e.offset, align(e.offset + e.length * BYTES[e.dtype]));
}

/** The CRC-32 of everything before the data section but the checksum field itself. */
function headerCrc(bytes: Uint8Array, data: number): number {
  return crc32([bytes.subarray(0, 12), bytes.subarray(16, data)]);
}

/** Entries in order, each 8-aligned right after the previous one, ending where the file ends. */
function checkEntries(table: unknown, available: number, checksums: boolean): TensorEntry[] {
  if (!Array.isArray(table)) fail('ERR_BAD_FILE', 'the header has no `tensors` table');
  let end = 0;
  const entries = table.map((e: Partial<TensorEntry> | null, i): TensorEntry => {
    const dtype = e?.dtype;
    if (dtype === undefined || !(dtype in BYTES)) fail('ERR_BAD_FILE', `tensor ${i} has unknown dtype ${JSON.stringify(dtype)} (expected f32, i32, f64, u8 or u16)`);
    const { length, offset } = e!;
    if (!Number.isSafeInteger(length) || length! < 0) fail('ERR_BAD_FILE', `tensor ${i} has a bad length ${JSON.stringify(length)}`);
    if (offset !== align(end)) fail('ERR_BAD_FILE', `tensor ${i} is at offset ${JSON.stringify(offset)}, expected ${align(end)} (right after tensor ${i - 1})`);
    end = offset + length! * BYTES[dtype];
    if (end > available) fail('ERR_BAD_FILE', `tensor ${i} ends at byte ${end} of the data but the file holds ${available} (truncated, or a wrong length or offset)`);
    if (!checksums) return { dtype, length: length!, offset };
    const sum = e!.crc32;
    if (!Number.isInteger(sum) || sum! < 0 || sum! > 0xffffffff) fail('ERR_BAD_FILE', `tensor ${i} has no valid crc32 (got ${JSON.stringify(sum)})`);
    return { dtype, length: length!, offset, crc32: sum };
  });
  if (align(end) !== available) fail('ERR_BAD_FILE', `the data section is ${available} bytes, but its tensors take ${align(end)}`);
  return entries;
}

// DataView with explicit little-endian order, so the bytes are the same on any host. Float32
// goes through its bit pattern (u32): exact bits, NaN payloads included.
function writeTensor(view: DataView, at: number, t: Tensor): void {
  if (t instanceof Float64Array) {
    for (let i = 0; i < t.length; i++) view.setFloat64(at + 8 * i, t[i], true);
    return;
  }
  if (t instanceof Uint8Array) return new Uint8Array(view.buffer, view.byteOffset + at, t.length).set(t);
  if (t instanceof Uint16Array) {
    for (let i = 0; i < t.length; i++) view.setUint16(at + 2 * i, t[i], true);
    return;
  }
  const words = new Uint32Array(t.buffer, t.byteOffset, t.length);
  for (let i = 0; i < words.length; i++) view.setUint32(at + 4 * i, words[i], true);
}

function readTensor(view: DataView, at: number, e: TensorEntry): Tensor {
  if (e.dtype === 'f64') {
    const t = new Float64Array(e.length);
    for (let i = 0; i < t.length; i++) t[i] = view.getFloat64(at + 8 * i, true);
    return t;
  }
  if (e.dtype === 'u8') return new Uint8Array(view.buffer, view.byteOffset + at, e.length).slice();
  if (e.dtype === 'u16') return Uint16Array.from({ length: e.length }, (_, i) => view.getUint16(at + 2 * i, true));
  const t = e.dtype === 'f32' ? new Float32Array(e.length) : new Int32Array(e.length);
  const words = new Uint32Array(t.buffer);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(at + 4 * i, true);
  return t;
}
