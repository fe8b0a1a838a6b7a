// The IDX binary format of the original MNIST files: magic 0x0000 <dtype> <ndims>,
// ndims big-endian uint32 sizes, then the values big-endian, row-major.
import { fail } from '../errors.js';
import { type Dataset, type DenseX, validate } from './dataset.js';
import { allocRows } from './shared.js';

export type IdxDtype = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxTensor {
  readonly dtype: IdxDtype;
  readonly dims: number[];
  readonly data: IdxData;
}

const CODES: Record<IdxDtype, number> = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e };
const SIZES: Record<IdxDtype, number> = { u8: 1, i8: 1, i16: 2, i32: 4, f32: 4, f64: 8 };

function dtypeOf(code: number): IdxDtype | undefined {
  return (Object.keys(CODES) as IdxDtype[]).find((d) => CODES[d] === code);
}

export interface IdxHeader {
  readonly dtype: IdxDtype;
  readonly dims: number[];
  /** Bytes of the header: where the values start. */
  readonly offset: number;
  /** Bytes per value. */
  readonly size: number;
}

/** The header at the start of `bytes` (which may hold only a prefix of the file). */
export function idxHeader(bytes: Uint8Array): IdxHeader {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    fail('ERR_BAD_FILE', 'IDX data is gzip-compressed: decompress it first (zlib.gunzipSync, or DecompressionStream in browsers)');
  }
  if (bytes.length < 4) fail('ERR_BAD_FILE', `IDX data truncated: ${bytes.length} bytes, the header alone is at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail('ERR_BAD_FILE', `not an IDX file: magic starts ${bytes[0]}, ${bytes[1]} instead of 0, 0`);
  const dtype = dtypeOf(bytes[2]);
  if (!dtype) fail('ERR_BAD_FILE', `unknown IDX dtype code 0x${bytes[2].toString(16)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndims = bytes[3];
  const offset = 4 + 4 * ndims;
  if (bytes.length < offset) fail('ERR_BAD_FILE', `IDX data truncated inside the header (${ndims} dims need ${offset} bytes, got ${bytes.length})`);
  const dims = Array.from({ length: ndims }, (_, d) => view.getUint32(4 + 4 * d, false));
  return { dtype, dims, offset, size: SIZES[dtype] };
}

/** `count` big-endian values of `dtype` from the start of `bytes`. */
export function decodeIdx(dtype: IdxDtype, bytes: Uint8Array, count: number): IdxData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'u8':
      return bytes.slice(0, count);
    case 'i8':
      return new Int8Array(bytes.slice(0, count).buffer);
    case 'i16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case 'i32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case 'f32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    case 'f64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

/** `shared`: u8 data goes straight into a SharedArrayBuffer (where usable), with no other copy. */
export function parseIdx(bytes: Uint8Array, options: { shared?: boolean } = {}): IdxTensor {
  const { dtype, dims, offset, size } = idxHeader(bytes);
  const count = dims.reduce((a, d) => a * d, 1);
  const expected = offset + count * size;
  if (bytes.length !== expected) {
    fail('ERR_BAD_FILE', `IDX ${dtype} ${dims.join('×')} needs ${expected} bytes, got ${bytes.length} (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`);
  }
  const values = bytes.subarray(offset, expected);
  if (dtype !== 'u8') return { dtype, dims, data: decodeIdx(dtype, values, count) };
  const data = options.shared ? allocRows(Uint8Array, count, true) : new Uint8Array(count);
  data.set(values);
  return { dtype, dims, data };
}

/** The IDX bytes of a tensor (inverse of parseIdx). */
export function writeIdx(tensor: IdxTensor): Uint8Array {
  const { dtype, dims, data } = tensor;
  const size = SIZES[dtype];
  if (size === undefined) fail('ERR_BAD_ARGUMENT', `unknown IDX dtype ${dtype}`);
  if (dims.length > 255) fail('ERR_BAD_SHAPE', `IDX holds at most 255 dims, got ${dims.length}`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) fail('ERR_BAD_SHAPE', `IDX dims must be integers in [0, 2^32), got ${d}`);
    count *= d;
  }
  if (data.length !== count) fail('ERR_BAD_SHAPE', `dims ${dims.join('×')} hold ${count} values, data has ${data.length}`);
  const offset = 4 + 4 * dims.length;
  const bytes = new Uint8Array(offset + count * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = CODES[dtype];
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const p = offset + i * size;
    const v = data[i];
    if (dtype === 'u8') view.setUint8(p, v);
    else if (dtype === 'i8') view.setInt8(p, v);
    else if (dtype === 'i16') view.setInt16(p, v, false);
    else if (dtype === 'i32') view.setInt32(p, v, false);
    else if (dtype === 'f32') view.setFloat32(p, v, false);
    else view.setFloat64(p, v, false);
  }
  return bytes;
}

export interface IdxPairOptions {
  /** Divide u8 pixels by 255 into [0, 1] (default true). */
  scale?: boolean;
  /** Number of classes; default max label + 1. */
  classes?: number;
  /**
   * 'u8': keep u8 pixels as bytes (a quarter of float32's memory), with `scale` 1/255 on the
   * dataset; training widens each batch as it is gathered, exactly as toFloat32 would. Default
   * 'f32': float32 pixels v / 255 (as numpy and tfjs divide), which for half the byte values
   * is 1 ulp from v·f32(1/255): the two storages train near-identical, not identical, models.
   */
  storage?: 'f32' | 'u8';
  /**
   * Place the images in a SharedArrayBuffer, so the experts on every worker read these rows in
   * place (default: where shared memory is usable — Node, cross-origin isolated pages).
   */
  shared?: boolean;
}

/** Rows and features of an images file (n × …) with its labels file (n, integer dtype); ERR_BAD_SHAPE / ERR_BAD_FILE otherwise. */
export function idxPairShape(img: Pick<IdxHeader, 'dtype' | 'dims'>, lab: Pick<IdxHeader, 'dtype' | 'dims'>): { rows: number; cols: number } {
  if (img.dims.length < 1) fail('ERR_BAD_SHAPE', 'the images file has no dimensions');
  if (lab.dims.length !== 1) fail('ERR_BAD_SHAPE', `the labels file must be 1-D, got ${lab.dims.join('×')}`);
  if (lab.dtype === 'f32' || lab.dtype === 'f64') fail('ERR_BAD_FILE', `labels must have an integer dtype, got ${lab.dtype}`);
  const rows = img.dims[0];
  if (lab.dims[0] !== rows) fail('ERR_BAD_SHAPE', `${rows} images but ${lab.dims[0]} labels`);
  const cols = img.dims.slice(1).reduce((a, b) => a * b, 1);
  return { rows, cols };
}

/** An images file (n × …) and a labels file (n, integer dtype) → a classification dataset. */
export function loadIdxPair(images: Uint8Array, labels: Uint8Array, options: IdxPairOptions & { storage: 'u8' }): Dataset<Uint8Array>;
export function loadIdxPair(images: Uint8Array, labels: Uint8Array, options?: IdxPairOptions): Dataset;
export function loadIdxPair(images: Uint8Array, labels: Uint8Array, options: IdxPairOptions = {}): Dataset<DenseX> {
  const shared = options.shared ?? true;
  const img = parseIdx(images, { shared: shared && options.storage === 'u8' });
  const lab = parseIdx(labels);
  const { rows, cols } = idxPairShape(img, lab);
  const storage = options.storage ?? 'f32';
  if (storage !== 'f32' && storage !== 'u8') fail('ERR_BAD_ARGUMENT', `storage must be 'f32' or 'u8', got ${JSON.stringify(storage)}`);
  if (storage === 'u8' && img.dtype !== 'u8') fail('ERR_BAD_ARGUMENT', `storage 'u8' keeps u8 images as bytes, but these images are ${img.dtype}: use storage 'f32'`);
  const scaled = img.dtype === 'u8' && (options.scale ?? true);
  const y = Int32Array.from(lab.data);
  let max = 0;
  for (let i = 0; i < y.length; i++) if (y[i] > max) max = y[i];
  const base = { rows, cols, y, classes: options.classes ?? max + 1 };
  if (storage === 'u8') return validate({ ...base, x: img.data as Uint8Array, ...(scaled ? { scale: 1 / 255 } : {}) });
  const x = allocRows(Float32Array, img.data.length, shared);
  x.set(img.data);
  if (scaled) for (let i = 0; i < x.length; i++) x[i] /= 255;
  return validate({ ...base, x });
}
