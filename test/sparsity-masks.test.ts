// Mask construction and pruning a network: exact magnitude sparsity (per layer and global),
// the N:M pattern in every group, user masks and their errors, layer selection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../src/data/prng.js';
import type { DenseSpec } from '../src/nn/dense.js';
import { Network } from '../src/nn/network.js';
import { magnitudeMask, magnitudeMasks } from '../src/sparsity/magnitude.js';
import { nmMask } from '../src/sparsity/nm.js';
import { pruneNetwork } from '../src/sparsity/prune.js';
import { checkMask } from '../src/sparsity/user-mask.js';
import { reference, wasm } from './util/backends.js';
import { allEqual } from './util/close.js';
import { SEED, SIZES, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;
const zeros = (a: ArrayLike<number>) => Array.from(a).filter((v) => v === 0).length;

/** The obvious reference: stable sort of indices by (|w|, index), prune the first k. */
function refMagnitude(w: Float32Array, k: number): Float32Array {
  const order = Array.from(w.keys()).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const mask = new Float32Array(w.length).fill(1);
  for (const i of order.slice(0, k)) mask[i] = 0;
  return mask;
}

/** Weights with many exact ties (a few distinct magnitudes, both signs). */
function tied(r: ReturnType<typeof rng>, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => r.pick([-2, -1, -0.5, 0, 0.5, 1, 2, 3]));
}

test('magnitudeMask: exactly round(s·n) zeros on the smallest |w|, ties by index (sizes 0, 1, odd)', () => {
  const r = rng(SEED);
  for (const n of [...SIZES, 100, 1001]) {
    for (const s of [0, 0.1, 0.37, 0.5, 0.9, 1]) {
      for (const w of [r.floats(n, -3, 3), tied(r, n)]) {
        const mask = magnitudeMask(w, s);
        const k = Math.round(s * n);
        assert.is(zeros(mask), k, `n ${n} s ${s}: zeros (seed ${SEED})`);
        allEqual(mask, refMagnitude(w, k), SEED, `n ${n} s ${s} mask`);
      }
    }
  }
});

test('magnitudeMask: a prior mask’s zeros stay pruned and the rest is ranked among the survivors', () => {
  const r = rng(SEED + 1);
  const w = r.floats(97, -1, 1);
  const first = magnitudeMask(w, 0.3);
  // Pruned weights keep their (large) values here: the prior alone must keep them out.
  const second = magnitudeMask(w.map((v, i) => (first[i] ? v : 10 + i)), 0.6, first);
  assert.is(zeros(second), Math.round(0.6 * 97));
  for (let i = 0; i < 97; i++) if (first[i] === 0) assert.is(second[i], 0, `weight ${i} revived (seed ${SEED + 1})`);
  // A lower target than the prior's own sparsity keeps the prior's zeros.
  assert.is(zeros(magnitudeMask(w, 0.1, second)), zeros(second));
});

test('magnitudeMasks (global): one ranking across arrays of different scales', () => {
  const r = rng(SEED + 2);
  const a = r.floats(50, -0.1, 0.1), b = r.floats(33, -1, 1);
  const [ma, mb] = magnitudeMasks([a, b], 0.5);
  const joint = new Float32Array([...a, ...b]);
  const want = refMagnitude(joint, Math.round(0.5 * 83));
  allEqual([...ma, ...mb], want, SEED + 2, 'global mask');
  // 42 zeros < 50 small weights: no weight of b with |w| ≥ 0.1 can be pruned.
  assert.ok(zeros(mb) <= b.filter((v) => Math.abs(v) < 0.1).length, `b loses only weights below a's scale (seed ${SEED + 2})`);
  assert.equal(magnitudeMasks([], 0.5), []);
});

test('magnitudeMask: bad sparsity, NaN weights and a prior of the wrong size are typed errors', () => {
  const w = new Float32Array([1, 2, 3]);
  for (const s of [-0.1, 1.5, NaN]) assert.throws(() => magnitudeMask(w, s), code('ERR_BAD_ARGUMENT'), `sparsity ${s}`);
  assert.throws(() => magnitudeMask(new Float32Array([1, NaN]), 0.5), code('ERR_NON_FINITE'));
  assert.throws(() => magnitudeMask(w, 0.5, [1, 1]), code('ERR_BAD_SHAPE'));
});

/** Check the n:m pattern of a rows×cols mask against the weights, group by group. */
function checkNm(w: Float32Array, mask: Float32Array, rows: number, cols: number, n: number, m: number, what: string): void {
  for (let c = 0; c < cols; c++) {
    for (let g = 0; g < rows; g += m) {
      const idx = Array.from({ length: Math.min(m, rows - g) }, (_, j) => (g + j) * cols + c);
      const kept = idx.filter((i) => mask[i] === 1);
      assert.is(kept.length, Math.min(n, idx.length), `${what}: unit ${c} group ${g} keeps ${kept.length} (seed ${SEED})`);
      const want = [...idx].sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b).slice(0, kept.length).sort((a, b) => a - b);
      assert.equal(kept, want, `${what}: unit ${c} group ${g} keeps the largest`);
      for (const i of idx) assert.ok(mask[i] === 0 || mask[i] === 1);
    }
  }
}

test('nmMask: every group of m inputs per unit keeps its n largest; tail groups keep min(n, t)', () => {
  const r = rng(SEED + 3);
  for (const [n, m] of [[2, 4], [1, 4], [2, 8], [0, 4], [4, 4], [1, 1], [3, 5]]) {
    for (const rows of [0, 1, 3, 4, 5, 9, 17]) {
      for (const cols of [1, 3, 8]) {
        const w = r.pick([0, 1]) ? r.floats(rows * cols) : tied(r, rows * cols);
        checkNm(w, nmMask(w, rows, cols, n, m), rows, cols, n, m, `${n}:${m} ${rows}×${cols}`);
      }
    }
  }
  // The default is 2:4: a 784-input layer is exactly 50 % sparse.
  const w = r.floats(784 * 3);
  assert.is(zeros(nmMask(w, 784, 3)), 784 * 3 / 2);
});

test('nmMask: a prior mask’s zeros are never kept; bad n, m or shape are typed errors', () => {
  const w = new Float32Array([4, 3, 2, 1]);
  allEqual(nmMask(w, 4, 1, 2, 4, [0, 1, 1, 1]), [0, 1, 1, 0], SEED, 'prior');
  allEqual(nmMask(w, 4, 1, 2, 4, [0, 0, 0, 1]), [0, 0, 0, 1], SEED, 'group short of survivors');
  assert.throws(() => nmMask(w, 4, 1, 3, 2), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => nmMask(w, 4, 1, 1, 0), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => nmMask(w, 4, 1, 1.5, 4), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => nmMask(w, 3, 1), code('ERR_BAD_SHAPE'));
  assert.throws(() => nmMask(new Float32Array([1, Infinity, 0, 0]), 4, 1), code('ERR_NON_FINITE'));
});

test('checkMask: wrong length → ERR_BAD_SHAPE, values other than 0/1 → ERR_BAD_ARGUMENT', () => {
  allEqual(checkMask([1, 0, 1], 3), [1, 0, 1], SEED, 'copy');
  assert.is(checkMask(new Uint8Array(0), 0).length, 0);
  assert.throws(() => checkMask([1, 0], 3), code('ERR_BAD_SHAPE'));
  for (const bad of [0.5, -1, 2, NaN]) assert.throws(() => checkMask([1, bad, 0], 3), code('ERR_BAD_ARGUMENT'), `value ${bad}`);
  assert.throws(() => checkMask(null as unknown as number[], 3), code('ERR_BAD_ARGUMENT'));
});

function smallNet(backend = wasm, seed = SEED): Network<DenseSpec> {
  const net = new Network(backend, { inputs: 13, head: 'softmax', layers: [{ units: 9, activation: 'relu' }, { units: 7, activation: 'relu' }, { units: 3, activation: 'identity' }] });
  net.initialize(new Rng(seed));
  return net;
}

for (const backend of [wasm, reference]) {
  test(`pruneNetwork (${backend.name}): magnitude per layer sets masks, zeroes exactly those weights, leaves biases`, () => {
    const net = smallNet(backend);
    net.params().filter((p) => p.name.endsWith('/b')).forEach((p) => backend.fill(p.value, 0.25));
    const before = net.layers.map((l) => backend.read(l.W.value));
    const report = pruneNetwork(net, { method: 'magnitude', sparsity: 0.6, layers: 'all' });
    net.layers.forEach((l, i) => {
      const w = backend.read(l.W.value), mask = backend.read(l.W.mask!), k = Math.round(0.6 * l.W.length);
      assert.is(zeros(mask), k, `layer ${i} mask zeros`);
      assert.is(zeros(w), k, `layer ${i} weight zeros`);
      allEqual(w, before[i].map((v, j) => (mask[j] ? v : 0)), SEED, `layer ${i} kept weights unchanged`);
      assert.equal(report[i], { layer: i, name: `dense${i}/W`, sparsity: k / l.W.length, nonZero: l.W.length - k, total: l.W.length });
      allEqual(backend.read(l.b.value), new Float32Array(l.units).fill(0.25), SEED, `layer ${i} bias`);
    });
    net.dispose();
  });
}

test('pruneNetwork: global scope, layer selection, nm and user masks', () => {
  const net = smallNet();
  const nm = pruneNetwork(net, { method: 'nm', layers: [1] });
  checkNm(wasm.read(net.layers[1].W.value), wasm.read(net.layers[1].W.mask!), 9, 7, 2, 4, 'layer 1');
  assert.is(nm[0].nonZero, 7 * (2 + 2 + 1));
  const hidden = pruneNetwork(net, { method: 'magnitude', sparsity: 0.5, layers: 'hidden' });
  assert.equal(hidden.map((r) => r.layer), [0, 1]);
  assert.is(hidden[1].total - hidden[1].nonZero, Math.round(0.5 * 63), 'magnitude on top of 2:4 reaches its target');
  assert.is(net.layers[2].W.mask, null, 'the output layer is untouched');
  const global = pruneNetwork(net, { method: 'magnitude', sparsity: 0.8, scope: 'global', layers: [2, 0] });
  assert.equal(global.map((r) => r.layer), [0, 2]);
  assert.is(global[0].total - global[0].nonZero + global[1].total - global[1].nonZero, Math.round(0.8 * (13 * 9 + 7 * 3)));
  const mine = Float32Array.from({ length: 21 }, (_, i) => i % 2);
  const manual = pruneNetwork(net, { method: 'mask', masks: [mine], layers: [2] });
  allEqual(wasm.read(net.layers[2].W.mask!), mine, SEED, 'user mask replaces the old one');
  assert.is(manual[0].nonZero, 10);
  net.dispose();
});

test('pruneNetwork: bad specs are typed errors', () => {
  const net = smallNet();
  const bad: [object, string][] = [
    [{ method: 'magnitude' }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'magnitude', sparsity: 2 }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'random', sparsity: 0.5 }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'magnitude', sparsity: 0.5, scope: 'net' }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'magnitude', sparsity: 0.5, layers: [3] }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'magnitude', sparsity: 0.5, layers: [0, 0] }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'magnitude', sparsity: 0.5, layers: 'first' }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'mask' }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'mask', masks: [new Float32Array(13 * 9)] }, 'ERR_BAD_SHAPE'],
    [{ method: 'mask', masks: [new Float32Array(5)], layers: [0] }, 'ERR_BAD_SHAPE'],
    [{ method: 'mask', masks: [new Float32Array(21).fill(0.5)], layers: [2] }, 'ERR_BAD_ARGUMENT'],
    [{ method: 'nm', n: 5 }, 'ERR_BAD_ARGUMENT'],
  ];
  for (const [spec, c] of bad) assert.throws(() => pruneNetwork(net, spec as never), code(c), JSON.stringify(spec));
  net.dispose();
});

test.run();
