// A network built from layer specs stores its parameters in one ParamGroup, so the optimiser
// updates a whole Dense network in one call. It trains to the bits of the same layers built
// apart (each tensor in its own buffers) — plain, with penalties (a call per tensor), with a
// masked weight (a call per tensor) and with SGD; tensors round-trip bit for bit; given
// layers keep their own buffers; nothing leaks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/index.js';
import { Rng } from '../src/data/prng.js';
import { Network, type NetworkSpec } from '../src/nn/network.js';
import { Optimizer, type OptimizerConfig, type Penalty } from '../src/nn/optimizer.js';
import { createLayer } from '../src/nn/registry.js';
import type { LayerSpec } from '../src/nn/layer.js';
import { reference, wasm } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

const INPUTS = 9, ROWS = 13, CLASSES = 3, STEPS = 4;
const LAYERS: LayerSpec[] = [{ units: 7, activation: 'relu' }, { units: 5, activation: 'relu' }, { units: CLASSES, activation: 'identity' }];
const spec: NetworkSpec = { inputs: INPUTS, layers: LAYERS, head: 'softmax' };

/** The same layers built before the network: each parameter keeps its own buffers. */
function apart(b: Backend): Network {
  let width = INPUTS;
  const layers = LAYERS.map((s, i) => {
    const l = createLayer(b, width, s, i);
    width = l.outputs;
    return l;
  });
  return new Network(b, { ...spec, layers });
}

interface Case {
  config: OptimizerConfig;
  penalty: Penalty;
  mask: boolean;
}

/** STEPS training steps from the same start and data: every tensor afterwards. */
function train(b: Backend, grouped: boolean, c: Case, seed: number): Float32Array[] {
  const r = rng(seed);
  const net = grouped ? new Network(b, spec) : apart(b);
  net.initialize(new Rng(seed));
  const W = net.params()[0];
  if (c.mask) W.setMask(Float32Array.from({ length: W.length }, (_, j) => (j % 4 === 2 ? 0 : 1)));
  const x = b.upload(r.floats(ROWS * INPUTS)), y = b.upload(Int32Array.from({ length: ROWS }, (_, i) => i % CLASSES));
  const opt = new Optimizer(b, c.config, c.penalty);
  for (let s = 0; s < STEPS; s++) {
    net.trainStep(x, y, ROWS);
    opt.apply(net.params());
  }
  const out = net.tensors().map((t) => t.data);
  opt.dispose();
  net.dispose();
  b.free(x);
  b.free(y);
  return out;
}

const CASES: Case[] = [
  { config: { kind: 'adam', lr: 0.01 }, penalty: {}, mask: false },
  { config: { kind: 'adam', lr: 0.01 }, penalty: { l1: 0.001, l2: 0.01 }, mask: false },
  { config: { kind: 'adam', lr: 0.01 }, penalty: {}, mask: true },
  { config: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, penalty: {}, mask: false },
];

test('a network from specs is one group; given layers keep their own buffers', () => {
  for (const b of [wasm, reference]) {
    const net = new Network(b, spec), params = net.params();
    let at = 0;
    for (const p of params) {
      assert.is(p.group, params[0].group, `${b.name}: ${p.name} in the network's group`);
      assert.is(p.offset, at, `${b.name}: ${p.name} offset`);
      at += p.length;
    }
    assert.ok(params[0].group, `${b.name}: grouped`);
    const given = apart(b);
    assert.ok(given.params().every((p) => p.group === null), `${b.name}: given layers ungrouped`);
    net.dispose();
    given.dispose();
  }
});

test('grouped training gives the bits of the same layers apart (plain, penalties, a mask, SGD)', () => {
  for (const b of [wasm, reference]) {
    CASES.forEach((c, t) => {
      const seed = SEED + 90 + t, what = `${b.name} ${c.config.kind} penalty ${JSON.stringify(c.penalty)} mask ${c.mask} (seed ${seed})`;
      const one = train(b, false, c, seed), grouped = train(b, true, c, seed);
      assert.is(grouped.length, one.length, what);
      one.forEach((w, i) => assert.ok(w.length > 0 && w.every((v, j) => Object.is(v, grouped[i][j])), `${what}: tensor ${i} differs`));
      if (c.mask) assert.ok(grouped[0].every((v, j) => j % 4 !== 2 || v === 0), `${what}: pruned weights stay 0`);
    });
  }
});

test('tensors round-trip bit for bit into a grouped network; dispose frees every buffer', () => {
  for (const b of [wasm, reference]) {
    const before = b.stats();
    const a = new Network(b, spec);
    a.initialize(new Rng(SEED + 99));
    a.params()[0].setMask(Float32Array.from({ length: a.params()[0].length }, (_, j) => j % 3));
    const saved = a.tensors(), c = new Network(b, spec);
    c.loadTensors(saved);
    const back = c.tensors();
    assert.equal(back.map((t) => t.name), saved.map((t) => t.name), b.name);
    saved.forEach((t, i) => assert.ok(t.data.every((v, j) => Object.is(v, back[i].data[j])), `${b.name}: ${t.name}`));
    a.dispose();
    c.dispose();
    assert.equal(b.stats().buffers, before.buffers, `${b.name}: buffers`);
    assert.equal(b.stats().bytesInUse, before.bytesInUse, `${b.name}: bytes`);
  }
});

test.run();
