// Optimiser settings and the per-parameter state they keep. Adam and SGD are thin
// wrappers over one backend kernel each (tinygrad's shape: one shared step).
import { fail } from '../errors.js';
import type { Backend, F32 } from '../backend/backend.js';
import type { Param, ParamGroup } from './param.js';

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

/** One optimiser call: a whole ParamGroup (run as one span when no member is masked), or one parameter. */
interface Run {
  group: ParamGroup | null;
  params: readonly Param[];
}

export class Optimizer {
  private step = 0;
  /** Per parameter: its moments (Adam) or velocity (SGD); views of its group's when grouped. */
  private readonly slots = new Map<Param, [F32, F32 | null]>();
  private readonly groupSlots = new Map<ParamGroup, [F32, F32 | null]>();
  /** The runs of the last list apply() saw: a network hands the same list every step. */
  private plan: { list: readonly Param[]; length: number; runs: Run[] } | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly config: OptimizerConfig,
    private readonly penalty: Penalty = {},
  ) {
    const lr = config.lr ?? (config.kind === 'adam' ? 1e-3 : 1e-2);
    if (!(lr > 0) || !Number.isFinite(lr)) fail('ERR_BAD_ARGUMENT', `learning rate must be a positive number, got ${lr}`);
    if ((penalty.l1 ?? 0) < 0 || (penalty.l2 ?? 0) < 0) fail('ERR_BAD_ARGUMENT', 'l1 and l2 must be ≥ 0');
  }

  /**
   * Apply one update to every parameter from its accumulated gradient. The kernels work
   * element by element, so a group's one call gives the same bits as a call per member.
   */
  apply(params: readonly Param[]): void {
    this.step++;
    // Without penalties weights and biases update alike.
    const penalties = (this.penalty.l1 ?? 0) > 0 || (this.penalty.l2 ?? 0) > 0;
    for (const run of this.runsOf(params)) {
      const g = run.group, p0 = run.params[0];
      if (g && run.params.every((p) => !p.mask && (!penalties || p.penalised === p0.penalised))) this.update(g.value, g.grad, this.groupSlot(g), g.length, p0.penalised, null);
      else for (const p of run.params) this.update(p.value, p.grad, this.slot(p), p.length, p.penalised, p.mask);
    }
  }

  /** Free the optimiser slots (the parameters stay). */
  dispose(): void {
    for (const [p, [m, v]] of this.slots) {
      if (p.group) continue; // views of its group's slots
      this.backend.free(m);
      if (v) this.backend.free(v);
    }
    for (const [m, v] of this.groupSlots.values()) {
      this.backend.free(m);
      if (v) this.backend.free(v);
    }
    this.slots.clear();
    this.groupSlots.clear();
    this.plan = null;
  }

  private update(value: F32, grad: F32, slot: [F32, F32 | null], n: number, penalised: boolean, mask: F32 | null): void {
    const c = this.config;
    const l1 = penalised ? this.penalty.l1 ?? 0 : 0;
    const l2 = penalised ? this.penalty.l2 ?? 0 : 0;
    if (c.kind === 'adam') {
      this.backend.adam(value, grad, slot[0], slot[1]!, n, {
        lr: c.lr ?? 1e-3, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, eps: c.epsilon ?? 1e-7,
        step: this.step, l1, weightDecay: l2,
      }, mask);
    } else {
      this.backend.sgd(value, grad, slot[0], n, { lr: c.lr ?? 1e-2, momentum: c.momentum ?? 0, l1, l2 }, mask);
    }
  }

  /** A group is one run when all its members are in the list (each once); every other parameter is a run of its own. */
  private runsOf(list: readonly Param[]): Run[] {
    if (this.plan && this.plan.list === list && this.plan.length === list.length) return this.plan.runs;
    const listed = new Set(list), runs: Run[] = [], seen = new Set<ParamGroup>();
    for (const p of list) {
      const g = p.group;
      if (g && listed.size === list.length && g.params.every((q) => listed.has(q))) {
        if (!seen.has(g)) runs.push({ group: g, params: g.params });
        seen.add(g);
      } else runs.push({ group: null, params: [p] });
    }
    this.plan = { list, length: list.length, runs };
    return runs;
  }

  private newSlot(n: number): [F32, F32 | null] {
    return [this.backend.alloc(n), this.config.kind === 'adam' ? this.backend.alloc(n) : null];
  }

  private groupSlot(g: ParamGroup): [F32, F32 | null] {
    let s = this.groupSlots.get(g);
    if (!s) this.groupSlots.set(g, (s = this.newSlot(g.length)));
    return s;
  }

  private slot(p: Param): [F32, F32 | null] {
    let s = this.slots.get(p);
    if (!s) {
      const g = p.group, b = this.backend;
      if (g) {
        const [m, v] = this.groupSlot(g);
        s = [b.subBuffer(m, p.offset, p.length), v && b.subBuffer(v, p.offset, p.length)];
      } else s = this.newSlot(p.length);
      this.slots.set(p, s);
    }
    return s;
  }
}
