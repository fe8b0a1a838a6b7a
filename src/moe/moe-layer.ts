// A mixture-of-experts layer: a linear router with a softmax over E experts (each
// Dense → ReLU → Dense), trained jointly by backpropagation. Forward: route (a dispatch
// plan on the host over the rows × E probabilities), gather every routed row once into
// one buffer, contiguous per expert; each expert runs one GEMM per layer over its block
// (a sub-buffer view); one weighted scatter-add combines — never a dense product over all
// experts. Shared experts (DeepSeekMoE), when asked for, run over every row and start the
// sum the routed outputs are scattered into. Backward reaches the experts, the gate weights
// (one rowDot over the slots), the router's softmax and the balance and z-losses.
import { fail } from '../errors.js';
import type { Backend, F32, I32 } from '../backend/backend.js';
import type { Rng } from '../data/prng.js';
import { updateBias } from './bias-balance.js';
import { ExpertBlock, type ExpertRows } from './expert-block.js';
import { type ForwardMode, type Layer, type LayerInfo, type LayerInput, isSparseRows } from '../nn/layer.js';
import { Param, ParamGroup } from '../nn/param.js';
import { registerLayer } from '../nn/registry.js';
import { balanceLoss, logSumExps, routerEntropy, softmaxBackward, zLoss } from './losses.js';
import { sigmoid, softplus } from './portable-exp.js';
import { type MoESpec, type ResolvedMoESpec, resolveMoESpec, routingOf } from './moe-spec.js';
import { RouterStats } from './router-stats.js';
import { type DispatchPlan, route, weightGradToProbs } from './routing.js';

export type { MoESpec } from './moe-spec.js';

/** What backward needs of the last training forward. */
interface Step {
  x: F32;
  plan: DispatchPlan;
  probs: Float32Array;
  /** Per row, log Σ e^logits: the z-loss and its gradient. */
  lse: Float64Array;
  /** Noisy top-k: ε and x·W_noise per logit. */
  eps: Float32Array | null;
  noiseLogits: Float32Array | null;
  aux: number;
}

export class MoE implements Layer {
  readonly kind = 'moe' as const;
  readonly outputs: number;
  private readonly s: ResolvedMoESpec;
  /** inputs × E, no bias (as the Switch router) unless the spec asks for routerBias. */
  readonly router: Param;
  readonly routerBias: Param | null;
  readonly noise: Param | null;
  /** DeepSeek-V3 balancing bias (E): steers the choice only; its grad stays 0 (set by the update rule, not the optimiser). */
  readonly bias: Param | null;
  readonly experts: ExpertBlock[];
  /** The shared experts as one block of hidden width sharedExperts · hidden (null when none). */
  readonly shared: ExpertBlock | null;
  private readonly routerStats: RouterStats;
  private readonly paramList: readonly Param[];
  /** Every parameter above, back to back: one optimiser call updates the whole layer. */
  private readonly group: ParamGroup;
  /** Where inference forwards count their routing while probe() runs (null otherwise). */
  private probeStats: RouterStats | null = null;
  private capacity = 0;
  private bufs: {
    logits: F32; probs: F32; out: F32; dLogits: F32; noiseLogits: F32 | null;
    /** The shared block's hidden rows and its dL/dh scratch. */
    sharedH: F32 | null; sharedDh: F32 | null;
  } | null = null;
  /** Host copies of the router's rows × E values and their gradients, reused by every step. */
  private host: { probs: Float32Array; logits: Float32Array; lse: Float64Array; dProbs: Float32Array; dLogits: Float32Array } | null = null;
  private dx: F32 | null = null;
  /** Per routed slot (row, expert): its row index, gate weight, gathered input, hidden and output rows, and their gradients. */
  private slotCapacity = 0;
  private slots: { idx: I32; w: F32; x: F32; h: F32; y: F32; gate: F32; dy: F32; dh: F32 } | null = null;
  /** Host copy of the slots' dL/dgate. */
  private dWeights = new Float32Array(0);
  private dxSlots: F32 | null = null;
  private step: Step | null = null;
  private lastPlan: DispatchPlan | null = null;

  /** `name` is unique in its network ('moe1') and prefixes the parameters' names ('moe1/router/W'). */
  constructor(
    readonly backend: Backend,
    readonly inputs: number,
    spec: MoESpec,
    readonly name = 'moe',
  ) {
    if (!Number.isInteger(inputs) || inputs <= 0) fail('ERR_BAD_SHAPE', `a moe layer needs at least one input, got ${inputs}`);
    const s = (this.s = resolveMoESpec(spec));
    this.outputs = s.units;
    this.router = new Param(backend, `${name}/router/W`, [inputs, s.experts], false);
    this.routerBias = s.routerBias ? new Param(backend, `${name}/router/b`, [s.experts], false) : null;
    this.noise = s.noise ? new Param(backend, `${name}/noise/W`, [inputs, s.experts], false) : null;
    this.bias = s.balance === 'bias' ? new Param(backend, `${name}/router/bias`, [s.experts], false) : null;
    this.experts = Array.from({ length: s.experts }, (_, e) => new ExpertBlock(backend, `${name}/expert${e}`, inputs, s.hidden, s.units));
    this.shared = s.sharedExperts > 0 ? new ExpertBlock(backend, `${name}/shared`, inputs, s.sharedExperts * s.hidden, s.units) : null;
    this.routerStats = new RouterStats(s.experts);
    this.paramList = [this.router, ...(this.routerBias ? [this.routerBias] : []), ...(this.noise ? [this.noise] : []), ...(this.bias ? [this.bias] : []), ...this.experts.flatMap((e) => e.params()), ...(this.shared?.params() ?? [])];
    this.group = new ParamGroup(backend, this.paramList);
  }

  /** Built once: the optimiser asks on every step. */
  params(): readonly Param[] {
    return this.paramList;
  }

  /**
   * Router as Switch (normal, std √(0.1/inputs)); W_noise zero as Shazeer (noise scale
   * softplus(0) at first); router and balancing biases zero; experts as Dense, in expert order,
   * the shared block last.
   */
  initialize(rng: Rng): void {
    const b = this.backend, std = Math.sqrt(0.1 / this.inputs);
    b.write(this.router.value, Float32Array.from({ length: this.router.length }, () => rng.normal() * std));
    if (this.routerBias) b.fill(this.routerBias.value, 0);
    if (this.noise) b.fill(this.noise.value, 0);
    if (this.bias) b.fill(this.bias.value, 0);
    for (const e of this.experts) e.initialize(rng);
    this.shared?.initialize(rng);
  }

  forward(x: LayerInput, rows: number, mode: ForwardMode): F32 {
    if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `rows must be a non-negative integer, got ${rows}`);
    if (isSparseRows(x)) fail('ERR_BAD_ARGUMENT', 'a moe layer takes dense rows: put a dense layer before it for sparse input');
    const b = this.backend, s = this.s, E = s.experts, buf = this.reserve(rows);
    this.routerLogits(x, this.router.value, rows, buf.logits);
    if (this.routerBias) b.biasAct(buf.logits, this.routerBias.value, rows, E, 'identity', buf.logits);
    let eps: Float32Array | null = null, noiseLogits: Float32Array | null = null;
    if (this.noise && mode.training) {
      const rng = mode.rng ?? fail('ERR_BAD_ARGUMENT', 'noisy top-k needs the fit\'s random stream (mode.rng) in training');
      this.routerLogits(x, this.noise.value, rows, buf.noiseLogits!);
      noiseLogits = b.read(buf.noiseLogits!).subarray(0, rows * E);
      eps = Float32Array.from({ length: rows * E }, () => rng.normal());
      const h = b.view(buf.logits);
      for (let i = 0; i < rows * E; i++) h[i] += eps[i] * softplus(noiseLogits[i]);
    }
    b.softmax(buf.logits, rows, E, buf.probs);
    const host = this.host!, probs = host.probs.subarray(0, rows * E);
    probs.set(b.view(buf.probs).subarray(0, rows * E));
    const plan = (this.lastPlan = route(probs, rows, E, routingOf(s, this.bias ? b.read(this.bias.value) : null)));
    // The shared block's outputs are the first terms of the sum: it writes them into out itself.
    if (this.shared) this.shared.forward({ n: rows, x, h: buf.sharedH!, y: buf.out });
    else b.fill(buf.out, 0);
    const total = plan.row.length;
    if (total > 0) {
      const sl = this.reserveSlots(total);
      b.write(sl.idx, plan.row);
      b.write(sl.w, plan.weight);
      b.gatherRows(x, this.inputs, sl.idx, total, sl.x);
      // Each expert's first product on a thread of its own; the small rest runs as it is.
      b.concurrently(() => this.experts.forEach((ex, e) => ex.forwardIn(this.rowsOf(plan, e))));
      this.experts.forEach((ex, e) => ex.forwardOut(this.rowsOf(plan, e)));
      b.scatterAddRows(sl.y, s.units, sl.idx, total, buf.out, sl.w);
    }
    this.step = null;
    const sink = mode.training ? this.routerStats : this.probeStats;
    if (sink) {
      // Measured whatever the balancing, so the stats show balance under every mode.
      const logits = host.logits.subarray(0, rows * E);
      logits.set(b.view(buf.logits).subarray(0, rows * E));
      const lse = logSumExps(logits, probs, rows, E, host.lse.subarray(0, rows));
      const balance = balanceLoss(plan, probs, 1, null, null);
      const z = zLoss(lse, probs, rows, E, 1, null, null);
      sink.add(plan, routerEntropy(lse, logits, probs, rows, E, null), balance, z);
      if (mode.training) this.step = { x, plan, probs, lse, eps, noiseLogits, aux: (s.balance === 'loss' ? s.balanceCoef * balance : 0) + s.zLossCoef * z };
    }
    return buf.out;
  }

  backward(dy: F32, rows: number, needInput: boolean): F32 | null {
    const step = this.step ?? fail('ERR_BAD_ARGUMENT', 'backward needs a training forward first');
    if (rows !== step.plan.rows) fail('ERR_BAD_SHAPE', `backward got ${rows} rows, the forward ${step.plan.rows}`);
    const b = this.backend, s = this.s, E = s.experts, buf = this.bufs!, { plan, probs, x } = step;
    const dx = needInput ? (this.dx ??= b.alloc(this.capacity * this.inputs)) : null;
    // The shared block writes dx first (every row); the routed slots and the router add to it.
    if (this.shared) this.shared.backward({ n: rows, x, h: buf.sharedH!, y: buf.out }, { dy, dh: buf.sharedDh!, dx }); // backward reads no y
    else if (dx) b.fill(dx, 0);
    const total = plan.row.length, dWeight = this.dWeights.subarray(0, total);
    if (total > 0) {
      const sl = this.slots!;
      // dL/dgate per slot = dy[row]·y_slot; each expert's dL/dy is its gate-weighted share of dy.
      b.rowDot(dy, s.units, sl.idx, total, sl.y, sl.gate);
      dWeight.set(b.view(sl.gate).subarray(0, total));
      b.gatherRowsScaled(dy, s.units, sl.idx, total, sl.w, sl.dy);
      const dxs = dx ? (this.dxSlots ??= b.alloc(this.slotCapacity * this.inputs)) : null;
      const grads = this.experts.map((_, e) => {
        const from = plan.offsets[e], n = plan.offsets[e + 1] - from;
        return { dy: this.block(sl.dy, from, n, s.units), dh: this.block(sl.dh, from, n, s.hidden), dx: dxs && this.block(dxs, from, n, this.inputs) };
      });
      this.experts.forEach((ex, e) => ex.backwardOut(this.rowsOf(plan, e), grads[e]));
      // Every expert's dW1, db1 and dx side by side: the large products of the backward.
      b.concurrently(() => this.experts.forEach((ex, e) => ex.backwardIn(this.rowsOf(plan, e), grads[e])));
      if (dx && dxs) b.scatterAddRows(dxs, this.inputs, sl.idx, total, dx);
    } else for (const ex of this.experts) ex.zeroGrads();
    // Router: gate weights → probabilities (+ balance loss) → softmax → logits (+ z-loss).
    const host = this.host!, dProbs = host.dProbs.subarray(0, rows * E), dLogits = host.dLogits.subarray(0, rows * E).fill(0);
    weightGradToProbs(plan, dWeight, dProbs);
    if (s.balance === 'loss') balanceLoss(plan, probs, s.balanceCoef, null, dProbs);
    softmaxBackward(probs, dProbs, rows, E, dLogits);
    zLoss(step.lse, probs, rows, E, s.zLossCoef, null, dLogits);
    b.write(buf.dLogits, dLogits);
    this.routerGrad(x, buf.dLogits, rows, this.router.grad);
    if (this.routerBias) b.colSum(buf.dLogits, rows, E, this.routerBias.grad);
    if (dx) b.gemm(false, true, rows, this.inputs, E, buf.dLogits, this.router.value, dx, true);
    if (this.noise && step.eps) {
      // ∂H/∂(x·W_noise) = ε·sigmoid(x·W_noise).
      for (let i = 0; i < rows * E; i++) dLogits[i] *= step.eps[i] * sigmoid(step.noiseLogits![i]);
      b.write(buf.noiseLogits!, dLogits);
      this.routerGrad(x, buf.noiseLogits!, rows, this.noise.grad);
      if (dx) b.gemm(false, true, rows, this.inputs, E, buf.noiseLogits!, this.noise.value, dx, true);
    } else if (this.noise) b.fill(this.noise.grad, 0);
    if (this.bias) {
      const bias = b.read(this.bias.value);
      updateBias(bias, plan, s.biasRate);
      b.write(this.bias.value, bias);
      b.fill(this.bias.grad, 0);
    }
    return dx;
  }

  /** α·balance + β·z of the last training forward (0 after an inference forward). */
  auxLoss(): number {
    return this.step?.aux ?? 0;
  }

  /** Router statistics over the training batches since the last call (see RouterStats.read). */
  stats(): Record<string, number> {
    return this.routerStats.read();
  }

  /**
   * Runs `fn` (inference forwards, e.g. a prediction over new rows) and returns its result
   * with the router statistics of those forwards, as stats() reads them for training.
   */
  probe<T>(fn: () => T): { result: T; stats: Record<string, number> } {
    const sink = (this.probeStats = new RouterStats(this.s.experts));
    try {
      return { result: fn(), stats: sink.read() };
    } finally {
      this.probeStats = null;
    }
  }

  /** The last forward's output (rows × units; valid until the next forward), null before any. */
  get output(): F32 | null {
    return this.bufs?.out ?? null;
  }

  /** The last forward's dispatch plan (null before any). */
  get plan(): DispatchPlan | null {
    return this.lastPlan;
  }

  /**
   * The router's 2·inputs·E, plus the experts a row runs: k for token choice (dropless),
   * C on average for expert choice (E·c slots over n rows); combine adds a multiply-add per
   * output. The shared block runs on every row.
   */
  flopsPerSample(): number {
    const s = this.s, active = s.routing === 'token' ? s.k : Math.min(s.capacityFactor!, s.experts);
    const expert = this.experts.reduce((a, e) => a + e.flopsPerRow(), 0) / s.experts;
    return 2 * this.inputs * s.experts + active * (expert + 2 * s.units) + (this.shared?.flopsPerRow() ?? 0);
  }

  info(): LayerInfo {
    const weights = this.params().filter((p) => p.penalised || p === this.router);
    const n = weights.reduce((a, p) => a + p.length, 0), nonZero = weights.reduce((a, p) => a + p.nonZero(), 0);
    const bytes = 4 * this.params().reduce((a, p) => a + p.length, 0);
    return { kind: this.kind, inputs: this.inputs, outputs: this.outputs, format: 'dense', weights: n, nonZero, sparsity: n === 0 ? 0 : 1 - nonZero / n, bytes, denseBytes: bytes };
  }

  spec(): ResolvedMoESpec {
    return { ...this.s };
  }

  release(): void {
    this.releaseOwn();
  }

  dispose(): void {
    this.release();
    for (const p of [this.router, this.routerBias, this.noise, this.bias]) p?.dispose();
    for (const e of this.experts) e.dispose();
    this.shared?.dispose();
    this.group.dispose();
  }

  private releaseOwn(): void {
    if (this.bufs) for (const buf of Object.values(this.bufs)) if (buf) this.backend.free(buf);
    if (this.dx) this.backend.free(this.dx);
    this.bufs = this.dx = this.host = null;
    this.capacity = 0;
    this.releaseSlots();
    this.step = null;
  }

  private releaseSlots(): void {
    if (this.slots) for (const buf of Object.values(this.slots)) this.backend.free(buf);
    if (this.dxSlots) this.backend.free(this.dxSlots);
    this.slots = this.dxSlots = null;
    this.slotCapacity = 0;
  }

  /** Slot buffers for `n` routed (row, expert) pairs, grown (never shrunk). */
  private reserveSlots(n: number): NonNullable<MoE['slots']> {
    if (this.slots && n <= this.slotCapacity) return this.slots;
    this.releaseSlots();
    const b = this.backend, c = (this.slotCapacity = n), s = this.s;
    this.dWeights = new Float32Array(c);
    return (this.slots = {
      idx: b.alloc(c, 'i32'), w: b.alloc(c), x: b.alloc(c * this.inputs), h: b.alloc(c * s.hidden), y: b.alloc(c * s.units),
      gate: b.alloc(c), dy: b.alloc(c * s.units), dh: b.alloc(c * s.hidden),
    });
  }

  /** Expert e's block of the slot buffers (reserved: the plan has slots). */
  private rowsOf(plan: DispatchPlan, e: number): ExpertRows {
    const from = plan.offsets[e], n = plan.offsets[e + 1] - from, sl = this.slots!, s = this.s;
    return { n, x: this.block(sl.x, from, n, this.inputs), h: this.block(sl.h, from, n, s.hidden), y: this.block(sl.y, from, n, s.units) };
  }

  /** Rows from .. from + n of a slot buffer of `cols` columns: a view, no copy. */
  private block(buf: F32, from: number, n: number, cols: number): F32 {
    return this.backend.subBuffer(buf, from * cols, n * cols);
  }

  /** out (rows × E) = x·W: E columns, nothing packed. */
  private routerLogits(x: F32, W: F32, rows: number, out: F32): void {
    this.backend.gemmUnpacked(rows, this.s.experts, this.inputs, x, W, out);
  }

  /** grad (inputs × E) = xᵀ·d: the GEMM reads xᵀ where it lies. */
  private routerGrad(x: F32, d: F32, rows: number, grad: F32): void {
    this.backend.gemm(true, false, this.inputs, this.s.experts, rows, x, d, grad);
  }

  /** Router and output buffers for `rows` rows, grown (never shrunk) as batches get larger. */
  private reserve(rows: number): NonNullable<MoE['bufs']> {
    if (this.bufs && rows <= this.capacity) return this.bufs;
    this.releaseOwn();
    const b = this.backend, c = (this.capacity = Math.max(rows, 1)), E = this.s.experts, sh = this.shared?.hidden ?? 0;
    const values = () => new Float32Array(c * E);
    this.host = { probs: values(), logits: values(), lse: new Float64Array(c), dProbs: values(), dLogits: values() };
    return (this.bufs = {
      logits: b.alloc(c * E), probs: b.alloc(c * E), out: b.alloc(c * this.outputs), dLogits: b.alloc(c * E),
      noiseLogits: this.noise ? b.alloc(c * E) : null,
      sharedH: sh ? b.alloc(c * sh) : null, sharedDh: sh ? b.alloc(c * sh) : null,
    });
  }
}

/** Makes 'moe' a layer kind of the network registry: Networks then build (and rebuild saved) `{ kind: 'moe', … }` specs. */
export function registerMoELayer(): void {
  registerLayer('moe', (backend, inputs, spec, name) => new MoE(backend, inputs, spec as unknown as MoESpec, name));
}
