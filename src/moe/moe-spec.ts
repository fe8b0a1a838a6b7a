// The MoE layer's plain-data description, its defaults (the papers') and its checks.
import { fail } from '../errors.js';
import { BIAS_RATE } from './bias-balance.js';
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
  /** Token choice: 'loss' (Switch balance loss, default), 'bias' (DeepSeek-V3, no loss) or 'none'. */
  balance?: 'loss' | 'bias' | 'none';
  /** α of the balance loss α·E·Σ fᵢ·Pᵢ (default 1e-2, the Switch paper's). */
  balanceCoef?: number;
  /** β of the router z-loss β·(1/n)·Σ lse² (default 1e-3, ST-MoE's). */
  zLossCoef?: number;
  /** γ of the bias update (default 1e-3, DeepSeek-V3's). */
  biasRate?: number;
}

export type ResolvedMoESpec = Required<MoESpec>;

export function resolveMoESpec(s: MoESpec): ResolvedMoESpec {
  const int = (name: string, v: number): number => (Number.isInteger(v) && v >= 1 ? v : fail('ERR_BAD_ARGUMENT', `moe ${name} must be an integer ≥ 1, got ${v}`));
  const coef = (name: string, v: number): number => (v >= 0 && Number.isFinite(v) ? v : fail('ERR_BAD_ARGUMENT', `moe ${name} must be a finite number ≥ 0, got ${v}`));
  const routing = s.routing ?? 'token';
  if (routing !== 'token' && routing !== 'expert') fail('ERR_BAD_ARGUMENT', `moe routing must be 'token' or 'expert', got ${String(routing)}`);
  const balance = s.balance ?? (routing === 'token' ? 'loss' : 'none');
  if (!['loss', 'bias', 'none'].includes(balance)) fail('ERR_BAD_ARGUMENT', `moe balance must be 'loss', 'bias' or 'none', got ${String(balance)}`);
  if (routing === 'expert' && balance !== 'none') fail('ERR_BAD_ARGUMENT', "expert choice is balanced by construction: use balance 'none'");
  const k = s.k ?? 1;
  const r: ResolvedMoESpec = {
    kind: 'moe', experts: int('experts', s.experts), hidden: int('hidden', s.hidden), units: int('units', s.units), routing, routerBias: s.routerBias ?? false,
    k: routing === 'token' ? k : 1, capacityFactor: s.capacityFactor === undefined ? (routing === 'token' ? null : 2) : s.capacityFactor,
    normalize: s.normalize ?? k > 1, noise: s.noise ?? false, balance,
    balanceCoef: coef('balanceCoef', s.balanceCoef ?? 1e-2), zLossCoef: coef('zLossCoef', s.zLossCoef ?? 1e-3), biasRate: coef('biasRate', s.biasRate ?? BIAS_RATE),
  };
  checkRouting(routingOf(r, null), r.experts);
  return r;
}

export function routingOf(s: ResolvedMoESpec, bias: Float32Array | null): Routing {
  if (s.routing === 'expert') return { mode: 'expert', capacityFactor: s.capacityFactor! };
  return { mode: 'token', k: s.k, capacityFactor: s.capacityFactor, normalize: s.normalize, bias };
}
