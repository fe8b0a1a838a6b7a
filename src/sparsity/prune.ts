// Pruning a network's weight matrices (each layer's penalised Params): compute masks and
// hand them to Param.setMask, which zeroes the pruned weights (the optimiser then keeps
// them at exactly zero). Biases are never pruned.
//
// The policy for magnitude pruning: unless `layers` says otherwise, the output layer stays
// dense — as most toolkits do. It is small and each of its weights matters: pruned to 90 %
// alone it costs accuracy, and ranked globally with a wide first layer's many small weights
// it is emptied (64→512→10 at 90 % global: 1 of 5,120 output weights kept, chance accuracy).
// A global ranking that would leave any selected layer less than a tenth of its even share,
// (1 − sparsity)·n weights, fails with ERR_BAD_ARGUMENT instead of silently destroying the
// model.
import { fail } from '../errors.js';
import type { Network } from '../nn/network.js';
import type { Param } from '../nn/param.js';
import { magnitudeMasks } from './magnitude.js';
import { nmMask } from './nm.js';
import { checkMask } from './user-mask.js';

/** Which layers: every one, all but the output layer, or these indices. */
export type LayerSelection = 'all' | 'hidden' | readonly number[];

export interface PruneSpec {
  /**
   * 'magnitude': the smallest |w| to `sparsity`; 'nm': n of every m inputs per unit;
   * 'mask': the caller's `masks`. Magnitude and N:M keep earlier pruning (a weight whose
   * mask is 0 stays pruned); 'mask' replaces the mask outright.
   */
  method: 'magnitude' | 'nm' | 'mask';
  /** Fraction of weights to prune, in [0, 1] (magnitude). */
  sparsity?: number;
  /** 'layer' (default): sparsity in each layer; 'global': one ranking over the selected layers. */
  scope?: 'layer' | 'global';
  /** N:M (defaults 2 and 4). */
  n?: number;
  m?: number;
  /** One mask per selected weight matrix (a Dense layer has one), in layer order, inputs × units row-major like W (1 keep, 0 prune). */
  masks?: readonly ArrayLike<number>[];
  /** Default: for magnitude pruning all but the output layer (a one-layer network: that layer), else 'all'. */
  layers?: LayerSelection;
}

export interface LayerPruneReport {
  layer: number;
  /** The weight matrix, as the network names it ('dense0/W'). */
  name: string;
  /** Fraction of the layer's weights the mask prunes. */
  sparsity: number;
  /** Weights the mask keeps. */
  nonZero: number;
  total: number;
}

export function pruneNetwork(net: Network, spec: PruneSpec): LayerPruneReport[] {
  if (spec.scope !== undefined && spec.scope !== 'layer' && spec.scope !== 'global') fail('ERR_BAD_ARGUMENT', `scope must be 'layer' or 'global', got ${spec.scope}`);
  const global = spec.scope === 'global';
  const byDefault = spec.method === 'magnitude' && net.layers.length > 1 ? 'hidden' : 'all';
  const targets = prunableWeights(net, selectLayers(net, spec.layers ?? byDefault));
  const b = net.backend;
  const weights = targets.map((t) => b.read(t.param.value));
  const priors = targets.map((t) => (t.param.mask ? b.read(t.param.mask) : null));
  let masks: Float32Array[];
  switch (spec.method) {
    case 'magnitude': {
      const s = spec.sparsity ?? fail('ERR_BAD_ARGUMENT', "method 'magnitude' needs a sparsity in [0, 1]");
      masks = global ? magnitudeMasks(weights, s, priors) : weights.map((w, j) => magnitudeMasks([w], s, [priors[j]])[0]);
      if (global) checkNoCollapse(targets, masks, s);
      break;
    }
    case 'nm':
      masks = targets.map((t, j) => nmMask(weights[j], t.param.shape[0], t.param.shape[1], spec.n ?? 2, spec.m ?? 4, priors[j]));
      break;
    case 'mask': {
      const given = spec.masks ?? fail('ERR_BAD_ARGUMENT', "method 'mask' needs `masks`: one per selected layer");
      if (given.length !== targets.length) fail('ERR_BAD_SHAPE', `${given.length} masks for ${targets.length} selected weight matrices (${targets.map((t) => t.name).join(', ')})`);
      masks = targets.map((t, j) => checkMask(given[j], t.param.length, `masks[${j}] (layer ${t.layer})`));
      break;
    }
    default:
      fail('ERR_BAD_ARGUMENT', `unknown pruning method '${(spec as { method: unknown }).method}': use 'magnitude', 'nm' or 'mask'`);
  }
  return targets.map((t, j) => {
    t.param.setMask(masks[j]);
    const total = masks[j].length, kept = masks[j].reduce((n, v) => n + (v === 0 ? 0 : 1), 0);
    return { layer: t.layer, name: t.name, sparsity: total === 0 ? 0 : (total - kept) / total, nonZero: kept, total };
  });
}

/** Layer indices for a selection, checked and ascending. */
export function selectLayers(net: Network, sel: LayerSelection): number[] {
  const count = net.layers.length;
  if (sel === 'all') return net.layers.map((_, i) => i);
  if (sel === 'hidden') return net.layers.slice(0, -1).map((_, i) => i);
  if (!Array.isArray(sel)) fail('ERR_BAD_ARGUMENT', `layers must be 'all', 'hidden' or an array of layer indices, got ${String(sel)}`);
  for (const i of sel) if (!Number.isInteger(i) || i < 0 || i >= count) fail('ERR_BAD_ARGUMENT', `layer index ${i} is not in [0, ${count})`);
  const unique = [...new Set(sel)].sort((a, b) => a - b);
  if (unique.length !== sel.length) fail('ERR_BAD_ARGUMENT', `layers lists an index twice: ${sel.join(', ')}`);
  return unique;
}

/** Fails when the global ranking leaves a layer less than a tenth of its even share of weights. */
function checkNoCollapse(targets: readonly { layer: number; name: string }[], masks: readonly Float32Array[], sparsity: number): void {
  masks.forEach((m, j) => {
    const kept = m.reduce((n, v) => n + (v === 0 ? 0 : 1), 0), share = (1 - sparsity) * m.length;
    if (kept < Math.floor(0.1 * share)) {
      fail('ERR_BAD_ARGUMENT', `global pruning to ${+(100 * sparsity).toFixed(2)} % would leave layer ${targets[j].layer} (${targets[j].name}) ${kept} of ${m.length} weights: leave it out (layers: 'hidden' keeps the output layer dense), prune per layer (scope: 'layer') or prune less`);
    }
  });
}

/** The weight matrices (penalised params) of the given layers, in layer order. */
function prunableWeights(net: Network, layers: number[]): { layer: number; name: string; param: Param }[] {
  return layers.flatMap((i) => net.layers[i].params().filter((p) => p.penalised).map((param) => ({ layer: i, name: param.name, param })));
}
