// Regularisation in scikit-learn's terms, and its relation to the per-row l1 / l2.
//
// scikit-learn minimises   C·Σᵢ loss(xᵢ, yᵢ) + R(W),  with R = ½‖W‖² ('l2'), ‖W‖₁ ('l1'),
// or ρ‖W‖₁ + (1 − ρ)/2·‖W‖² ('elasticnet', ρ = l1Ratio), the intercept unpenalised.
// Dividing by C·n gives this library's per-row form
//   (1/n)·Σᵢ loss + l1·‖W‖₁ + (l2/2)·‖W‖²   with l1 = ρ/(C·n), l2 = (1 − ρ)/(C·n),
// so the same C and penalty land on the same optimum whatever the rows.
import { fail } from '../errors.js';

export type PenaltyKind = 'l2' | 'l1' | 'elasticnet' | 'none';

export interface PenaltyConfig {
  /** scikit-learn's penalty; default 'l2' when C is set. */
  penalty?: PenaltyKind;
  /** Inverse regularisation strength (loss summed over rows), > 0; default 1. */
  C?: number;
  /** Elastic net: the L1 share ρ in [0, 1]. */
  l1Ratio?: number;
  /** Per-row strengths (loss averaged over rows); the alternative to penalty/C. */
  l1?: number;
  l2?: number;
}

export interface PerRowPenalty {
  l1: number;
  l2: number;
}

/**
 * The per-row strengths for `rows` training rows. With neither penalty/C nor l1/l2 set,
 * `fallback` decides: scikit-learn's default (l2, C = 1) or none.
 */
export function perRowPenalty(c: PenaltyConfig, rows: number, fallback: 'sklearn' | 'none'): PerRowPenalty {
  const sk = c.penalty !== undefined || c.C !== undefined || c.l1Ratio !== undefined;
  const perRow = c.l1 !== undefined || c.l2 !== undefined;
  if (sk && perRow) fail('ERR_BAD_ARGUMENT', 'give either penalty/C (scikit-learn terms) or l1/l2 (per-row strengths), not both');
  if (perRow) {
    const l1 = c.l1 ?? 0, l2 = c.l2 ?? 0;
    if (!(l1 >= 0 && l2 >= 0) || !Number.isFinite(l1 + l2)) fail('ERR_BAD_ARGUMENT', `l1 and l2 must be finite and ≥ 0, got ${l1} and ${l2}`);
    return { l1, l2 };
  }
  if (!sk && fallback === 'none') return { l1: 0, l2: 0 };
  const penalty = c.penalty ?? 'l2', C = c.C ?? 1;
  if (!(C > 0) || !Number.isFinite(C)) fail('ERR_BAD_ARGUMENT', `C must be a finite number > 0, got ${C}`);
  if (c.l1Ratio !== undefined && penalty !== 'elasticnet') fail('ERR_BAD_ARGUMENT', `l1Ratio is for penalty 'elasticnet', not '${penalty}'`);
  const s = 1 / (C * rows);
  if (!Number.isFinite(s)) fail('ERR_BAD_ARGUMENT', `C = ${C} is too small: 1/(C·rows) overflows`);
  switch (penalty) {
    case 'none': return { l1: 0, l2: 0 };
    case 'l2': return { l1: 0, l2: s };
    case 'l1': return { l1: s, l2: 0 };
    case 'elasticnet': {
      const rho = c.l1Ratio ?? fail('ERR_BAD_ARGUMENT', "penalty 'elasticnet' needs l1Ratio in [0, 1]");
      if (!(rho >= 0 && rho <= 1)) fail('ERR_BAD_ARGUMENT', `l1Ratio must be in [0, 1], got ${rho}`);
      return { l1: rho * s, l2: (1 - rho) * s };
    }
    default: return fail('ERR_BAD_ARGUMENT', `penalty must be 'l2', 'l1', 'elasticnet' or 'none', got '${String(penalty)}'`);
  }
}
