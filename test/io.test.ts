// Save/load (src/io): bit-exact round trips for every partition and combiner family, a
// single expert, deterministic bytes, each kind of corrupt file → ERR_BAD_FILE without
// leaking backend memory, and a checked-in v1 file that every later version must load.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Dataset, SparseExpertModel, type SparseExpertModelOptions, loadExpert, loadMnist, loadModel, saveExpert, saveModel } from '../src/entry/node.js';
import { wasm } from './util/backends.js';
import { allClose, allEqual } from './util/close.js';
import { SEED, rng } from './util/prng.js';
import { crc32 } from '../src/io/crc32.js';
import type { V1Expected } from './fixtures/io/make-model-v1.js';

const { train, test: heldOut } = loadMnist({ train: 600, test: 100, seed: 1 });
const mlp = { kind: 'mlp' as const, hidden: [8], fit: { epochs: 1, batchSize: 64 } };

/** Awaits p and checks it fails with ERR_BAD_FILE and a message matching `message`. */
async function rejectsBadFile(p: Promise<unknown>, message: RegExp, what: string): Promise<void> {
  const err = await p.then(
    () => ({ code: 'loaded', message: `${what}: loaded without an error` }),
    (e: { code?: string; message: string }) => e,
  );
  assert.is(err.code, 'ERR_BAD_FILE', `${what}: ${err.message}`);
  assert.match(err.message, message, what);
}

/** y = x·w + noise over 11 features (not a multiple of 4 or 8). */
function regression(rows: number, seed: number): Dataset {
  const r = rng(seed), cols = 11, w = r.floats(cols), x = r.floats(rows * cols), y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) y[i] += x[i * cols + c] * w[c];
  for (let i = 0; i < rows; i++) y[i] += 0.01 * r.uniform();
  return { x, rows, cols, y };
}

async function trained(options: SparseExpertModelOptions, ds: Dataset = train): Promise<SparseExpertModel> {
  const m = new SparseExpertModel({ workers: 0, seed: SEED, backend: wasm, ...options });
  await m.fit(ds);
  return m;
}

/** Loaded predictions and weights equal the original's bit for bit, and re-saving gives the same bytes. */
async function roundTrip(m: SparseExpertModel, x: Float32Array, rows: number, what: string): Promise<Uint8Array> {
  const bytes = saveModel(m);
  assert.equal(saveModel(m), bytes, `${what}: saving twice gives the same bytes`);
  const live = wasm.stats().buffers;
  const back = await loadModel(bytes, { backend: wasm });
  try {
    allEqual(await back.predictProba(x, rows), await m.predictProba(x, rows), SEED, `${what}: probabilities`);
    allEqual(await back.predict(x, rows), await m.predict(x, rows), SEED, `${what}: predictions`);
    m.expertList().forEach((e, i) => {
      const want = e.toState().tensors, got = back.expertList()[i].toState().tensors;
      assert.equal(got.map((t) => t.name), want.map((t) => t.name), `${what}: expert ${i} tensor names`);
      want.forEach((t, j) => allEqual(got[j].data, t.data, SEED, `${what}: expert ${i} ${t.name}`));
    });
    assert.equal(saveModel(back), bytes, `${what}: save(load(save(m))) gives the same bytes`);
  } finally {
    back.dispose();
  }
  assert.is(wasm.stats().buffers, live, `${what}: load + dispose frees every buffer`);
  return bytes;
}

test('the same seed gives the same file whatever the worker count (0, 1, 2)', async () => {
  const files = [];
  for (const workers of [0, 1, 2]) {
    const m = await trained({ experts: 3, expert: mlp, combine: 'convex', workers });
    files.push(saveModel(m));
    m.dispose();
  }
  assert.equal(files[1], files[0], '1 worker vs the calling thread');
  assert.equal(files[2], files[0], '2 workers vs the calling thread');
});

test('MLP experts, contiguous partition, convex combiner: bit-exact round trip', async () => {
  const m = await trained({ experts: 3, expert: mlp, combine: 'convex' });
  await roundTrip(m, heldOut.x, heldOut.rows, 'convex');
  for (const rows of [0, 1, 7]) await roundTrip(m, heldOut.x.subarray(0, rows * 784), rows, `convex, ${rows} rows`);
  // A view at an odd offset into a larger buffer (as Node's pooled Buffers are) reads the same.
  const bytes = saveModel(m), shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const back = await loadModel(shifted.subarray(3), { backend: wasm });
  allEqual(await back.predictProba(heldOut.x, heldOut.rows), await m.predictProba(heldOut.x, heldOut.rows), SEED, 'loaded from an offset view');
  back.dispose();
  m.dispose();
});

test('k-means partition with hard routing: bit-exact round trip (routing included)', async () => {
  const m = await trained({ experts: 3, expert: mlp, partition: 'kmeans', combine: 'hard' });
  await roundTrip(m, heldOut.x, heldOut.rows, 'k-means + hard');
  m.dispose();
});

test('feature-group linear regression experts: bit-exact round trip', async () => {
  const ds = regression(203, SEED), probe = regression(13, SEED + 1);
  const m = await trained({ experts: 3, expert: { kind: 'linear', alpha: 0.1 }, partition: 'features', combine: 'fixed' }, ds);
  await roundTrip(m, probe.x, probe.rows, 'feature groups');
  m.dispose();
});

test('pruned experts (masks, CSR inference) with a gate and with top-k: bit-exact round trip', async () => {
  const m = await trained({ experts: 2, expert: mlp, sparsity: { method: 'magnitude', sparsity: 0.7, fineTuneEpochs: 1 }, combine: 'gate' });
  assert.ok(m.expertList()[0].toState().tensors.some((t) => t.name.endsWith('/mask')), 'pruned experts carry masks');
  await roundTrip(m, heldOut.x, heldOut.rows, 'pruned + gate');
  await m.combineWith({ kind: 'topk', k: 1 });
  await roundTrip(m, heldOut.x, heldOut.rows, 'pruned + top-1');
  m.dispose();
});

test('stacking combiner (its meta-learner is an expert): bit-exact round trip', async () => {
  const m = await trained({ experts: 2, expert: mlp, partition: 'stratified', combine: 'stacking' });
  await roundTrip(m, heldOut.x, heldOut.rows, 'stacking');
  m.dispose();
});

test('a single expert: bit-exact round trip; loadModel and loadExpert refuse each other’s files', async () => {
  const m = await trained({ experts: 2, expert: mlp, combine: 'fixed' });
  const e = m.expertList()[1];
  const bytes = saveExpert(e);
  const back = await loadExpert(bytes.buffer.slice(0) as ArrayBuffer, { backend: wasm });
  allEqual(back.predictProba(heldOut.x, heldOut.rows), e.predictProba(heldOut.x, heldOut.rows), SEED, 'expert probabilities');
  assert.equal(saveExpert(back), bytes, 'save(load(save(e))) gives the same bytes');
  back.dispose();
  await rejectsBadFile(loadModel(bytes, { backend: wasm }), /holds an expert: use loadExpert/, 'an expert file as a model');
  await rejectsBadFile(loadExpert(saveModel(m), { backend: wasm }), /holds a model: use loadModel/, 'a model file as an expert');
  m.dispose();
});

// ---- the layout and corrupt files ----

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
/** Where a version 2 header starts (after magic, version, length and the header's CRC-32). */
const AT = 16;
const headerOf = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b.subarray(AT, AT + u32(b, 8))));

/** The header's CRC-32 made right again after an edit, so the checks behind it are reached. */
function resealed(b: Uint8Array): Uint8Array {
  const data = Math.ceil((AT + u32(b, 8)) / 8) * 8;
  new DataView(b.buffer, b.byteOffset).setUint32(12, crc32([b.subarray(0, 12), b.subarray(AT, data)]), true);
  return b;
}

/** The file with its header replaced by `text` (data section moved to the new 8-aligned start). */
function withHeaderText(b: Uint8Array, text: string): Uint8Array {
  const json = new TextEncoder().encode(text);
  const oldData = Math.ceil((AT + u32(b, 8)) / 8) * 8, data = Math.ceil((AT + json.length) / 8) * 8;
  const out = new Uint8Array(data + b.length - oldData);
  out.set(b.subarray(0, AT));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, AT);
  out.set(b.subarray(oldData), data);
  return resealed(out);
}

function withHeader(b: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const h = headerOf(b);
  edit(h);
  return withHeaderText(b, JSON.stringify(h));
}

test('layout: magic, version 2, header length, header CRC-32, JSON header, 8-aligned little-endian tensors with their CRC-32', async () => {
  const m = await trained({ experts: 2, expert: mlp, combine: 'fixed' });
  const bytes = saveModel(m), h = headerOf(bytes);
  assert.is(new TextDecoder().decode(bytes.subarray(0, 4)), 'SPXM');
  assert.is(u32(bytes, 4), 2);
  assert.is(h.format, 'sparse-experts');
  assert.is(h.kind, 'model');
  const data = Math.ceil((AT + u32(bytes, 8)) / 8) * 8;
  assert.is(u32(bytes, 12), crc32([bytes.subarray(0, 12), bytes.subarray(AT, data)]), 'the header CRC-32 covers all before the data but itself');
  const w = m.expertList()[0].toState().tensors[0];
  const ref = h.state.experts[0].tensors[0];
  assert.is(ref.name, w.name);
  const entry = h.tensors[ref.data.$tensor];
  assert.equal([entry.dtype, entry.length, entry.offset % 8], ['f32', w.data.length, 0]);
  const view = new DataView(bytes.buffer, data + entry.offset);
  for (const i of [0, 1, w.data.length - 1]) assert.is(view.getFloat32(4 * i, true), w.data[i], `weight ${i} read little-endian`);
  const span = Math.ceil((4 * w.data.length) / 8) * 8;
  assert.is(entry.crc32, crc32(bytes.subarray(data + entry.offset, data + entry.offset + span)), 'a tensor CRC-32 covers its bytes and padding');
  assert.is(bytes.length % 8, 0);
  m.dispose();
});

test('corrupt files → ERR_BAD_FILE with a message that says what is wrong; no backend memory left behind', async () => {
  const m = await trained({ experts: 2, expert: mlp, combine: 'convex' });
  const good = saveModel(m);
  m.dispose();
  const setU32 = (at: number, v: number) => {
    const b = good.slice();
    new DataView(b.buffer).setUint32(at, v, true);
    return b;
  };
  const firstWeights = (h: Record<string, any>) => h.tensors[h.state.experts[0].tensors[0].data.$tensor];
  const cases: [string, Uint8Array | ArrayBuffer, RegExp][] = [
    ['empty', new Uint8Array(0), /too short/],
    ['not bytes', 'SPXM' as unknown as Uint8Array, /Uint8Array or an ArrayBuffer/],
    ['wrong magic', Uint8Array.from([...good.subarray(0, 12)].map((v, i) => (i === 0 ? 0x50 : v))), /not a sparse-experts file/],
    ['newer version', setU32(4, 3), /newer/],
    ['version 0', setU32(4, 0), /unknown format version 0/],
    ['header longer than the file', setU32(8, good.length), /truncated/],
    ['truncated data', good.subarray(0, good.length - 8), /truncated/],
    ['truncated mid-header', good.subarray(0, 40), /truncated/],
    ['extra bytes', Uint8Array.from([...good, 0, 0, 0, 0, 0, 0, 0, 0]), /data section/],
    ['header not JSON', (() => { const b = good.slice(); b[AT] = 0x7b; b[AT + 1] = 0x7b; return resealed(b); })(), /not UTF-8 JSON/],
    ['header not UTF-8', (() => { const b = good.slice(); b[AT + 2] = 0xff; return resealed(b); })(), /not UTF-8 JSON/],
    ['header changed, checksum not', (() => { const b = good.slice(); b[AT + 3] ^= 1; return b; })(), /header's CRC-32/],
    ['tensor changed, checksum not', (() => { const b = good.slice(); b[b.length - 9] ^= 0x80; return b; })(), /tensor \d+'s CRC-32/],
    ['a tensor without its checksum', withHeader(good, (h) => { delete firstWeights(h).crc32; }), /no valid crc32/],
    ['header a JSON array', withHeaderText(good, '[1, 2]'), /not a JSON object/],
    ['header without a tensor table', withHeader(good, (h) => { delete h.tensors; }), /no `tensors` table/],
    ['not a sparse-experts header', withHeader(good, (h) => { h.format = 'onnx'; }), /format is "onnx"/],
    ['offset out of range', withHeader(good, (h) => { firstWeights(h).offset += 1 << 30; }), /offset/],
    ['offset misaligned', withHeader(good, (h) => { firstWeights(h).offset += 4; }), /offset/],
    ['tensor longer than the data', withHeader(good, (h) => { h.tensors[h.tensors.length - 1].length += 1000; }), /ends at byte/],
    ['tensor shorter than stored', withHeader(good, (h) => { h.tensors[h.tensors.length - 1].length -= 4; }), /data section/],
    ['unknown dtype', withHeader(good, (h) => { firstWeights(h).dtype = 'f16'; }), /dtype/],
    ['tensor reference out of range', withHeader(good, (h) => { h.state.experts[0].tensors[0].data.$tensor = 999; }), /tensor 999/],
    ['tensor referenced twice', withHeader(good, (h) => { h.state.experts[0].tensors[1].data = h.state.experts[0].tensors[0].data; }), /already used/],
    ['bad special number', withHeader(good, (h) => { h.state.combiner.loss = { $number: 'lots' }; }), /bad number/],
    ['weights of the wrong length for the network', withHeader(good, (h) => {
      const t = h.state.experts[1].tensors; [t[0].data, t[2].data] = [t[2].data, t[0].data];
    }), /lacks tensor/],
    ['unknown expert kind', withHeader(good, (h) => { h.state.experts[1].kind = 'forest'; }), /expert kind 'forest'/],
    ['unknown partition kind', withHeader(good, (h) => { h.state.partition.kind = 'voronoi'; }), /partition kind 'voronoi'/],
    ['unknown combiner kind', withHeader(good, (h) => { h.state.combiner.kind = 'vote'; }), /combiner kind 'vote'/],
    ['an expert removed (its tensors left unreferenced)', withHeader(good, (h) => { h.state.experts.pop(); }), /tensor \d+ is not referenced/],
    ['bad options', withHeader(good, (h) => { h.state.options.seed = 0.5; }), /seed must be an integer/],
    ['not a model or expert', withHeader(good, (h) => { h.kind = 'dataset'; }), /unknown kind "dataset"/],
  ];
  const before = wasm.stats().buffers;
  for (const [what, bytes, message] of cases) {
    await rejectsBadFile(loadModel(bytes, { backend: wasm }), message, what);
    assert.is(wasm.stats().buffers, before, `${what}: no buffers left behind`);
  }
  await rejectsBadFile(loadExpert(new Uint8Array(3)), /too short/, 'a 3-byte expert file');
});

test('state the format cannot hold → ERR_BAD_ARGUMENT at save', () => {
  const bad = (state: unknown) => ({ toState: () => state as never });
  assert.throws(() => saveExpert(bad({ kind: 'mlp', f: () => 0 })), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT');
  assert.throws(() => saveExpert(bad({ kind: 'mlp', data: new Uint8Array(3) })), (e: { code?: string; message: string }) => e.code === 'ERR_BAD_ARGUMENT' && /Uint8Array/.test(e.message));
  assert.throws(() => saveExpert(bad({ $tensor: 1 })), (e: { code?: string }) => e.code === 'ERR_BAD_ARGUMENT');
});

test('numbers JSON cannot hold and number arrays of every size survive exactly', async () => {
  // An expert file carries any plain config: use it to push odd values through the format.
  const m = await trained({ experts: 2, expert: mlp, combine: 'fixed' });
  const state = m.expertList()[0].toState();
  const r = rng(SEED);
  const odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-310, Number.MAX_VALUE, 2 ** 31, -(2 ** 31)];
  const lists: Record<string, number[]> = {};
  for (const n of [0, 1, 15, 16, 17, 33]) {
    lists[`ints${n}`] = Array.from(r.ints(n, -1000, 1000));
    lists[`f32_${n}`] = Array.from(r.floats(n));
    lists[`f64_${n}`] = Array.from({ length: n }, () => r.uniform() / 3);
    lists[`odd${n}`] = Array.from({ length: n }, (_, i) => odd[i % odd.length]);
  }
  state.config = { ...state.config, lists, scalars: odd, empty: new Float32Array(0), one: Int32Array.of(-7) };
  const bytes = saveExpert({ toState: () => state });
  const back = await loadExpert(bytes, { backend: wasm });
  const got = back.toState().config as typeof state.config;
  for (const [k, v] of Object.entries(lists)) {
    const g = (got.lists as Record<string, number[]>)[k];
    assert.ok(Array.isArray(g) && g.length === v.length && v.every((x, i) => Object.is(g[i], x)), `${k} (seed ${SEED})`);
  }
  assert.ok((got.scalars as number[]).every((x, i) => Object.is(x, odd[i])), 'NaN, ±Infinity, −0 and extremes');
  assert.ok(got.empty instanceof Float32Array && (got.empty as Float32Array).length === 0, 'empty Float32Array');
  assert.equal(got.one, Int32Array.of(-7));
  assert.equal(saveExpert(back), bytes, 'same bytes again');
  back.dispose();
  m.dispose();
});

test('CRC-32 is the IEEE one, and chains over parts', () => {
  const digits = new TextEncoder().encode('123456789');
  assert.is(crc32(digits), 0xcbf43926);
  assert.is(crc32(new Uint8Array(0)), 0);
  assert.is(crc32([digits.subarray(0, 4), digits.subarray(4)]), 0xcbf43926);
});

test('a flipped bit anywhere in a saved file → ERR_BAD_FILE, no buffers left behind', async () => {
  // Small, so that every one of its bits can be flipped: two linear experts on 11 features.
  const m = await trained({ experts: 2, expert: { kind: 'linear', alpha: 0.1 }, combine: 'fixed' }, regression(50, SEED));
  const good = saveModel(m);
  m.dispose();
  const before = wasm.stats().buffers;
  let loaded = 0;
  for (let bit = 0; bit < good.length * 8; bit++) {
    const bad = good.slice();
    bad[bit >> 3] ^= 1 << (bit & 7);
    const err = await loadModel(bad, { backend: wasm }).then((back) => (back.dispose(), loaded++, null), (e: { code?: string }) => e);
    if (err?.code !== 'ERR_BAD_FILE') assert.unreachable(`bit ${bit} (byte ${bit >> 3} of ${good.length}) flipped: ${err ? err.code : 'loaded'}`);
  }
  assert.is(loaded, 0);
  assert.is(wasm.stats().buffers, before, 'no buffers left behind');
});

test('the checked-in v1 file (test/fixtures/io/model-v1.spxm) still loads and predicts as it did', async () => {
  // Written once by `node --import tsx test/fixtures/io/make-model-v1.ts`; never regenerate it for a new version.
  const bytes = readFileSync(new URL('./fixtures/io/model-v1.spxm', import.meta.url));
  const want = JSON.parse(readFileSync(new URL('./fixtures/io/model-v1.json', import.meta.url), 'utf8')) as V1Expected;
  const m = await loadModel(bytes, { backend: wasm });
  const x = Float32Array.from(want.x);
  // Kernels may change summation order in later versions: probabilities to float32 rounding, classes exactly.
  allClose(await m.predictProba(x, want.rows), want.proba, 1e-6, 1e-4, 0, 'v1 fixture probabilities');
  allEqual(await m.predict(x, want.rows), want.predictions, 0, 'v1 fixture classes');
  assert.is(m.expertCount, want.experts);
  m.dispose();
});

test.run();
