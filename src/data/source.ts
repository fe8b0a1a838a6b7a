// Rows that need not fit in memory: a source hands them out as blocks of consecutive rows,
// one pass at a time (a file read in chunks, a generator), with its sizes known up front.
// Trainers read a pass through checkedBlocks, which checks every block as it arrives.
import { fail } from '../errors.js';
import { type Dataset, type DenseX, type Labels, checkStorage, floatRows, validate } from './dataset.js';
import type { SourceRef } from './source-refs.js';

/** Consecutive rows: `x` is rows × cols, row-major (float32, or the source's stored u8 / u16); one label per row. */
export interface RowBlock {
  readonly x: DenseX;
  readonly y: Labels;
  readonly rows: number;
}

export interface RowSource {
  /** Rows in one pass. */
  readonly rows: number;
  readonly cols: number;
  /** Set for classification (labels are Int32Array class ids); absent for regression. */
  readonly classes?: number;
  /** Features stored as bytes or u16s (each block's x a Uint8Array / Uint16Array), read as f32(v)·scale + offset; absent: float32. */
  readonly storage?: Storage;
  readonly scale?: number;
  readonly offset?: number;
  /** How to open this source again elsewhere (a worker); absent for sources that cannot travel (a Blob, a generator). */
  readonly ref?: SourceRef;
  /** A fresh pass over every row in order, from row 0; each call starts again. */
  blocks(): AsyncIterable<RowBlock>;
}

export function isSource(ds: unknown): ds is RowSource {
  return typeof (ds as RowSource | null)?.blocks === 'function';
}

export type Storage = 'u8' | 'u16';

export interface BlockSourceInfo {
  cols: number;
  storage?: Storage;
  scale?: number;
  offset?: number;
  /** Rows per pass; counted with one pass when not given. */
  rows?: number;
  classes?: number;
}

/** A source over `pass` (called once per pass); with `rows` unknown, one checked pass counts them. */
export async function blockSource(pass: () => AsyncIterable<RowBlock>, info: BlockSourceInfo): Promise<RowSource> {
  const { cols, classes, storage, scale, offset } = info;
  if (!Number.isInteger(cols) || cols < 1) fail('ERR_BAD_ARGUMENT', `a source needs cols, an integer ≥ 1, got ${cols}`);
  if (classes !== undefined && !(Number.isInteger(classes) && classes >= 1)) fail('ERR_BAD_ARGUMENT', `classes must be an integer ≥ 1, got ${classes}`);
  if (storage !== undefined && storage !== 'u8' && storage !== 'u16') fail('ERR_BAD_ARGUMENT', `storage must be 'u8' or 'u16' (or absent: float32), got ${JSON.stringify(storage)}`);
  checkStorage({ x: storage === 'u8' ? new Uint8Array(0) : storage === 'u16' ? new Uint16Array(0) : new Float32Array(0), scale, offset });
  const shape = {
    cols, ...(classes === undefined ? {} : { classes }), ...(storage === undefined ? {} : { storage }),
    ...(scale === undefined ? {} : { scale }), ...(offset === undefined ? {} : { offset }),
  };
  let rows = info.rows;
  if (rows === undefined) {
    rows = 0;
    for await (const block of checkedBlocks({ ...shape, rows: Infinity, blocks: pass })) rows += block.rows;
  }
  if (!Number.isInteger(rows) || rows < 1) fail('ERR_EMPTY', `a source needs at least one row, got ${rows}`);
  return { ...shape, rows, blocks: pass };
}

/** The storage of features held as `x`. */
function storageOfX(x: DenseX): Storage | undefined {
  return x instanceof Uint8Array ? 'u8' : x instanceof Uint16Array ? 'u16' : undefined;
}

/** The fields a source shares with a dataset of its rows: classes and stored-feature storage. */
function shapeOf(src: Pick<RowSource, 'classes' | 'storage' | 'scale' | 'offset'>): Pick<RowSource, 'classes' | 'storage' | 'scale' | 'offset'> {
  const { classes, storage, scale, offset } = src;
  return {
    ...(classes === undefined ? {} : { classes }), ...(storage === undefined ? {} : { storage }),
    ...(scale === undefined ? {} : { scale }), ...(offset === undefined ? {} : { offset }),
  };
}

/** An in-memory dataset (float32 or stored features) as a source of blocks of `blockRows` rows (views, not copies). */
export function datasetSource(ds: Dataset<DenseX>, blockRows = 4096): RowSource {
  validate(ds);
  if (!Number.isInteger(blockRows) || blockRows < 1) fail('ERR_BAD_ARGUMENT', `blockRows must be an integer ≥ 1, got ${blockRows}`);
  const { rows, cols } = ds;
  return {
    rows, cols, ...shapeOf({ ...ds, storage: storageOfX(ds.x) }),
    async *blocks() {
      for (let r = 0; r < rows; r += blockRows) {
        const n = Math.min(blockRows, rows - r);
        yield { x: ds.x.subarray(r * cols, (r + n) * cols), y: ds.y.subarray(r, r + n), rows: n };
      }
    },
  };
}

/**
 * One pass of `src`, every block checked: ERR_BAD_SHAPE (ragged x, a y of another length,
 * more or fewer rows than the source says), ERR_NON_FINITE (naming the row and column),
 * ERR_LABEL_RANGE / ERR_BAD_ARGUMENT (labels of the wrong kind). Row numbers count from the
 * pass's start.
 */
export async function* checkedBlocks(src: RowSource): AsyncGenerator<RowBlock> {
  const { cols, classes } = src;
  let start = 0;
  for await (const block of src.blocks()) {
    const { x, y, rows } = block ?? ({} as RowBlock);
    if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `the block at row ${start} says it has ${rows} rows`);
    const want = src.storage === 'u8' ? Uint8Array : src.storage === 'u16' ? Uint16Array : Float32Array;
    if (!(x instanceof want)) fail('ERR_BAD_ARGUMENT', `the block at row ${start}: x must be a ${want.name} (the source's storage)`);
    if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `the block at row ${start} is ragged: ${x.length} values for ${rows} rows × ${cols} columns`);
    if (y?.length !== rows) fail('ERR_BAD_SHAPE', `the block at row ${start} has ${y?.length} labels for ${rows} rows`);
    if (start + rows > src.rows) fail('ERR_BAD_SHAPE', `the source yields more than the ${src.rows} rows it says it has`);
    for (let i = 0; i < x.length && want === Float32Array; i++) {
      if (!Number.isFinite(x[i])) fail('ERR_NON_FINITE', `feature at row ${start + Math.floor(i / cols)}, column ${i % cols} is ${x[i]}`);
    }
    if (classes === undefined) {
      if (!(y instanceof Float32Array)) fail('ERR_BAD_ARGUMENT', `the block at row ${start}: regression targets must be a Float32Array`);
      for (let i = 0; i < rows; i++) if (!Number.isFinite(y[i])) fail('ERR_NON_FINITE', `target at row ${start + i} is ${y[i]}`);
    } else {
      if (!(y instanceof Int32Array)) fail('ERR_BAD_ARGUMENT', `the block at row ${start}: class labels must be an Int32Array`);
      for (let i = 0; i < rows; i++) {
        if (y[i] < 0 || y[i] >= classes) fail('ERR_LABEL_RANGE', `label ${y[i]} at row ${start + i} is not in [0, ${classes})`);
      }
    }
    start += rows;
    yield block;
  }
  if (start !== src.rows && src.rows !== Infinity) fail('ERR_BAD_SHAPE', `the source yielded ${start} rows, but says it has ${src.rows}`);
}

/** Every row of a source in memory (for a source known to be small: a test set, a sample). */
export async function readAll(src: RowSource): Promise<Dataset<DenseX>> {
  const n = src.rows * src.cols;
  const x = src.storage === 'u8' ? new Uint8Array(n) : src.storage === 'u16' ? new Uint16Array(n) : new Float32Array(n);
  const y = src.classes === undefined ? new Float32Array(src.rows) : new Int32Array(src.rows);
  let r = 0;
  for await (const block of checkedBlocks(src)) {
    x.set(block.x, r * src.cols);
    y.set(block.y, r);
    r += block.rows;
  }
  return { x, rows: src.rows, cols: src.cols, y, ...shapeOf(src) };
}

/** Every label of a source, in row order (one pass; 4 bytes a row). */
export async function sourceLabels(src: RowSource): Promise<Int32Array | Float32Array> {
  const y = src.classes === undefined ? new Float32Array(src.rows) : new Int32Array(src.rows);
  let r = 0;
  for await (const block of checkedBlocks(src)) {
    y.set(block.y, r);
    r += block.rows;
  }
  return y;
}

/** The rows `rows` (ascending, no repeats) of a source, streamed: each pass reads `src` whole and keeps those rows. */
export function subsetSource(src: RowSource, rows: Int32Array): RowSource {
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= src.rows || (i > 0 && rows[i] <= rows[i - 1])) {
      fail('ERR_BAD_ARGUMENT', `subset rows must ascend without repeats inside [0, ${src.rows}); position ${i} holds ${rows[i]}`);
    }
  }
  if (rows.length === 0) fail('ERR_EMPTY', 'a subset of no rows');
  const { cols } = src;
  return {
    rows: rows.length, cols, ...shapeOf(src),
    async *blocks() {
      let start = 0, next = 0;
      for await (const block of checkedBlocks(src)) {
        const end = start + block.rows;
        let n = 0;
        while (next + n < rows.length && rows[next + n] < end) n++;
        if (n > 0) {
          const x = new (block.x.constructor as new (n: number) => DenseX)(n * cols);
          const y = block.y instanceof Int32Array ? new Int32Array(n) : new Float32Array(n);
          for (let i = 0; i < n; i++) {
            const r = rows[next + i] - start;
            x.set(block.x.subarray(r * cols, (r + 1) * cols), i * cols);
            y[i] = block.y[r];
          }
          next += n;
          yield { x, y, rows: n };
        }
        start = end;
        if (next === rows.length) return;
      }
    },
  };
}

/** A block's features as float32, widened as the source's storage says (floatRows). */
export function blockFloats(src: RowSource, block: RowBlock): Float32Array {
  return floatRows({ x: block.x, rows: block.rows, cols: src.cols, y: block.y, ...shapeOf(src) });
}
