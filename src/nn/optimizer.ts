// Optimiser settings and the per-parameter state they keep. Adam and SGD are thin
// wrappers over one backend kernel each (tinygrad's shape: one shared step).
import { fail } from '../errors.js';
import type { Backend, F32 } from '../backend/backend.js';
import type { Param } from './param.js';

export interface AdamConfig {
  kind: 'adam';
  /** Defaults as Keras: lr 1e-3, β 0.9/0.999, ε 1e-7. */
  lr?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface SgdConfig {
  kind: 'sgd';
  lr?: number;
  momentum?: number;
}

export type OptimizerConfig = AdamConfig | SgdConfig;

/** Penalties applied by the optimiser step (not by the loss): L2 on the gradient, L1 as a proximal shrink. */
export interface Penalty {
  l1?: number;
  l2?: number;
}

export class Optimizer {
  private step = 0;
  private readonly slots = new Map<Param, [F32, F32 | null]>();

  constructor(
    private readonly backend: Backend,
    private readonly config: OptimizerConfig,
    private readonly penalty: Penalty = {},
  ) {
    const lr = config.lr ?? (config.kind === 'adam' ? 1e-3 : 1e-2);
    if (!(lr > 0) || !Number.isFinite(lr)) fail('ERR_BAD_ARGUMENT', `learning rate must be a positive number, got ${lr}`);
    if ((penalty.l1 ?? 0) < 0 || (penalty.l2 ?? 0) < 0) fail('ERR_BAD_ARGUMENT', 'l1 and l2 must be ≥ 0');
  }

  /** Apply one update to every parameter from its accumulated gradient. */
  apply(params: readonly Param[]): void {
    this.step++;
    const c = this.config;
    for (const p of params) {
      const slot = this.slot(p);
      const l1 = p.penalised ? this.penalty.l1 ?? 0 : 0;
      const l2 = p.penalised ? this.penalty.l2 ?? 0 : 0;
      if (c.kind === 'adam') {
        this.backend.adam(p.value, p.grad, slot[0], slot[1]!, p.length, {
          lr: c.lr ?? 1e-3, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, eps: c.epsilon ?? 1e-7,
          step: this.step, l1, weightDecay: l2,
        }, p.mask);
      } else {
        this.backend.sgd(p.value, p.grad, slot[0], p.length, { lr: c.lr ?? 1e-2, momentum: c.momentum ?? 0, l1, l2 }, p.mask);
      }
    }
  }

  /** Free the optimiser slots (the parameters stay). */
  dispose(): void {
    for (const [m, v] of this.slots.values()) {
      this.backend.free(m);
      if (v) this.backend.free(v);
    }
    this.slots.clear();
  }

  private slot(p: Param): [F32, F32 | null] {
    let s = this.slots.get(p);
    if (!s) {
      s = [this.backend.alloc(p.length), this.config.kind === 'adam' ? this.backend.alloc(p.length) : null];
      this.slots.set(p, s);
    }
    return s;
  }
}
