// Gradual magnitude pruning during training: fit callbacks that re-prune on the
// polynomial schedule. Masks persist between updates, so a pruned weight stays pruned and
// each update ranks only the survivors.
import type { Network } from '../nn/network.js';
import type { Callbacks } from '../train/fit.js';
import { type LayerPruneReport, type LayerSelection, pruneNetwork } from './prune.js';
import { type PolynomialSchedule, checkSchedule, isUpdateStep, polynomialSparsity } from './schedule.js';

export interface GradualSpec {
  layers?: LayerSelection;
  scope?: 'layer' | 'global';
}

export interface GradualPruning {
  /** Pass as fit's `callbacks` (spread into your own to combine). */
  callbacks: Callbacks;
  /** Optimiser steps seen in the current fit. */
  readonly step: number;
  /** The report of the latest mask update; null before the first. */
  readonly last: LayerPruneReport[] | null;
}

/**
 * `target` is a Network or anything with network() — an expert, whose fit() builds a fresh
 * network, so it is looked up when training begins. Steps count from 1 at the end of the
 * first batch of each fit; the schedule's endStep must fall within the fit to reach `final`.
 */
export function gradualPruning(target: Network | { network(): Network }, spec: GradualSpec, schedule: PolynomialSchedule): GradualPruning {
  checkSchedule(schedule);
  const resolve = (): Network => ('network' in target && typeof target.network === 'function' ? target.network() : (target as Network));
  let net: Network | null = null;
  const state = { step: 0, last: null as LayerPruneReport[] | null };
  const callbacks: Callbacks = {
    onTrainBegin: () => {
      net = resolve();
      state.step = 0;
    },
    onBatchEnd: () => {
      const step = ++state.step;
      if (!isUpdateStep(step, schedule)) return;
      state.last = pruneNetwork(net ?? resolve(), {
        method: 'magnitude', sparsity: polynomialSparsity(step, schedule), layers: spec.layers, scope: spec.scope,
      });
    },
  };
  return {
    callbacks,
    get step() { return state.step; },
    get last() { return state.last; },
  };
}
