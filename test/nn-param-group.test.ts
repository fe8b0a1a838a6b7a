// Grouped parameter storage: a ParamGroup keeps its members' values, the optimiser's one call
// over the group gives the bits of a call per member (Adam and SGD, penalties, a masked
// member, a list holding part of the group), and nothing leaks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/index.js';
import { Optimizer, type OptimizerConfig, type Penalty } from '../src/nn/optimizer.js';
import { Param, ParamGroup } from '../src/nn/param.js';
import { reference, wasm } from './util/backends.js';
import { SEED, rng } from './util/prng.js';

const SHAPES: readonly (readonly number[])[] = [[7, 3], [3], [0], [3, 5], [1], [13]];
const STEPS = 5;

interface Case {
  config: OptimizerConfig;
  penalty: Penalty;
  /** Members masked (by index), members left out of the list handed to apply. */
  masked: number[];
  omitted: number[];
}

/** Trains SHAPES' parameters for STEPS steps, grouped or one buffer each: their final values. */
function train(b: Backend, c: Case, grouped: boolean, seed: number): Float32Array[] {
  const r = rng(seed);
  const params = SHAPES.map((shape, i) => new Param(b, `p${i}`, shape, i % 2 === 0));
  params.forEach((p) => b.write(p.value, r.floats(p.length)));
  const group = grouped ? new ParamGroup(b, params) : null;
  for (const i of c.masked) params[i].setMask(Float32Array.from({ length: params[i].length }, (_, j) => (j % 3 === 1 ? 0 : 1)));
  const list = params.filter((_, i) => !c.omitted.includes(i)), opt = new Optimizer(b, c.config, c.penalty);
  for (let s = 0; s < STEPS; s++) {
    for (const p of params) b.write(p.grad, r.floats(p.length));
    opt.apply(list);
  }
  const out = params.map((p) => b.read(p.value));
  opt.dispose();
  for (const p of params) p.dispose();
  group?.dispose();
  return out;
}

const CASES: Case[] = [
  { config: { kind: 'adam', lr: 0.01 }, penalty: {}, masked: [], omitted: [] },
  { config: { kind: 'adam', lr: 0.01 }, penalty: { l1: 0.01, l2: 0.02 }, masked: [], omitted: [] },
  { config: { kind: 'adam', lr: 0.01 }, penalty: {}, masked: [3], omitted: [] },
  { config: { kind: 'adam', lr: 0.01 }, penalty: {}, masked: [], omitted: [1] },
  { config: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, penalty: {}, masked: [], omitted: [] },
  { config: { kind: 'sgd', lr: 0.05 }, penalty: { l2: 0.1 }, masked: [0], omitted: [4] },
];

test('one call over a group gives the bits of one call per parameter', () => {
  for (const b of [wasm, reference]) {
    CASES.forEach((c, t) => {
      const seed = SEED + 70 + t, what = `${b.name} ${c.config.kind} penalty ${JSON.stringify(c.penalty)} masked ${c.masked} omitted ${c.omitted} (seed ${seed})`;
      const apart = train(b, c, false, seed), grouped = train(b, c, true, seed);
      apart.forEach((w, i) => assert.ok(w.every((v, j) => Object.is(v, grouped[i][j])), `${what}: parameter ${i} differs`));
      // The updates happened: only an omitted (or empty) parameter keeps its first values.
      const r0 = rng(seed), first = SHAPES.map((s) => r0.floats(s.reduce((x, d) => x * d, 1)));
      grouped.forEach((w, i) => assert.is(w.some((v, j) => v !== first[i][j]), !c.omitted.includes(i) && w.length > 0, `${what}: parameter ${i} moved`));
    });
  }
});

test('a group keeps its members\' values and gradients, views of one buffer each; nothing leaks', () => {
  for (const b of [wasm, reference]) {
    const before = b.stats(), r = rng(SEED + 79);
    const params = SHAPES.map((shape, i) => new Param(b, `p${i}`, shape, false));
    const values = params.map((p) => r.floats(p.length)), grads = params.map((p) => r.floats(p.length));
    params.forEach((p, i) => { b.write(p.value, values[i]); b.write(p.grad, grads[i]); });
    const group = new ParamGroup(b, params);
    assert.is(group.length, values.reduce((a, v) => a + v.length, 0));
    let at = 0;
    params.forEach((p, i) => {
      assert.is(p.group, group);
      assert.is(p.offset, at);
      assert.equal([...b.read(p.value)], [...values[i]], `${b.name}: value ${i}`);
      assert.equal([...b.read(group.grad).subarray(at, at + p.length)], [...grads[i]], `${b.name}: grad ${i} in the group's buffer`);
      at += p.length;
    });
    assert.throws(() => new ParamGroup(b, [params[0]]), /in a group already/);
    for (const p of params) p.dispose();
    group.dispose();
    assert.equal(b.stats().buffers, before.buffers, `${b.name}: buffers`);
    assert.equal(b.stats().bytesInUse, before.bytesInUse, `${b.name}: bytes`);
  }
});

test.run();
