// One expert of a mixture: Dense → ReLU → Dense over only the rows routed to it. Its rows
// are gathered into its own buffers (sized to its largest load so far), so it runs one
// GEMM per layer over exactly its rows; its weighted output is scattered back.
import type { Backend, F32, I32 } from '../backend/backend.js';
import type { Rng } from '../data/prng.js';
import { Param } from './layer-draft.js';

export class ExpertBlock {
  readonly W1: Param;
  readonly b1: Param;
  readonly W2: Param;
  readonly b2: Param;
  /** Rows of the last forward. */
  private n = 0;
  private capacity = 0;
  private bufs: { idx: I32; w: F32; xg: F32; h: F32; y: F32; gate: F32; dy: F32; dh: F32 } | null = null;
  private dxg: F32 | null = null;

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

  /** out[rows[i]] += weights[i]·expert(x[rows[i]]) for its slots; none → nothing runs. */
  forward(x: F32, rows: Int32Array, weights: Float32Array, out: F32): void {
    const n = (this.n = rows.length);
    if (n === 0) return;
    const b = this.backend, s = this.reserve(n);
    b.write(s.idx, rows);
    b.write(s.w, weights);
    b.gatherRows(x, this.inputs, s.idx, n, s.xg);
    b.gemm(false, false, n, this.hidden, this.inputs, s.xg, this.W1.value, s.h);
    b.biasAct(s.h, this.b1.value, n, this.hidden, 'relu', s.h);
    b.gemm(false, false, n, this.units, this.hidden, s.h, this.W2.value, s.y);
    b.biasAct(s.y, this.b2.value, n, this.units, 'identity', s.y);
    b.scatterAddRows(s.y, this.units, s.idx, n, out, s.w);
  }

  /**
   * From dL/dout: every parameter gradient (zero when no rows came), dL/dweight per slot
   * into `dWeight`, and dL/dx added into `dx` when given.
   */
  backward(dOut: F32, dWeight: Float32Array, dx: F32 | null): void {
    const b = this.backend, n = this.n;
    if (n === 0) {
      for (const p of this.params()) b.fill(p.grad, 0);
      return;
    }
    const s = this.bufs!;
    b.rowDot(dOut, this.units, s.idx, n, s.y, s.gate);
    dWeight.set(b.view(s.gate).subarray(0, n));
    b.gatherRowsScaled(dOut, this.units, s.idx, n, s.w, s.dy);
    b.gemm(true, false, this.hidden, this.units, n, s.h, s.dy, this.W2.grad);
    b.colSum(s.dy, n, this.units, this.b2.grad);
    b.gemm(false, true, n, this.hidden, this.units, s.dy, this.W2.value, s.dh);
    b.actBackward(s.dh, s.h, n * this.hidden, 'relu', s.dh);
    b.gemm(true, false, this.inputs, this.hidden, n, s.xg, s.dh, this.W1.grad);
    b.colSum(s.dh, n, this.hidden, this.b1.grad);
    if (!dx) return;
    this.dxg ??= b.alloc(this.capacity * this.inputs);
    b.gemm(false, true, n, this.inputs, this.hidden, s.dh, this.W1.value, this.dxg);
    b.scatterAddRows(this.dxg, this.inputs, s.idx, n, dx);
  }

  /** 2 FLOPs per stored weight plus the biases, for one row. */
  flopsPerRow(): number {
    const stored = (p: Param): number => (p.mask ? p.nonZero() : p.length);
    return 2 * (stored(this.W1) + stored(this.W2)) + this.hidden + this.units;
  }

  release(): void {
    if (this.bufs) for (const buf of Object.values(this.bufs)) this.backend.free(buf);
    if (this.dxg) this.backend.free(this.dxg);
    this.bufs = this.dxg = null;
    this.capacity = this.n = 0;
  }

  dispose(): void {
    this.release();
    for (const p of this.params()) p.dispose();
  }

  /** Buffers for n rows, grown (never shrunk) as loads get larger. */
  private reserve(n: number): NonNullable<ExpertBlock['bufs']> {
    if (this.bufs && n <= this.capacity) return this.bufs;
    this.release();
    const b = this.backend, c = (this.capacity = n);
    this.n = n;
    return (this.bufs = {
      idx: b.alloc(c, 'i32'), w: b.alloc(c), xg: b.alloc(c * this.inputs), h: b.alloc(c * this.hidden), y: b.alloc(c * this.units),
      gate: b.alloc(c), dy: b.alloc(c * this.units), dh: b.alloc(c * this.hidden),
    });
  }
}
