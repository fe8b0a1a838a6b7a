// The layer interface: a layer that is not Dense (a per-feature scale with an auxiliary
// loss and statistics) sits inside a Network and trains through fitNetwork, prunes, saves
// and loads, with gradients by finite differences; Dense's CSR variant and Param's mask
// API; typed errors for bad specs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend, F32 } from '../src/backend/backend.js';
import { Rng } from '../src/data/prng.js';
import type { Dataset } from '../src/data/dataset.js';
import { Dense } from '../src/nn/dense.js';
import type { ForwardMode, Layer, LayerInfo, LayerInput } from '../src/nn/layer.js';
import { LOSSES } from '../src/nn/losses.js';
import { Network } from '../src/nn/network.js';
import { Optimizer } from '../src/nn/optimizer.js';
import { Param } from '../src/nn/param.js';
import { pruneNetwork } from '../src/sparsity/prune.js';
import { fitNetwork } from '../src/train/fit.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';
import { SEED, rng } from './util/prng.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

/** y = x ⊙ s per feature, aux loss (λ/2)·‖s‖², stats: mean |s|. Host arithmetic: a test layer. */
class Scale implements Layer {
  readonly kind = 'scale';
  readonly outputs: number;
  readonly s: Param;
  private out: F32 | null = null;
  private dx: F32 | null = null;
  private x: F32 | null = null;

  constructor(
    readonly backend: Backend,
    readonly inputs: number,
    readonly name = 'scale',
    private readonly lambda = 0.1,
  ) {
    this.outputs = inputs;
    this.s = new Param(backend, `${name}/s`, [1, inputs], true);
  }

  params(): readonly Param[] {
    return [this.s];
  }

  initialize(rng: Rng): void {
    this.backend.write(this.s.value, Float32Array.from({ length: this.inputs }, () => 0.5 + rng.next()));
  }

  forward(x: LayerInput, rows: number, mode: ForwardMode): F32 {
    const b = this.backend;
    if (this.out) b.free(this.out);
    this.out = b.alloc(Math.max(rows, 1) * this.inputs);
    const xv = b.view(x as F32), s = b.view(this.s.value), o = b.view(this.out);
    for (let i = 0; i < rows * this.inputs; i++) o[i] = xv[i] * s[i % this.inputs];
    this.x = mode.training ? (x as F32) : null;
    return this.out;
  }

  backward(dy: F32, rows: number, needInput: boolean): F32 | null {
    const b = this.backend, n = this.inputs;
    if (this.dx) b.free(this.dx);
    this.dx = needInput ? b.alloc(Math.max(rows, 1) * n) : null;
    const d = b.view(dy), x = b.view(this.x!), s = b.view(this.s.value), g = b.view(this.s.grad);
    for (let c = 0; c < n; c++) g[c] = this.lambda * s[c];
    for (let i = 0; i < rows * n; i++) g[i % n] += d[i] * x[i];
    if (this.dx) {
      const dx = b.view(this.dx);
      for (let i = 0; i < rows * n; i++) dx[i] = d[i] * s[i % n];
    }
    return this.dx;
  }

  auxLoss(): number {
    const s = this.backend.view(this.s.value);
    return (this.lambda / 2) * s.reduce((a, v) => a + v * v, 0);
  }

  stats(): Record<string, number> {
    const s = this.backend.view(this.s.value);
    return { meanAbs: s.reduce((a, v) => a + Math.abs(v), 0) / s.length };
  }

  flopsPerSample(): number {
    return this.inputs;
  }

  info(): LayerInfo {
    const nonZero = this.s.nonZero();
    return { kind: this.kind, inputs: this.inputs, outputs: this.outputs, format: 'dense', weights: this.inputs, nonZero, sparsity: 1 - nonZero / this.inputs, bytes: 4 * this.inputs, denseBytes: 4 * this.inputs };
  }

  spec() {
    return { kind: this.kind };
  }

  release(): void {
    for (const buf of [this.out, this.dx]) if (buf) this.backend.free(buf);
    this.out = this.dx = this.x = null;
  }

  dispose(): void {
    this.release();
    this.s.dispose();
  }
}

function scaled(b: Backend, inputs: number, seed: number): Network {
  // Dense specs and a Layer instance mixed: the network names the built ones by position.
  const net = new Network(b, { inputs, head: 'softmax', layers: [{ units: 6, activation: 'relu' }, new Scale(b, 6, 'scale1'), { units: 3, activation: 'identity' }] });
  net.initialize(new Rng(seed));
  return net;
}

/** Three blobs in `cols` dimensions. */
function blobs(rows: number, cols: number, seed: number): Dataset {
  const r = rng(seed), x = new Float32Array(rows * cols), y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) x[i * cols + c] = r.uniform(-0.5, 0.5) + (c % 3 === i % 3 ? 2 : 0);
    y[i] = i % 3;
  }
  return { x, rows, cols, y, classes: 3 };
}

for (const b of [reference, wasm]) {
  test(`${b.name}: a non-Dense layer inside a network — gradients (aux loss included) match finite differences`, () => {
    const r = rng(SEED + 1), rows = 5, inputs = 4;
    const net = scaled(b, inputs, SEED);
    const x = b.upload(r.floats(rows * inputs)), y = b.upload(r.ints(rows, 0, 3)), draws = new Rng(1);
    net.trainStep(x, y, rows, draws);
    const analytic = net.params().map((p) => b.read(p.grad));
    const eps = 3e-3; // 1e-2 crosses a ReLU kink at this seed
    net.params().forEach((p, pi) => {
      const w = b.read(p.value);
      for (let i = 0; i < w.length; i++) {
        const at = (v: number) => {
          const moved = w.slice();
          moved[i] = v;
          b.write(p.value, moved);
          return net.trainStep(x, y, rows, draws);
        };
        const numeric = (at(w[i] + eps) - at(w[i] - eps)) / (2 * eps);
        b.write(p.value, w);
        const a = analytic[pi][i];
        assert.ok(Math.abs(a - numeric) <= 2e-3 + 3e-2 * Math.abs(numeric), `${p.name}[${i}]: analytic ${a}, numeric ${numeric} (seed ${SEED})`);
      }
    });
    net.dispose();
    b.free(x);
    b.free(y);
  });
}

test('a non-Dense layer trains through fitNetwork (its stats in the logs), prunes, saves and loads', async () => {
  const ds = blobs(240, 5, SEED);
  const live = wasm.stats().buffers;
  const net = scaled(wasm, 5, SEED);
  const opt = new Optimizer(wasm, { kind: 'adam', lr: 0.05 });
  const h = await fitNetwork(net, opt, ds, { epochs: 8, batchSize: 32, seed: SEED });
  opt.dispose();
  const loss = h.history.loss;
  assert.ok(loss[loss.length - 1] < 0.5 * loss[0], `loss ${loss[0]} → ${loss[loss.length - 1]}`);
  assert.is(h.history['scale1/meanAbs'].length, 8, 'the layer statistics are logged each epoch');
  assert.ok(net.evaluate(ds).acc! > 0.9, 'learns the blobs');
  // Pruning reaches the Scale layer's weight like any other.
  const report = pruneNetwork(net, { method: 'magnitude', sparsity: 0.4, layers: [1] });
  assert.equal(report.map((l) => [l.name, l.total - l.nonZero]), [['scale1/s', 2]]);
  assert.is(wasm.read(net.layers[1].params()[0].mask!).filter((v) => v === 0).length, 2);
  // Save and load by tensor names: the same predictions from a fresh network.
  const saved = net.tensors();
  assert.equal(saved.map((t) => t.name), ['dense0/W', 'dense0/b', 'scale1/s', 'scale1/s/mask', 'dense2/W', 'dense2/b']);
  const copy = scaled(wasm, 5, SEED + 9);
  copy.loadTensors(saved);
  allClose(copy.predictProba(ds.x, ds.rows), net.predictProba(ds.x, ds.rows), 0, 0, SEED, 'loaded copy');
  assert.ok(copy.params()[2].mask !== null, 'masks load too');
  assert.throws(() => copy.loadTensors(saved.slice(1)), code('ERR_BAD_FILE'));
  assert.throws(() => net.compileSparse(), code('ERR_BAD_ARGUMENT'), 'no CSR variant for a Scale layer');
  copy.dispose();
  net.dispose();
  assert.is(wasm.stats().buffers, live, 'no buffer left behind');
});

test('Dense: the CSR variant is inference-only, counts stored weights, and compiled copies are snapshots', () => {
  const live = wasm.stats().buffers;
  const net = new Network(wasm, { inputs: 9, head: 'softmax', layers: [{ units: 7, activation: 'relu' }, { units: 3, activation: 'identity' }] });
  net.initialize(new Rng(SEED));
  assert.is(net.flopsPerSample(), 2 * (63 + 21) + 10, 'dense: every weight counts');
  pruneNetwork(net, { method: 'magnitude', sparsity: 0.5, layers: 'all' });
  const kept = [63 - Math.round(31.5), 21 - Math.round(10.5)];
  assert.is(net.flopsPerSample(), 2 * (kept[0] + kept[1]) + 10, 'masked: only the kept weights');
  // Sparsity 32/63 ≈ 0.508 and 11/21 ≈ 0.524: only the second layer goes to CSR.
  const sp = net.compileSparse({ minSparsity: 0.51 });
  assert.equal(sp.layerInfo().map((l) => l.format), ['dense', 'csr']);
  assert.is(sp.flopsPerSample(), 2 * (63 + kept[1]) + 10, 'the compiled copy counts what it runs: a dense layer whole, a CSR one its stored weights');
  const x = wasm.upload(rng(SEED).floats(4 * 9)), y = wasm.upload(new Int32Array(4));
  assert.throws(() => sp.trainStep(x, y, 4), code('ERR_BAD_ARGUMENT'));
  assert.throws(() => (sp.layers[1] as Dense).W, code('ERR_BAD_ARGUMENT'));
  assert.equal(sp.layers[1].params().map((p) => p.name), ['dense1/b']);
  wasm.free(x);
  wasm.free(y);
  sp.dispose();
  net.dispose();
  assert.is(wasm.stats().buffers, live, 'no buffer left behind');
});

for (const b of [reference, wasm]) {
  test(`${b.name}: the sigmoid head (softmax kernels on [0, z]) equals float64 binary cross-entropy, large |z| included`, () => {
    const z = Float32Array.of(0, 0.5, -0.5, 3, -3, 12, -12, 30, -30, 80, -80), rows = z.length;
    const labels = Int32Array.from(z, (_, i) => (i % 3 === 0 ? 1 : 0)); // right and wrong at every scale
    const { loss: want, grad, p } = bce(z, labels);
    const out = b.upload(z), y = b.upload(labels), g = b.alloc(rows), scratch = b.alloc(4 * rows);
    allClose([LOSSES.sigmoid.lossAndGrad(b, out, y, rows, 1, g, scratch)], [want], 1e-6, 1e-5, SEED, 'loss');
    allClose(b.read(g), grad, 1e-8, 1e-5, SEED, 'gradient');
    LOSSES.sigmoid.activate(b, out, rows, 1, scratch);
    allClose(b.read(out), p, 1e-12, 1e-5, SEED, 'probabilities');
    for (const buf of [out, y, g, scratch]) b.free(buf);
  });
}

/** Float64 binary cross-entropy of logits z: mean loss, its gradient and σ(z). */
function bce(z: Float32Array, t: Int32Array) {
  const n = z.length, grad = new Float64Array(n), p = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    p[i] = 1 / (1 + Math.exp(-z[i]));
    loss += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
    grad[i] = (p[i] - t[i]) / n;
  }
  return { loss: loss / n, grad, p };
}

test('Param.setMask zeroes what it prunes, replaces and drops masks; a mask of the wrong length is a typed error', () => {
  const p = new Param(wasm, 'w', [2, 3], true);
  wasm.write(p.value, [1, 2, 3, 4, 5, 6]);
  p.setMask(Float32Array.of(1, 0, 1, 0, 1, 1));
  assert.equal(Array.from(wasm.read(p.value)), [1, 0, 3, 0, 5, 6]);
  p.setMask(Float32Array.of(0, 1, 1, 1, 1, 1));
  assert.equal(Array.from(wasm.read(p.value)), [0, 0, 3, 0, 5, 6], 'earlier zeros stay zero');
  assert.equal(Array.from(wasm.read(p.mask!)), [0, 1, 1, 1, 1, 1]);
  assert.is(p.nonZero(), 3);
  assert.throws(() => p.setMask(new Float32Array(5)), code('ERR_BAD_SHAPE'));
  p.setMask(null);
  assert.is(p.mask, null);
  const live = wasm.stats().buffers;
  p.dispose();
  assert.is(wasm.stats().buffers, live - 2);
});

test('bad network specs are typed errors and leave no buffer behind', () => {
  const live = wasm.stats().buffers;
  const bad: [unknown, string][] = [
    [{ inputs: 0, head: 'softmax', layers: [{ units: 2, activation: 'relu' }] }, 'ERR_BAD_SHAPE'],
    [{ inputs: 3, head: 'softmax', layers: [] }, 'ERR_BAD_ARGUMENT'],
    [{ inputs: 3, head: 'hinge', layers: [{ units: 2, activation: 'relu' }] }, 'ERR_BAD_ARGUMENT'],
    [{ inputs: 3, head: 'softmax', layers: [{ units: 2, activation: 'relu' }, { units: 1.5, activation: 'relu' }] }, 'ERR_BAD_ARGUMENT'],
    [{ inputs: 3, head: 'softmax', layers: [{ units: 2, activation: 'tanh' }] }, 'ERR_BAD_ARGUMENT'],
    [{ inputs: 3, head: 'softmax', layers: [{ kind: 'conv', units: 2 }] }, 'ERR_BAD_ARGUMENT'],
    [{ inputs: 3, head: 'softmax', layers: [{ units: 2, activation: 'relu' }, new Dense(wasm, 5, { units: 2, activation: 'relu' }, 'mine')] }, 'ERR_BAD_SHAPE'],
    [{ inputs: 3, head: 'softmax', layers: [new Dense(wasm, 3, { units: 3, activation: 'relu' }), new Dense(wasm, 3, { units: 2, activation: 'relu' })] }, 'ERR_BAD_ARGUMENT'],
  ];
  const given: Layer[] = [];
  for (const [spec, c] of bad) {
    const layers = (spec as { layers: unknown[] }).layers;
    given.push(...(layers.filter((l) => l instanceof Dense) as Layer[]));
    assert.throws(() => new Network(wasm, spec as never), code(c), JSON.stringify(spec, (_k, v) => (v instanceof Dense ? v.name : v)));
  }
  // Layers the caller built stay the caller's: the failed network did not free them.
  for (const l of given) l.dispose();
  assert.is(wasm.stats().buffers, live);
});

test.run();
