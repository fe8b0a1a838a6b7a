// One expert of a mixture: Dense → ReLU → Dense over only the rows routed to it. The layer
// gathers every expert's rows into one buffer, contiguous per expert; an expert runs one
// GEMM per layer over its block of it (a sub-buffer view) and owns only its parameters.
import type { Backend, F32 } from '../backend/backend.js';
import type { Rng } from '../data/prng.js';
import { Param } from '../nn/param.js';

/** One expert's blocks of the layer's slot buffers: n rows each. */
export interface ExpertRows {
  n: number;
  /** n × inputs gathered rows, n × hidden activations, n × units outputs. */
  x: F32;
  h: F32;
  y: F32;
}

/** The same blocks in backward: the expert's gate-weighted dL/dy, and scratch for dL/dh and dL/dx. */
export interface ExpertGrads {
  dy: F32;
  dh: F32;
  dx: F32 | null;
}

export class ExpertBlock {
  readonly W1: Param;
  readonly b1: Param;
  readonly W2: Param;
  readonly b2: Param;

  constructor(
    readonly backend: Backend,
    readonly name: string,
    readonly inputs: number,
    readonly hidden: number,
    readonly units: number,
  ) {
    this.W1 = new Param(backend, `${name}/W1`, [inputs, hidden], true);
    this.b1 = new Param(backend, `${name}/b1`, [hidden], false);
    this.W2 = new Param(backend, `${name}/W2`, [hidden, units], true);
    this.b2 = new Param(backend, `${name}/b2`, [units], false);
  }

  params(): Param[] {
    return [this.W1, this.b1, this.W2, this.b2];
  }

  /** He-normal into the ReLU, Glorot-uniform out of it (as Dense); zero biases. */
  initialize(rng: Rng): void {
    const b = this.backend, std = Math.sqrt(2 / this.inputs), lim = Math.sqrt(6 / (this.hidden + this.units));
    b.write(this.W1.value, Float32Array.from({ length: this.W1.length }, () => rng.normal() * std));
    b.write(this.W2.value, Float32Array.from({ length: this.W2.length }, () => (rng.next() * 2 - 1) * lim));
    b.fill(this.b1.value, 0);
    b.fill(this.b2.value, 0);
  }

  /** y = relu(x·W1 + b1)·W2 + b2 over its n rows (h kept for backward); an expert's few rows do not pay for packing. */
  forward(r: ExpertRows): void {
    this.forwardIn(r);
    this.forwardOut(r);
  }

  /**
   * The first half of forward: h = x·W1, the expert's large product. It reads and writes only
   * this expert's blocks: a layer runs every expert's side by side (Backend.concurrently).
   */
  forwardIn(r: ExpertRows): void {
    if (r.n > 0) this.backend.gemmUnpacked(r.n, this.hidden, this.inputs, r.x, this.W1.value, r.h);
  }

  /** The rest of forward, after forwardIn. */
  forwardOut(r: ExpertRows): void {
    if (r.n === 0) return;
    const b = this.backend;
    b.biasAct(r.h, this.b1.value, r.n, this.hidden, 'relu', r.h);
    b.gemmUnpacked(r.n, this.units, this.hidden, r.h, this.W2.value, r.y);
    b.biasAct(r.y, this.b2.value, r.n, this.units, 'identity', r.y);
  }

  /** Every parameter gradient (zero when no rows came) and, when g.dx is given, dL/dx of its rows. */
  backward(r: ExpertRows, g: ExpertGrads): void {
    this.backwardOut(r, g);
    this.backwardIn(r, g);
  }

  /** The first half of backward: the output layer's gradients and dL/dh. */
  backwardOut(r: ExpertRows, g: ExpertGrads): void {
    const b = this.backend, n = r.n;
    if (n === 0) return this.zeroGrads();
    b.gemm(true, false, this.hidden, this.units, n, r.h, g.dy, this.W2.grad);
    b.colSum(g.dy, n, this.units, this.b2.grad);
    b.gemm(false, true, n, this.hidden, this.units, g.dy, this.W2.value, g.dh);
    b.actBackward(g.dh, r.h, n * this.hidden, 'relu', g.dh);
  }

  /**
   * The rest of backward, after backwardOut: dW1, db1 and dx, independent calls reading dL/dh
   * and this expert's blocks only (a layer runs every expert's side by side).
   */
  backwardIn(r: ExpertRows, g: ExpertGrads): void {
    const b = this.backend, n = r.n;
    if (n === 0) return;
    b.gemm(true, false, this.inputs, this.hidden, n, r.x, g.dh, this.W1.grad);
    b.colSum(g.dh, n, this.hidden, this.b1.grad);
    if (g.dx) b.gemm(false, true, n, this.inputs, this.hidden, g.dh, this.W1.value, g.dx);
  }

  zeroGrads(): void {
    for (const p of this.params()) this.backend.fill(p.grad, 0);
  }

  /** 2 FLOPs per stored weight plus the biases, for one row. */
  flopsPerRow(): number {
    const stored = (p: Param): number => (p.mask ? p.nonZero() : p.length);
    return 2 * (stored(this.W1) + stored(this.W2)) + this.hidden + this.units;
  }

  dispose(): void {
    for (const p of this.params()) p.dispose();
  }
}
