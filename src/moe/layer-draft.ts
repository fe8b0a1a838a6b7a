// Stand-ins for src/nn's Param and Layer types until that branch lands on main (the
// shapes follow its draft): replaced by imports from '../nn/*.js' at the merge.
import type { Backend, Csr, F32 } from '../backend/backend.js';
import type { Rng } from '../data/prng.js';

export interface SparseRows {
  readonly x: Csr;
  readonly xT?: Csr;
}
export type LayerInput = F32 | SparseRows;

export interface ForwardMode {
  training: boolean;
  rng?: Rng;
}

export interface LayerInfo {
  kind: string;
  inputs: number;
  outputs: number;
  format: 'dense' | 'csr';
  weights: number;
  nonZero: number;
  sparsity: number;
  bytes: number;
  denseBytes: number;
}

export class Param {
  readonly value: F32;
  readonly grad: F32;
  readonly length: number;
  readonly mask: F32 | null = null;

  constructor(
    readonly backend: Backend,
    readonly name: string,
    readonly shape: readonly number[],
    readonly penalised: boolean,
  ) {
    this.length = shape.reduce((a, d) => a * d, 1);
    this.value = backend.alloc(this.length);
    this.grad = backend.alloc(this.length);
  }

  nonZero(): number {
    const v = this.backend.view(this.value);
    let n = 0;
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) n++;
    return n;
  }

  dispose(): void {
    this.backend.free(this.value);
    this.backend.free(this.grad);
  }
}
