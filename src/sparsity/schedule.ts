// The gradual pruning schedule of Zhu & Gupta 2017 ("To prune, or not to prune"):
// s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(nΔt))³, updated every Δt steps from t0 to t0 + nΔt.
import { fail } from '../errors.js';

export interface PolynomialSchedule {
  /** s_i, the sparsity at beginStep (default 0). */
  initial?: number;
  /** s_f, the sparsity from endStep on. */
  final: number;
  /** t0 (default 0). */
  beginStep?: number;
  /** t0 + nΔt: the step that reaches `final`. */
  endStep: number;
  /** Δt: steps between mask updates (default 1). */
  frequency?: number;
}

/**
 * The scheduled sparsity after `step` optimiser steps. Between updates it holds the value of
 * the last update step t0 + kΔt; endStep is always an update step (even when
 * endStep − t0 is not a multiple of Δt), so the final sparsity is reached exactly there.
 */
export function polynomialSparsity(step: number, schedule: PolynomialSchedule): number {
  const { initial, final, beginStep: t0, endStep, frequency } = checkSchedule(schedule);
  if (step < t0) return initial;
  if (step >= endStep) return final;
  const t = t0 + Math.floor((step - t0) / frequency) * frequency;
  // u·u·u, not u ** 3: Math.pow may differ in the last bit between engines.
  const u = 1 - (t - t0) / (endStep - t0);
  return final + (initial - final) * u * u * u;
}

/** Whether the mask is recomputed after `step` steps. */
export function isUpdateStep(step: number, schedule: PolynomialSchedule): boolean {
  const { beginStep: t0, endStep, frequency } = checkSchedule(schedule);
  return step >= t0 && step <= endStep && ((step - t0) % frequency === 0 || step === endStep);
}

export function checkSchedule(s: PolynomialSchedule): Required<PolynomialSchedule> {
  const initial = s.initial ?? 0, beginStep = s.beginStep ?? 0, frequency = s.frequency ?? 1;
  const { final, endStep } = s;
  if (!(initial >= 0 && initial <= final && final <= 1)) fail('ERR_BAD_ARGUMENT', `need 0 ≤ initial ≤ final ≤ 1, got initial ${initial}, final ${final}`);
  if (!Number.isInteger(beginStep) || beginStep < 0) fail('ERR_BAD_ARGUMENT', `beginStep must be a non-negative integer, got ${beginStep}`);
  if (!Number.isInteger(endStep) || endStep < beginStep) fail('ERR_BAD_ARGUMENT', `endStep must be an integer ≥ beginStep (${beginStep}), got ${endStep}`);
  if (!Number.isInteger(frequency) || frequency < 1) fail('ERR_BAD_ARGUMENT', `frequency must be a positive integer, got ${frequency}`);
  return { initial, final, beginStep, endStep, frequency };
}
