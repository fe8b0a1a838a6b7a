// What fit's loop reads: each epoch's mini-batches, as a batch in backend memory and its
// labels on the host. From memory, the whole set is shuffled whole (and uploaded once when it
// fits the budget of nn/batches.ts); from a source, rows stream through two windows in backend
// memory and are shuffled per window.
import { fail } from '../errors.js';
import type { Backend, Buf, F32, I32, U16, U8 } from '../backend/backend.js';
import type { AnyDataset, Labels } from '../data/dataset.js';
import type { Rng } from '../data/prng.js';
import { type RowBlock, type RowSource, checkedBlocks } from '../data/source.js';
import { RESIDENT_BYTES, trainingBatches } from '../nn/batches.js';
import type { SparseRows } from '../nn/layer.js';

export interface Batch {
  x: F32 | SparseRows;
  /** The batch's labels in its first `n` entries. */
  y: Labels;
  n: number;
}

export interface Feed {
  readonly rows: number;
  /** One epoch: every row exactly once, in batches of the batch size (the last one shorter). */
  epoch(rng: Rng, shuffle: boolean): AsyncIterable<Batch>;
  dispose(): void;
}

function labelsLike(y: Labels | undefined, n: number): Labels {
  return y instanceof Float32Array ? new Float32Array(n) : new Int32Array(n);
}

/** Batches of an in-memory dataset: one permutation of all rows per epoch; dense rows within RESIDENT_BYTES live in backend memory for the fit. */
export function memoryFeed(b: Backend, ds: AnyDataset, bs: number): Feed {
  const inputs = trainingBatches(b, ds, bs, RESIDENT_BYTES);
  const order = new Int32Array(ds.rows);
  const y = labelsLike(ds.y, bs);
  return {
    rows: ds.rows,
    async *epoch(rng, shuffle) {
      for (let i = 0; i < ds.rows; i++) order[i] = i;
      if (shuffle) rng.shuffle(order);
      for (let start = 0; start < ds.rows; start += bs) {
        const ids = order.subarray(start, Math.min(start + bs, ds.rows));
        const x = inputs.load(ids);
        for (let i = 0; i < ids.length; i++) y[i] = ds.y[ids[i]];
        yield { x, y, n: ids.length };
      }
    },
    dispose: () => inputs.dispose(),
  };
}

/**
 * Rows per shuffle window by default: a window of up to 32 MiB of rows as stored (two live
 * in backend memory), never fewer than a batch, never more than the source.
 */
export function defaultWindow(src: RowSource, bs: number): number {
  const bytes = src.storage === 'u8' ? 1 : src.storage === 'u16' ? 2 : 4;
  return Math.max(bs, Math.min(src.rows, Math.floor(2 ** 25 / (bytes * src.cols))));
}

/**
 * Batches streamed from a source through two windows of `window` rows in backend memory
 * (a ring: window k fills half k mod 2 once the window before it is used up, overwriting rows
 * of finished batches; a batch across a window edge reads both halves). The epoch's order is
 * the windows in source order, each window's rows in a seeded random order, batches cut
 * across window edges — every row exactly once. With one window holding every row the order
 * is memoryFeed's, draw for draw.
 */
export function streamFeed(b: Backend, src: RowSource, bs: number, window: number): Feed {
  if (!Number.isInteger(window) || window < bs) fail('ERR_BAD_ARGUMENT', `shuffleWindow must be an integer ≥ the batch size (${bs}), got ${window}`);
  const { cols, rows } = src;
  // Stored features stay stored in the ring (a quarter / half of float32) and widen per batch, as in memory.
  const n = 2 * window * cols;
  const ring: Buf = src.storage === 'u8' ? b.alloc(n, 'u8') : src.storage === 'u16' ? b.alloc(n, 'u16') : b.alloc(n);
  const scale = src.scale ?? 1, offset = src.offset ?? 0;
  const bufs: Buf[] = [ring];
  let idx: I32, batch: F32;
  try {
    bufs.push((idx = b.alloc(bs, 'i32')), (batch = b.alloc(bs * cols)));
  } catch (err) {
    bufs.forEach((buf) => b.free(buf)); // a memory too small for the batch frees the ring
    throw err;
  }
  const yRing = src.classes === undefined ? new Float32Array(2 * window) : new Int32Array(2 * window);
  const y = labelsLike(yRing, bs);
  const ids = new Int32Array(bs);
  return {
    rows,
    async *epoch(rng, shuffle) {
      const it = checkedBlocks(src)[Symbol.asyncIterator]();
      let block: RowBlock | null = null;
      let used = 0;
      /** The next window of rows into ring half `half`; its ring positions in epoch order. */
      const fill = async (half: number): Promise<Int32Array> => {
        let n = 0;
        while (n < window) {
          if (!block || used === block.rows) {
            const r = await it.next();
            if (r.done) break;
            block = r.value;
            used = 0;
          }
          const take = Math.min(window - n, block.rows - used);
          b.write(ring as F32, block.x.subarray(used * cols, (used + take) * cols), (half * window + n) * cols);
          yRing.set(block.y.subarray(used, used + take), half * window + n);
          n += take;
          used += take;
        }
        const order = new Int32Array(n);
        for (let i = 0; i < n; i++) order[i] = i;
        if (shuffle) rng.shuffle(order);
        for (let i = 0; i < n; i++) order[i] += half * window;
        return order;
      };
      try {
        let half = 0, order = await fill(0), pos = 0;
        for (let start = 0; start < rows; start += bs) {
          const n = Math.min(bs, rows - start);
          for (let i = 0; i < n; i++) {
            // window ≥ batch: the half refilled here holds rows of batches already done
            if (pos === order.length) {
              half ^= 1;
              order = await fill(half);
              pos = 0;
            }
            ids[i] = order[pos++];
            y[i] = yRing[ids[i]];
          }
          b.write(idx, ids.subarray(0, n));
          if (ring.dtype === 'f32') b.gatherRows(ring as F32, cols, idx, n, batch);
          else b.gatherRowsWiden(ring as U8 | U16, cols, idx, n, batch, scale, offset);
          yield { x: batch, y, n };
        }
        // The source must end here (checkedBlocks fails on extra or missing rows).
        if (!(await it.next()).done) fail('ERR_BAD_SHAPE', `the source yields more than the ${rows} rows it says it has`);
      } finally {
        await it.return?.(undefined);
      }
    },
    dispose: () => bufs.forEach((buf) => b.free(buf)),
  };
}
