// gatherRowsWiden: stored u8 / u16 rows widened to f32 as a batch is gathered, wasm against
// the reference, and both against converting on the host first (f32 multiply, then f32 add).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend, F32, I32, U16, U8 } from '../src/backend/backend.js';
import { reference, wasm } from './util/backends.js';
import { allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';

type Stored = Uint8Array | Uint16Array;

function widen(b: Backend, src: Stored, cols: number, idx: Int32Array, scale: number, offset: number, stride?: number): Float32Array {
  const before = b.stats();
  const s = src instanceof Uint8Array ? b.upload(src) : b.upload(src);
  const view = stride === undefined ? s : b.subBuffer(s, 0, s.length, stride);
  const i = b.upload(idx), d = b.alloc(Math.max(1, idx.length * cols));
  try {
    b.gatherRowsWiden(view as U8 | U16, cols, i, idx.length, d, scale, offset);
    return b.read(d).subarray(0, idx.length * cols);
  } finally {
    [s, i, d].forEach((buf) => b.free(buf));
    assert.equal(b.stats().buffers, before.buffers, 'no leaked buffers');
  }
}

/** What converting on the host first gives: Math.fround(Math.fround(v·scale) + offset). */
function convertFirst(src: Stored, lds: number, cols: number, idx: Int32Array, scale: number, offset: number): Float32Array {
  const out = new Float32Array(idx.length * cols), k = Math.fround(scale), o = Math.fround(offset);
  for (let i = 0; i < idx.length; i++) for (let c = 0; c < cols; c++) out[i * cols + c] = Math.fround(src[idx[i] * lds + c] * k) + o;
  return out;
}

test('gatherRowsWiden: u8 and u16 rows, scaled and offset, equal to converting first on both backends', () => {
  const r = rng(SEED + 90);
  for (let t = 0; t < 80; t++) {
    const wide = t % 2 === 1;
    const srcRows = r.pick(SIZES.filter((s) => s > 0)), cols = r.pick(SIZES), count = r.pick(SIZES);
    const src = wide ? Uint16Array.from({ length: srcRows * cols }, () => r.int(0, 65536)) : Uint8Array.from({ length: srcRows * cols }, () => r.int(0, 256));
    const idx = r.ints(count, 0, srcRows);
    const [scale, offset] = r.pick([[1, 0], [1 / 255, 0], [r.uniform(-2, 2), r.uniform(-1, 1)]]);
    const want = convertFirst(src, cols, cols, idx, scale, offset);
    const what = `widen ${wide ? 'u16' : 'u8'} ${count} of ${srcRows}×${cols} scale ${scale} offset ${offset}`;
    allEqual(widen(wasm, src, cols, idx, scale, offset), want, SEED + 90, `${what} (wasm)`);
    allEqual(widen(reference, src, cols, idx, scale, offset), want, SEED + 90, `${what} (reference)`);
  }
});

test('gatherRowsWiden: strided source rows (a block of columns)', () => {
  const r = rng(SEED + 91);
  for (let t = 0; t < 30; t++) {
    const srcRows = r.pick(SIZES.filter((s) => s > 0)), lds = r.pick(SIZES.filter((s) => s > 0)), cols = r.int(0, lds + 1), count = r.pick(SIZES);
    const src = Uint8Array.from({ length: srcRows * lds }, () => r.int(0, 256));
    const idx = r.ints(count, 0, srcRows);
    const want = convertFirst(src, lds, cols, idx, 1 / 255, 0);
    allEqual(widen(wasm, src, cols, idx, 1 / 255, 0, lds), want, SEED + 91, `strided ${count} of ${srcRows}×${cols} (stride ${lds}) wasm`);
    allEqual(widen(reference, src, cols, idx, 1 / 255, 0, lds), want, SEED + 91, `strided ${count} of ${srcRows}×${cols} (stride ${lds}) reference`);
  }
});

test('gatherRowsWiden: bad input fails with a code on both backends, and leaks nothing', () => {
  for (const b of [wasm, reference]) {
    const before = b.stats();
    const src = b.upload(new Uint8Array(6)), idx = b.upload(new Int32Array([0, 2])), dst = b.alloc(6), f = b.alloc(6);
    const code = (fn: () => void) => {
      try { fn(); } catch (err) { return (err as { code?: string }).code; }
      return 'no error';
    };
    assert.is(code(() => b.gatherRowsWiden(src, 3, idx, 2, dst)), 'ERR_BAD_SHAPE', `${b.name}: index past the rows`);
    assert.is(code(() => b.gatherRowsWiden(f as unknown as U8, 3, idx, 1, dst)), 'ERR_BAD_ARGUMENT', `${b.name}: an f32 source`);
    assert.is(code(() => b.gatherRowsWiden(src, 3, idx, 1, dst, Number.NaN)), 'ERR_BAD_ARGUMENT', `${b.name}: a NaN scale`);
    assert.is(code(() => b.gatherRowsWiden(src, 3, idx, 1, f as F32, 1, Infinity)), 'ERR_BAD_ARGUMENT', `${b.name}: an infinite offset`);
    assert.is(code(() => b.gatherRowsWiden(src, 3, idx as I32, 3, dst)), 'ERR_BAD_SHAPE', `${b.name}: more rows than idx holds`);
    [src, idx, dst, f].forEach((buf) => b.free(buf));
    assert.equal(b.stats(), before, `${b.name}: stats back where they were`);
  }
});

test('u8 / u16 buffers: upload, read, subBuffer and copy keep their elements', () => {
  for (const b of [wasm, reference]) {
    const u8 = b.upload(Uint8Array.from([1, 2, 250, 255, 7])), u16 = b.upload(Uint16Array.from([1, 65535, 300]));
    assert.equal(Array.from(b.read(b.subBuffer(u8, 2, 3) as U8)), [250, 255, 7], `${b.name} u8 view`);
    assert.equal(Array.from(b.read(b.subBuffer(u16, 1, 2) as U16)), [65535, 300], `${b.name} u16 view`);
    const other = b.alloc(5, 'u8');
    b.copy(u8, other, 3, 2, 1);
    assert.equal(Array.from(b.read(other)), [0, 250, 255, 7, 0], `${b.name} u8 copy`);
    [u8, u16, other].forEach((buf) => b.free(buf));
  }
});

test.run();
