// One parameter tensor in backend memory: its value, its gradient and an optional
// sparsity mask. The mask is set only through setMask, which also zeroes what it prunes,
// so a pruned weight is exactly zero from then on (the optimisers keep it there). A
// ParamGroup stores many parameters back to back, so the optimiser updates them in one call.
import { fail } from '../errors.js';
import type { Backend, F32 } from '../backend/backend.js';

export class Param {
  private valueBuf: F32;
  private gradBuf: F32;
  readonly length: number;
  private maskBuf: F32 | null = null;
  private home: ParamGroup | null = null;
  private at = 0;

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
    this.valueBuf = backend.alloc(length);
    this.gradBuf = backend.alloc(length);
  }

  get value(): F32 {
    return this.valueBuf;
  }

  get grad(): F32 {
    return this.gradBuf;
  }

  /** The group whose buffers hold this parameter (null: it owns its buffers). */
  get group(): ParamGroup | null {
    return this.home;
  }

  /** Where this parameter starts in its group's buffers (0 when it owns its buffers). */
  get offset(): number {
    return this.at;
  }

  /** Moves value and gradient into views of `group` at `offset` (ParamGroup's constructor calls it). */
  moveInto(group: ParamGroup, offset: number): void {
    if (this.home) fail('ERR_BAD_ARGUMENT', `parameter ${this.name} is in a group already`);
    const b = this.backend, value = b.subBuffer(group.value, offset, this.length), grad = b.subBuffer(group.grad, offset, this.length);
    b.copy(this.valueBuf, value);
    b.copy(this.gradBuf, grad);
    b.free(this.valueBuf);
    b.free(this.gradBuf);
    this.valueBuf = value;
    this.gradBuf = grad;
    this.home = group;
    this.at = offset;
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

  /** Frees its buffers (a grouped parameter's are its group's: ParamGroup.dispose frees them). */
  dispose(): void {
    if (!this.home) {
      this.backend.free(this.valueBuf);
      this.backend.free(this.gradBuf);
    }
    this.setMask(null);
  }
}

/**
 * Parameters stored back to back, in the order given, in one value and one gradient buffer:
 * the optimiser then runs one kernel call over them all (a mixture's 8 experts hold 34
 * tensors) instead of one per tensor. Values and gradients keep what they held.
 */
export class ParamGroup {
  readonly value: F32;
  readonly grad: F32;
  readonly length: number;

  constructor(
    readonly backend: Backend,
    readonly params: readonly Param[],
  ) {
    const twice = params.find((p, i) => p.group || params.indexOf(p) !== i);
    if (twice) fail('ERR_BAD_ARGUMENT', `parameter ${twice.name} is in a group already`);
    this.length = params.reduce((a, p) => a + p.length, 0);
    this.value = backend.alloc(this.length);
    this.grad = backend.alloc(this.length);
    let at = 0;
    for (const p of params) {
      p.moveInto(this, at);
      at += p.length;
    }
  }

  /** Frees the storage: dispose the parameters (their masks) too. */
  dispose(): void {
    this.backend.free(this.value);
    this.backend.free(this.grad);
  }
}
