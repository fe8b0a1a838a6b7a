// One-shot pruning then a short fine-tune of the same weights: the masks keep the pruned
// weights at zero while the survivors recover the accuracy.
import type { Dataset } from '../data/dataset.js';
import type { Network } from '../nn/network.js';
import { Optimizer, type OptimizerConfig, type Penalty } from '../nn/optimizer.js';
import { type FitOptions, type History, fitNetwork } from '../train/fit.js';
import { type LayerPruneReport, type PruneSpec, pruneNetwork } from './prune.js';

export interface FineTuneOptions extends FitOptions {
  /** A fresh optimiser for the fine-tune (default Adam, Keras defaults). */
  optimizer?: OptimizerConfig;
  penalty?: Penalty;
}

/**
 * Prune the trained network of `expert` (a NetworkExpert or anything with network()) and
 * continue training it on `ds` — not expert.fit(), which would start from new weights.
 * `epochs` defaults to 2.
 */
export async function pruneAndFineTune(
  expert: { network(): Network },
  ds: Dataset,
  spec: PruneSpec,
  options: FineTuneOptions = {},
): Promise<{ pruned: LayerPruneReport[]; history: History }> {
  const net = expert.network();
  const pruned = pruneNetwork(net, spec);
  const { optimizer, penalty, ...fit } = options;
  const opt = new Optimizer(net.backend, optimizer ?? { kind: 'adam' }, penalty);
  try {
    return { pruned, history: await fitNetwork(net, opt, ds, { epochs: 2, ...fit }) };
  } finally {
    opt.dispose();
  }
}
