// An IDX images file and its labels file as a source: the headers give the sizes, and each
// pass reads both files in step, a block of rows at a time, never the whole file.
import { fail } from '../errors.js';
import { ByteReader, type OpenBytes } from './byte-stream.js';
import { type IdxData, type IdxHeader, decodeIdx, idxHeader, idxPairShape } from './idx.js';
import { type RowSource, blockSource } from './source.js';

export interface IdxSourceOptions {
  /** Divide u8 pixels by 255 into [0, 1] (default true), as loadIdxPair does. */
  scale?: boolean;
  /** Number of classes; default max label + 1 (found with one pass over the labels file). */
  classes?: number;
  /** Rows per block (default 4096). */
  blockRows?: number;
  /**
   * u8 images: 'u8' (default) keeps the pixels as bytes with scale 1/255 — a quarter of the
   * memory, widened per batch — as loadIdxPair's storage 'u8'; 'f32' divides by 255 up front,
   * as loadIdxPair does by default. Other dtypes are always read as float32.
   */
  storage?: 'u8' | 'f32';
}

/** Read the header of a file and leave the reader at its first value. */
async function readHeader(r: ByteReader, what: string): Promise<IdxHeader> {
  const head = await r.read(4);
  if (head.length < 4) fail('ERR_BAD_FILE', `the ${what} file is truncated: ${head.length} bytes, the header alone is at least 4`);
  const dims = await r.read(4 * head[3]);
  const bytes = new Uint8Array(4 + dims.length);
  bytes.set(head);
  bytes.set(dims, 4);
  return idxHeader(bytes);
}

async function header(open: OpenBytes, what: string): Promise<IdxHeader> {
  const r = ByteReader.open(open);
  try {
    return await readHeader(r, what);
  } finally {
    await r.close();
  }
}

/** `count` values of a file, or ERR_BAD_FILE when it ends first. */
async function values(r: ByteReader, h: IdxHeader, count: number, what: string): Promise<IdxData> {
  const bytes = await r.read(count * h.size);
  if (bytes.length < count * h.size) fail('ERR_BAD_FILE', `the ${what} file is truncated at byte ${r.offset}: ${h.dtype} ${h.dims.join('×')} needs ${h.offset + h.dims.reduce((a, d) => a * d, 1) * h.size}`);
  return decodeIdx(h.dtype, bytes, count);
}

/**
 * The rows of an IDX images file (n × …) with the labels of an IDX labels file (n, integer
 * dtype), read in blocks: ERR_BAD_FILE (not IDX, truncated, trailing bytes, float labels),
 * ERR_BAD_SHAPE (counts that differ).
 */
export async function idxSource(images: OpenBytes, labels: OpenBytes, options: IdxSourceOptions = {}): Promise<RowSource> {
  const blockRows = options.blockRows ?? 4096;
  if (!Number.isInteger(blockRows) || blockRows < 1) fail('ERR_BAD_ARGUMENT', `blockRows must be an integer ≥ 1, got ${blockRows}`);
  const img = await header(images, 'images');
  const lab = await header(labels, 'labels');
  const { rows, cols } = idxPairShape(img, lab);
  const scale = img.dtype === 'u8' && (options.scale ?? true);
  const storage = options.storage ?? 'u8';
  if (storage !== 'u8' && storage !== 'f32') fail('ERR_BAD_ARGUMENT', `storage must be 'u8' or 'f32', got ${JSON.stringify(storage)}`);
  const bytes = img.dtype === 'u8' && storage === 'u8';

  async function* labelBlocks(): AsyncGenerator<Int32Array> {
    const r = ByteReader.open(labels);
    try {
      await readHeader(r, 'labels');
      for (let at = 0; at < rows; at += blockRows) yield Int32Array.from(await values(r, lab, Math.min(blockRows, rows - at), 'labels'));
      if (!(await r.atEnd())) fail('ERR_BAD_FILE', `the labels file has bytes after its ${rows} labels`);
    } finally {
      await r.close();
    }
  }

  let classes = options.classes;
  if (classes === undefined) {
    let max = 0;
    for await (const y of labelBlocks()) for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]);
    classes = max + 1;
  }

  async function* blocks() {
    const r = ByteReader.open(images);
    try {
      await readHeader(r, 'images');
      let at = 0;
      for await (const y of labelBlocks()) {
        const raw = await values(r, img, y.length * cols, 'images');
        at += y.length;
        if (bytes) {
          yield { x: raw as Uint8Array, y, rows: y.length };
          continue;
        }
        const x = Float32Array.from(raw);
        if (scale) for (let i = 0; i < x.length; i++) x[i] /= 255;
        yield { x, y, rows: y.length };
      }
      if (!(await r.atEnd())) fail('ERR_BAD_FILE', `the images file has bytes after its ${at} rows`);
    } finally {
      await r.close();
    }
  }
  return blockSource(blocks, { rows, cols, classes, ...(bytes ? { storage: 'u8' as const, ...(scale ? { scale: 1 / 255 } : {}) } : {}) });
}
