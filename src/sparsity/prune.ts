// Pruning a network's Dense layers: compute masks, attach them to the weight Params (the
// optimiser then keeps pruned weights at exactly zero) and zero the pruned weights.
// Biases are never pruned.
import { fail } from '../errors.js';
import type { Network } from '../nn/network.js';
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
  /** One mask per selected layer, in layer order, inputs × units row-major like W (1 keep, 0 prune). */
  masks?: readonly ArrayLike<number>[];
  layers?: LayerSelection;
}

export interface LayerPruneReport {
  layer: number;
  /** Fraction of the layer's weights the mask prunes. */
  sparsity: number;
  /** Weights the mask keeps. */
  nonZero: number;
  total: number;
}

export function pruneNetwork(net: Network, spec: PruneSpec): LayerPruneReport[] {
  if (spec.scope !== undefined && spec.scope !== 'layer' && spec.scope !== 'global') fail('ERR_BAD_ARGUMENT', `scope must be 'layer' or 'global', got ${spec.scope}`);
  const layers = selectLayers(net, spec.layers ?? 'all');
  const b = net.backend;
  const weights = layers.map((i) => b.read(net.layers[i].W.value));
  const priors = layers.map((i) => (net.layers[i].W.mask ? b.read(net.layers[i].W.mask!) : null));
  let masks: Float32Array[];
  switch (spec.method) {
    case 'magnitude': {
      const s = spec.sparsity ?? fail('ERR_BAD_ARGUMENT', "method 'magnitude' needs a sparsity in [0, 1]");
      masks = spec.scope === 'global'
        ? magnitudeMasks(weights, s, priors)
        : weights.map((w, j) => magnitudeMasks([w], s, [priors[j]])[0]);
      break;
    }
    case 'nm':
      masks = layers.map((i, j) => nmMask(weights[j], net.layers[i].inputs, net.layers[i].units, spec.n ?? 2, spec.m ?? 4, priors[j]));
      break;
    case 'mask': {
      const given = spec.masks ?? fail('ERR_BAD_ARGUMENT', "method 'mask' needs `masks`: one per selected layer");
      if (given.length !== layers.length) fail('ERR_BAD_SHAPE', `${given.length} masks for ${layers.length} selected layers (${layers.join(', ')})`);
      masks = layers.map((i, j) => checkMask(given[j], net.layers[i].W.length, `masks[${j}] (layer ${i})`));
      break;
    }
    default:
      fail('ERR_BAD_ARGUMENT', `unknown pruning method '${(spec as { method: unknown }).method}': use 'magnitude', 'nm' or 'mask'`);
  }
  return layers.map((i, j) => applyMask(net, i, weights[j], masks[j]));
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

/** Attach `mask` to layer i's W and zero the weights it prunes. */
function applyMask(net: Network, i: number, w: Float32Array, mask: Float32Array): LayerPruneReport {
  const b = net.backend, W = net.layers[i].W;
  let kept = 0;
  for (let j = 0; j < w.length; j++) {
    if (mask[j] === 0) w[j] = 0;
    else kept++;
  }
  if (W.mask) b.write(W.mask, mask);
  else W.mask = b.upload(mask);
  b.write(W.value, w);
  return { layer: i, sparsity: w.length === 0 ? 0 : (w.length - kept) / w.length, nonZero: kept, total: w.length };
}
