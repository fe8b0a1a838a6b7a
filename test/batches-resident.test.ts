// Training rows resident in backend memory: batches gathered by a kernel from rows uploaded
// once equal, bit for bit, the batches copied from the host — f32, u8 and u16 rows, views —
// on the reference, on wasm and on 2 and 3 threads (where the gather is cut); freed with the batches.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBackend } from '../src/backend/index.js';
import type { WasmBackend } from '../src/backend/wasm.js';
import { type Dataset, type DenseX, rowsView } from '../src/data/dataset.js';
import { trainingBatches } from '../src/nn/batches.js';
import type { Backend } from '../src/index.js';
import { reference, wasm } from './util/backends.js';
import { allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const threaded = await Promise.all([2, 3].map((threads) => createBackend({ build: 'simd', threads })));

// 128 rows of 601 is large enough for the pool to cut the gather; 300 rows leave a short last batch.
const ROWS = 300, COLS = 601, BS = 128;

function datasets(seed: number): [string, Dataset<DenseX>][] {
  const r = rng(seed);
  const y = r.ints(ROWS, 0, 10);
  const f32: Dataset = { x: r.floats(ROWS * COLS), rows: ROWS, cols: COLS, y, classes: 10 };
  const u8: Dataset<Uint8Array> = { x: Uint8Array.from({ length: ROWS * COLS }, () => r.int(0, 256)), rows: ROWS, cols: COLS, y, classes: 10, scale: 1 / 255 };
  const u16: Dataset<Uint16Array> = { x: Uint16Array.from({ length: ROWS * COLS }, () => r.int(0, 65536)), rows: ROWS, cols: COLS, y, classes: 10, scale: r.uniform(-1, 1), offset: r.uniform(-1, 1) };
  const some = r.ints(211, 0, ROWS); // repeats and any order
  return [['f32', f32], ['u8', u8], ['u16', u16], ['f32 view', rowsView(f32, some)], ['u8 view', rowsView(u8, some)]];
}

/** Every batch of one shuffled epoch of ds, read back. */
function epoch(b: Backend, ds: Dataset<DenseX>, residentBytes: number, order: Int32Array): { batches: Float32Array[]; held: number } {
  const before = b.stats();
  const batches = trainingBatches(b, ds, BS, residentBytes);
  const held = b.stats().bytesInUse - before.bytesInUse;
  const out: Float32Array[] = [];
  try {
    for (let start = 0; start < ds.rows; start += BS) {
      const ids = order.subarray(start, Math.min(start + BS, ds.rows));
      out.push(b.read(batches.load(ids)).slice(0, ids.length * COLS));
    }
  } finally {
    batches.dispose();
  }
  assert.equal({ ...b.stats(), highWater: 0 }, { ...before, highWater: 0 }, `${b.name}: the batches free everything`);
  return { batches: out, held };
}

test('resident rows give the copied batches bit for bit (f32, u8, u16, views) on the reference, wasm and 2 / 3 threads', () => {
  const r = rng(SEED + 150);
  for (const [what, ds] of datasets(SEED + 150)) {
    const order = Int32Array.from({ length: ds.rows }, (_, i) => i);
    for (let i = ds.rows - 1; i > 0; i--) {
      const j = r.int(0, i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const stored = ds.rows * COLS * ds.x.BYTES_PER_ELEMENT;
    const want = epoch(reference, ds, 0, order).batches;
    for (const b of [reference, wasm, ...threaded] as Backend[]) {
      const cut = (b as WasmBackend).pooledCalls ?? 0;
      const copied = epoch(b, ds, 0, order), resident = epoch(b, ds, stored, order);
      const where = `${what} on ${b.name}${b.threads ? ` ×${b.threads}` : ''}`;
      copied.batches.forEach((got, i) => allEqual(got, want[i], SEED + 150, `${where}: copied batch ${i}`));
      resident.batches.forEach((got, i) => allEqual(got, want[i], SEED + 150, `${where}: resident batch ${i}`));
      // Copied: the batch and at most a batch of stored rows; resident: the batch and every row.
      assert.ok(copied.held < stored + BS * COLS * 4 && resident.held >= stored + BS * COLS * 4, `${where}: the rows live in backend memory (${resident.held} vs ${copied.held} bytes)`);
      if ((b.threads ?? 1) > 1) assert.ok((b as WasmBackend).pooledCalls > cut, `${where}: the gather was cut across threads`);
    }
  }
});

test('rows over the budget are copied per batch: nothing of the set lives in backend memory', () => {
  const [, ds] = datasets(SEED + 151)[0];
  const order = Int32Array.from({ length: ds.rows }, (_, i) => i);
  const stored = ds.rows * COLS * 4;
  assert.ok(epoch(wasm, ds, stored - 1, order).held < stored, 'one byte short of the budget: copied');
});

test('rows within the budget that the capped memory cannot hold are copied per batch, bit for bit, and leak nothing', async () => {
  const capped = await createBackend({ build: 'simd', maximumMemoryMb: 8 });
  // 4,000 rows of 601 floats: 9.6 MB, under RESIDENT_BYTES but over the 8 MiB maximum.
  const rows = 4000, r = rng(SEED + 152);
  const ds: Dataset = { x: r.floats(rows * COLS), rows, cols: COLS, y: r.ints(rows, 0, 10), classes: 10 };
  const order = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % rows);
  const got = epoch(capped, ds, rows * COLS * 4, order), want = epoch(reference, ds, 0, order);
  assert.ok(got.held < rows * COLS * 4, 'the rows stay on the host');
  got.batches.forEach((batch, i) => allEqual(batch, want.batches[i], SEED + 152, `capped memory: batch ${i}`));
});

test.run();
