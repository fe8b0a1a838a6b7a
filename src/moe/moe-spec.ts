// The MoE layer's plain-data description, its defaults and its checks. The defaults are
// the papers' but two, both measured on Fashion-MNIST (E = 8, k = 1, 784 → 64 → 10 experts,
// Adam 1e-3, standardised pixels):
// - token choice balances with DeepSeek-V3's bias, not the Switch loss. With the loss at
//   α = 1e-2 top-1 collapses (loads 0.00–5.5× ideal on raw pixels, 0.10–2.5× standardised);
//   α = 0.1 still starves an expert on raw pixels and α = 1 balances but costs accuracy.
//   Why the loss loses: for a classifier the task gradient through a top-1 gate weight has
//   one sign (scaling up a good expert's logits always helps), so the chosen expert gets
//   richer every step, and α·E·fᵢ/n per row is ~100× smaller than that push. The bias acts
//   on the choice itself, where the collapse happens, and adds nothing to the gradient.
// - γ = 1e-2, not DeepSeek-V3's 1e-3: the bias moves at most γ per step and has to cross
//   a gap in probability of ~0.5; DeepSeek ran ~10⁵ steps at lr 2.2e-4 (γ/lr ≈ 4.5), a few
//   epochs here are a few hundred steps at lr 1e-3. Measured: γ = 1e-3 leaves 0.10–2.6× on
//   2,000 digits (190 steps), γ = 1e-2 0.88–1.05× there and 0.98–1.03× on Fashion-MNIST.
import { fail } from '../errors.js';
import { type Routing, checkRouting } from './routing.js';

export interface MoESpec {
  kind?: 'moe';
  /** E ≥ 1 experts. */
  experts: number;
  /** Hidden width of each expert. */
  hidden: number;
  /** Output width. */
  units: number;
  /** A trained bias on the router's logits, x·W_g + b_g (default false, as Switch): the partition warm start needs it for −‖c‖². */
  routerBias?: boolean;
  /** 'token': each row picks its top-k experts (default); 'expert': each expert picks its top-c rows. */
  routing?: 'token' | 'expert';
  /** Token choice: experts per row (1 = Switch, default; 2 = GShard). */
  k?: number;
  /** Token choice: null = dropless (default), else capacity ⌈C·rows·k/E⌉. Expert choice: C (default 2). */
  capacityFactor?: number | null;
  /** Token choice: renormalise the k gate weights to sum 1; default k > 1 (Switch raw, GShard renormalised). */
  normalize?: boolean;
  /** Noisy top-k (Shazeer 2017) in training: H = x·W_g + ε·softplus(x·W_noise), ε ~ N(0, 1) from the fit's stream. */
  noise?: boolean;
  /** Token choice: 'bias' (DeepSeek-V3, no loss; default — see the top of this file), 'loss' (the Switch balance loss) or 'none'. */
  balance?: 'loss' | 'bias' | 'none';
  /** α of the balance loss α·E·Σ fᵢ·Pᵢ (default 1e-2, the Switch paper's). */
  balanceCoef?: number;
  /** β of the router z-loss β·(1/n)·Σ lse² (default 1e-3, ST-MoE's). */
  zLossCoef?: number;
  /** γ of the bias update (default 1e-2; DeepSeek-V3's is 1e-3 — see the top of this file). */
  biasRate?: number;
  /**
   * Shared experts (DeepSeekMoE): experts of the routed ones' shape that every row runs,
   * added to the routed output with weight 1 (default 0). S of them are one block of hidden
   * width S·hidden: the same function class, one GEMM.
   */
  sharedExperts?: number;
}

export type ResolvedMoESpec = Required<MoESpec>;

export function resolveMoESpec(s: MoESpec): ResolvedMoESpec {
  const int = (name: string, v: number): number => (Number.isInteger(v) && v >= 1 ? v : fail('ERR_BAD_ARGUMENT', `moe ${name} must be an integer ≥ 1, got ${v}`));
  const count = (name: string, v: number): number => (Number.isInteger(v) && v >= 0 ? v : fail('ERR_BAD_ARGUMENT', `moe ${name} must be an integer ≥ 0, got ${v}`));
  const coef = (name: string, v: number): number => (v >= 0 && Number.isFinite(v) ? v : fail('ERR_BAD_ARGUMENT', `moe ${name} must be a finite number ≥ 0, got ${v}`));
  const routing = s.routing ?? 'token';
  if (routing !== 'token' && routing !== 'expert') fail('ERR_BAD_ARGUMENT', `moe routing must be 'token' or 'expert', got ${String(routing)}`);
  const balance = s.balance ?? (routing === 'token' ? 'bias' : 'none');
  if (!['loss', 'bias', 'none'].includes(balance)) fail('ERR_BAD_ARGUMENT', `moe balance must be 'loss', 'bias' or 'none', got ${String(balance)}`);
  if (routing === 'expert' && balance !== 'none') fail('ERR_BAD_ARGUMENT', "expert choice is balanced by construction: use balance 'none'");
  const k = s.k ?? 1;
  const r: ResolvedMoESpec = {
    kind: 'moe', experts: int('experts', s.experts), hidden: int('hidden', s.hidden), units: int('units', s.units), routing, routerBias: s.routerBias ?? false,
    k: routing === 'token' ? k : 1, capacityFactor: s.capacityFactor === undefined ? (routing === 'token' ? null : 2) : s.capacityFactor,
    normalize: s.normalize ?? k > 1, noise: s.noise ?? false, balance,
    balanceCoef: coef('balanceCoef', s.balanceCoef ?? 1e-2), zLossCoef: coef('zLossCoef', s.zLossCoef ?? 1e-3), biasRate: coef('biasRate', s.biasRate ?? 1e-2),
    sharedExperts: count('sharedExperts', s.sharedExperts ?? 0),
  };
  checkRouting(routingOf(r, null), r.experts);
  return r;
}

export function routingOf(s: ResolvedMoESpec, bias: Float32Array | null): Routing {
  if (s.routing === 'expert') return { mode: 'expert', capacityFactor: s.capacityFactor! };
  return { mode: 'token', k: s.k, capacityFactor: s.capacityFactor, normalize: s.normalize, bias };
}
