// One parameter tensor in backend memory: its value, its gradient and an optional
// sparsity mask. The mask is set only through setMask, which also zeroes what it prunes,
// so a pruned weight is exactly zero from then on (the optimisers keep it there).
import { fail } from '../errors.js';
import type { Backend, F32 } from '../backend/backend.js';

export class Param {
  readonly value: F32;
  readonly grad: F32;
  readonly length: number;
  private maskBuf: F32 | null = null;

  /**
   * `name` is the layer's name then the tensor's ('dense0/W'): what a saved state calls it.
   * `shape` is [inputs, outputs] for a weight matrix (row-major), [n] otherwise.
   * `penalised`: a weight — L1/L2 apply and pruning may mask it; biases are neither.
   */
  constructor(
    readonly backend: Backend,
    readonly name: string,
    readonly shape: readonly number[],
    readonly penalised: boolean,
  ) {
    const length = shape.reduce((a, d) => a * d, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) fail('ERR_BAD_SHAPE', `parameter ${name}: shape [${shape.join(', ')}] must hold non-negative integers`);
    this.length = length;
    this.value = backend.alloc(length);
    this.grad = backend.alloc(length);
  }

  /** 1 keeps a weight, 0 pins it at zero; null = dense. */
  get mask(): F32 | null {
    return this.maskBuf;
  }

  /** Attach (or replace, or with null drop) the mask, zeroing the values it prunes. */
  setMask(mask: Float32Array | null): void {
    const b = this.backend;
    if (mask === null) {
      if (this.maskBuf) b.free(this.maskBuf);
      this.maskBuf = null;
      return;
    }
    if (mask.length !== this.length) fail('ERR_BAD_SHAPE', `mask for ${this.name} has ${mask.length} values, the parameter ${this.length}`);
    const w = b.read(this.value);
    for (let i = 0; i < w.length; i++) if (mask[i] === 0) w[i] = 0;
    if (this.maskBuf) b.write(this.maskBuf, mask);
    else this.maskBuf = b.upload(mask);
    b.write(this.value, w);
  }

  /** Stored non-zero values. */
  nonZero(): number {
    const v = this.backend.view(this.value);
    let n = 0;
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) n++;
    return n;
  }

  dispose(): void {
    this.backend.free(this.value);
    this.backend.free(this.grad);
    this.setMask(null);
  }
}
